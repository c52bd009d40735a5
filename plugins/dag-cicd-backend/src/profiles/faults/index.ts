export { createFaultInjector } from './FaultInjector';
export type {
  FaultInjectorOptions,
  FaultReportEntry,
  FaultReportSummary,
} from './FaultInjector';
export { FAULT_NAMES, validateFaultRates } from './FaultRates';
export type { FaultName, FaultRates } from './FaultRates';
export { formatOf } from './formats';
export type { DataFormat } from './formats';
