export { createFaultInjector } from './FaultInjector';
export type { FaultInjectorOptions } from './FaultInjector';
export type { FaultReportEntry, FaultReportSummary } from './FaultReport';
export { FAULT_NAMES, validateFaultRates } from './FaultRates';
export type { FaultName, FaultRates } from './FaultRates';
export { formatOf } from './formats';
export type { DataFormat } from './formats';
