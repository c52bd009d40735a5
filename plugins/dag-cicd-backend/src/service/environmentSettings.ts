import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { SampleLimits } from '../profiles/seedInputs';

/** `dagCicd.environments`: defaults and limits of environments. */
export interface EnvironmentSettings {
  defaultProfile: string;
  defaultTtlMs: number;
  maxTtlMs: number;
  /** Limits of the `sample` and `chaos` profiles; requests may only tighten them. */
  sample: SampleLimits;
  /** Fault rates of the `chaos` profile, validated by the fault injector. */
  chaos: Record<string, number>;
  teardownFrequency: HumanDuration;
}

const HOUR = 3_600_000;

function duration(config: Config, key: string, fallback: HumanDuration) {
  return config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : durationToMilliseconds(fallback);
}

export function readEnvironmentSettings(config: Config): EnvironmentSettings {
  const c = 'dagCicd.environments';
  const defaultTtlMs = duration(config, `${c}.defaultTtl`, { days: 3 });
  const maxTtlMs = duration(config, `${c}.maxTtl`, { days: 30 });
  if (defaultTtlMs > maxTtlMs || defaultTtlMs < HOUR / 12) {
    throw new Error(
      `${c}.defaultTtl must be at least 5 minutes and at most ${c}.maxTtl`,
    );
  }
  const rowFraction = config.getOptionalNumber(`${c}.sample.rowFraction`) ?? 1;
  if (!(rowFraction > 0 && rowFraction <= 1)) {
    throw new Error(`${c}.sample.rowFraction must be in (0, 1]`);
  }
  const chaos = config.getOptionalConfig(`${c}.chaos`);
  return {
    defaultProfile: config.getOptionalString(`${c}.defaultProfile`) ?? 'empty',
    defaultTtlMs,
    maxTtlMs,
    sample: {
      maxObjects: config.getOptionalNumber(`${c}.sample.maxObjects`) ?? 1000,
      maxBytes: config.getOptionalNumber(`${c}.sample.maxBytes`) ?? 1024 ** 3,
      rowFraction,
    },
    chaos: Object.fromEntries(
      (chaos?.keys() ?? []).map(k => [k, chaos!.getNumber(k)]),
    ),
    teardownFrequency: config.has(`${c}.teardownFrequency`)
      ? readDurationFromConfig(config, { key: `${c}.teardownFrequency` })
      : { minutes: 10 },
  };
}

/** The shortest TTL a request may ask for. */
export const MIN_TTL_MS = HOUR / 12;
