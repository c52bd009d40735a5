export {
  permissionDeniedReason,
  useDagCicdPermission,
} from './useDagCicdPermission';
export type {
  DagCicdPermission,
  DagCicdPermissionResult,
} from './useDagCicdPermission';
export { usePolling } from './usePolling';
