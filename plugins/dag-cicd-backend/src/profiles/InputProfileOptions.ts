import { InputError } from '@backstage/errors';
import { FaultRates, validateFaultRates } from './faults';
import { InputProfile, formatInputProfile } from './InputProfile';
import {
  SAMPLE_LIMIT_NAMES,
  SampleLimits,
  checkSampleLimit,
} from './sampleLimits';

/**
 * The options a create request may give its input profile: tighter sample
 * bounds for `sample` and `chaos`, and the fault rates of `chaos`. What is
 * left out comes from configuration.
 */
export interface InputProfileOptions {
  sample?: Partial<SampleLimits>;
  chaos?: FaultRates;
}

/** What configuration allows: the bounds and rates a request starts from. */
export interface ConfiguredProfileOptions {
  sample: SampleLimits;
  chaos: FaultRates;
}

/** The options, checked, and the limits and rates they make for seeding. */
export interface ResolvedProfileOptions {
  /** The request's options, normalised; empty when it gave none. */
  options: InputProfileOptions;
  sample: SampleLimits;
  chaos: FaultRates;
}

/**
 * Checks a request's profile options against its profile and the configured
 * bounds. A request may only tighten the configured sample bounds: the
 * operator's bounds cap how much production data one environment may copy.
 * Its fault rates replace the configured ones, so that a person choosing
 * faults gets exactly those.
 *
 * @throws InputError naming the field and what to write instead
 */
export function resolveProfileOptions(
  profile: InputProfile,
  requested: { sample?: unknown; chaos?: unknown },
  configured: ConfiguredProfileOptions,
): ResolvedProfileOptions {
  const options: InputProfileOptions = {};
  const name = formatInputProfile(profile);
  if (requested.sample !== undefined) {
    if (profile.kind !== 'sample' && profile.kind !== 'chaos') {
      throw new InputError(
        `sample: only the sample and chaos profiles take sample options, not profile ${name}`,
      );
    }
    const sample = checkSample(requested.sample, configured.sample);
    // `{}` asks for nothing: the same request as none, for idempotency too.
    if (Object.keys(sample).length > 0) options.sample = sample;
  }
  if (requested.chaos !== undefined) {
    if (profile.kind !== 'chaos') {
      throw new InputError(
        `chaos: only the chaos profile takes fault rates, not profile ${name}`,
      );
    }
    options.chaos = validateFaultRates(requested.chaos, 'chaos');
  }
  return {
    options,
    sample: { ...configured.sample, ...options.sample },
    chaos: options.chaos ?? configured.chaos,
  };
}

function checkSample(
  value: unknown,
  configured: SampleLimits,
): Partial<SampleLimits> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(
      `sample must be an object such as {"maxObjects": 10, "rowFraction": 0.1}`,
    );
  }
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(SAMPLE_LIMIT_NAMES as readonly string[]).includes(key)) {
      throw new InputError(
        `sample.${key} is not a sample option; use ${SAMPLE_LIMIT_NAMES.join(
          ', ',
        )}`,
      );
    }
  }
  const sample: Partial<SampleLimits> = {};
  // In a fixed order, so that the same options always serialise the same.
  for (const key of SAMPLE_LIMIT_NAMES) {
    if (given[key] === undefined) continue;
    sample[key] = checkSampleLimit(
      key,
      given[key],
      `sample.${key}`,
      configured[key],
    );
  }
  return sample;
}
