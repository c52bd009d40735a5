import type { FaultRates } from '@dag-cicd/plugin-dag-cicd-common';
import { CliError, ExitCode } from './exitCodes';

// These parsers only check the shape of a value. Whether a number is within
// the configured bounds, and whether a fault name exists, is the server's
// call: its 400 names the valid values, and the CLI prints it as it is.

/** Parses a whole number of at least 1, for `--limit` and `--sample-max-*`. */
export function parseCount(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) {
      throw new CliError(
        `${flag} "${value}" is not a positive whole number`,
        ExitCode.usage,
      );
    }
    return Number(value);
  };
}

/** Parses a decimal number such as `0.1`, for `--sample-rows`. */
export function parseFraction(flag: string) {
  return (value: string): number => {
    const fraction = toNumber(value);
    if (fraction === undefined) {
      throw new CliError(
        `${flag} "${value}" is not a number: give a fraction such as 0.1`,
        ExitCode.usage,
      );
    }
    return fraction;
  };
}

/**
 * Adds one repeated `--chaos <fault>=<rate>` to the rates given so far.
 * The same fault twice is a mistake in the pipeline, not an override.
 */
export function collectFaultRate(
  value: string,
  previous: FaultRates | undefined,
): FaultRates {
  const [, fault, rateText] = /^([^=\s]+)=(.*)$/.exec(value) ?? [];
  const rate = rateText === undefined ? undefined : toNumber(rateText);
  if (fault === undefined || rate === undefined) {
    throw new CliError(
      `--chaos "${value}" is not <fault>=<rate>: give e.g. --chaos nulls=0.02`,
      ExitCode.usage,
    );
  }
  const rates = { ...previous } as Record<string, number>;
  if (fault in rates) {
    throw new CliError(
      `--chaos ${fault} is given twice: give each fault once`,
      ExitCode.usage,
    );
  }
  rates[fault] = rate;
  return rates as FaultRates;
}

function toNumber(text: string): number | undefined {
  // Number('') is 0 and Number('0x1') is 1: only plain decimals count.
  if (!/^\d*\.?\d+(e-?\d+)?$/i.test(text.trim())) return undefined;
  return Number(text);
}
