import type { FaultRates } from './schema/openapi/generated/models/FaultRates.model';

/**
 * Every fault the `chaos` profile injects, as the API names them. Row faults
 * are decided row by row; file faults once per file.
 */
export const FAULT_NAMES = [
  'nulls',
  'malformed',
  'duplicates',
  'late',
  'outOfOrder',
  'drift',
  'truncated',
  'empty',
] as const;

/** The name of one fault, as in the API's `FaultRates` and the fault report. */
export type FaultName = (typeof FAULT_NAMES)[number];

// Compiles only while FAULT_NAMES and the API's FaultRates name the same
// faults, both ways: a fault the API adds is one every user of this list
// must know.
const SAME_FAULTS: [
  Exclude<keyof FaultRates, FaultName>,
  Exclude<FaultName, keyof FaultRates>,
] extends [never, never]
  ? true
  : never = true;
void SAME_FAULTS;
