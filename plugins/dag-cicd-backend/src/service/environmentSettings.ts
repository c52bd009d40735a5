import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { FaultRates, validateFaultRates } from '../profiles/faults';
import {
  SAMPLE_LIMIT_NAMES,
  SAMPLE_LIMITS_CONFIG_KEY,
  SampleLimits,
  checkSampleLimit,
} from '../profiles/sampleLimits';

/** `dagCicd.environments`: defaults and limits of environments. */
export interface EnvironmentSettings {
  defaultProfile: string;
  defaultTtlMs: number;
  maxTtlMs: number;
  /** Limits of the `sample` and `chaos` profiles; requests may only tighten them. */
  sample: SampleLimits;
  /** Fault rates of the `chaos` profile. */
  chaos: FaultRates;
  teardownFrequency: HumanDuration;
}

const HOUR = 3_600_000;

/** The shortest TTL a request may ask for. */
export const MIN_TTL_MS = HOUR / 12;

const SAMPLE_DEFAULTS: SampleLimits = {
  maxObjects: 1000,
  maxBytes: 1024 ** 3,
  rowFraction: 1,
};

function duration(config: Config, key: string, fallback: HumanDuration) {
  return config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : durationToMilliseconds(fallback);
}

// Checked at startup, so that a mistyped limit or rate stops the backend
// instead of failing every sample or chaos environment later.
function readSampleLimits(config: Config): SampleLimits {
  const limits = { ...SAMPLE_DEFAULTS };
  for (const name of SAMPLE_LIMIT_NAMES) {
    const key = `${SAMPLE_LIMITS_CONFIG_KEY}.${name}`;
    limits[name] = checkSampleLimit(
      name,
      config.getOptionalNumber(key) ?? SAMPLE_DEFAULTS[name],
      key,
    );
  }
  return limits;
}

function readFaultRates(config: Config, key: string): FaultRates {
  const rates = config.getOptionalConfig(key);
  // Read through the config reader, which takes numbers written as strings
  // (from environment variables) too.
  const given = Object.fromEntries(
    (rates?.keys() ?? []).map(name => [name, rates!.getNumber(name)]),
  );
  return validateFaultRates(given, key);
}

export function readEnvironmentSettings(config: Config): EnvironmentSettings {
  const c = 'dagCicd.environments';
  const defaultTtlMs = duration(config, `${c}.defaultTtl`, { days: 3 });
  const maxTtlMs = duration(config, `${c}.maxTtl`, { days: 30 });
  if (defaultTtlMs > maxTtlMs || defaultTtlMs < MIN_TTL_MS) {
    throw new Error(
      `${c}.defaultTtl must be at least 5 minutes and at most ${c}.maxTtl`,
    );
  }
  return {
    defaultProfile: config.getOptionalString(`${c}.defaultProfile`) ?? 'empty',
    defaultTtlMs,
    maxTtlMs,
    sample: readSampleLimits(config),
    chaos: readFaultRates(config, `${c}.chaos`),
    teardownFrequency: config.has(`${c}.teardownFrequency`)
      ? readDurationFromConfig(config, { key: `${c}.teardownFrequency` })
      : { minutes: 10 },
  };
}
