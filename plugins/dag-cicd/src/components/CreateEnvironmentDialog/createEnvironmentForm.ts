import {
  BranchHead,
  CreateEnvironmentRequest,
  FAULT_NAMES,
  FaultName,
  FaultRates,
  invalidBranchNameMessage,
} from '@dag-cicd/plugin-dag-cicd-common';

/** The input profiles a person can pick; `fixtures` and `from` take a name. */
export const PROFILE_KINDS = [
  'production-readonly',
  'empty',
  'sample',
  'chaos',
  'fixtures',
  'from',
] as const;

export type ProfileKind = (typeof PROFILE_KINDS)[number];

/** Time-to-live choices as ISO 8601 durations, the form the API takes. */
export const TTL_CHOICES = [
  { value: 'PT6H', label: '6 hours' },
  { value: 'P1D', label: '1 day' },
  { value: 'P3D', label: '3 days' },
  { value: 'P7D', label: '7 days' },
] as const;

/**
 * Every fault the API takes a rate for, with what it does. Typed by the API's
 * `FaultRates`: a fault added there does not compile here until it is
 * described, and a fault removed there does not compile either.
 */
export const FAULTS: Record<FaultName, string> = {
  nulls: 'Per row: a column emptied or set to null',
  malformed: 'Per row: the row made unreadable',
  duplicates: 'Per row: the row emitted twice',
  late: 'Per row: the timestamp moved back',
  outOfOrder: 'Per row: the row emitted after later ones',
  drift: 'Per file: a column dropped, renamed or retyped',
  truncated: 'Per file: the file cut mid-row',
  empty: 'Per file: the file emptied',
};

/** Whether a profile copies a bounded sample, and so takes sample options. */
export function takesSampleOptions(kind: ProfileKind): boolean {
  return kind === 'sample' || kind === 'chaos';
}

/** What the dialog holds, as typed: strings until validated. */
export interface CreateEnvironmentForm {
  commit: string;
  stage: string;
  name: string;
  profileKind: ProfileKind;
  /** The fixture set of `fixtures:<set>`. */
  fixtureSet: string;
  /** The environment whose data `from:<env>` reuses. */
  fromEnvironment: string;
  /** An ISO duration, or empty for the server's default. */
  ttl: string;
  seed: string;
  /** `key=value` lines. */
  artifacts: string;
  connections: string;
  /** Sample options of `sample` and `chaos`; empty for the configured bound. */
  maxObjects: string;
  maxMiB: string;
  rowFraction: string;
  /** Fault rates of `chaos`, by fault; all empty for the configured rates. */
  rates: Partial<Record<FaultName, string>>;
}

/** The fields a message can be about, in the order the dialog shows them. */
export const FORM_FIELDS = [
  'commit',
  'stage',
  'name',
  'profile',
  'ttl',
  'seed',
  'artifacts',
  'connections',
  'maxObjects',
  'maxMiB',
  'rowFraction',
  'chaos',
] as const;

export type FormField = (typeof FORM_FIELDS)[number];
export type FormErrors = Partial<Record<FormField, string>>;

export function emptyForm(stage: string): CreateEnvironmentForm {
  return {
    commit: '',
    stage,
    name: '',
    profileKind: 'production-readonly',
    fixtureSet: '',
    fromEnvironment: '',
    ttl: 'P1D',
    seed: '',
    artifacts: '',
    connections: '',
    maxObjects: '',
    maxMiB: '',
    rowFraction: '',
    rates: {},
  };
}

const SHA = /^[0-9a-fA-F]{7,40}$/;
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const FIXTURE_SET = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const MAX_SEED = 4294967295;
const MIB = 1024 * 1024;

/**
 * What the commit field holds: a SHA, sent as is, or a branch name that the
 * backend resolves to the commit it points at now. Seven to forty hex
 * characters are read as a SHA, as git reads them; a branch named like one
 * is given by its SHA.
 */
export type CommitInput =
  | { sha: string }
  | { branch: string }
  | { error: string };

export function readCommitInput(text: string): CommitInput {
  const value = text.trim();
  if (SHA.test(value)) return { sha: value.toLowerCase() };
  const invalid = value ? invalidBranchNameMessage(value) : undefined;
  if (value && !invalid) return { branch: value };
  // The backend's own words for a name it would refuse, so the dialog and
  // the API never disagree on what a branch name is.
  const enter =
    'Enter a commit SHA: 7 to 40 hexadecimal characters (git rev-parse HEAD), or a branch name such as main';
  return { error: invalid ? `${invalid}. ${enter}` : enter };
}

/**
 * `key=value` lines as an object; blank lines and `#` comments are skipped.
 * Returns the error naming the first line that is not `key=value`.
 */
export function parseKeyValueLines(
  text: string,
): { value: Record<string, string> } | { error: string } {
  const value: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq === -1 ? '' : line.slice(0, eq).trim();
    const val = eq === -1 ? '' : line.slice(eq + 1).trim();
    if (!KEY.test(key) || !val) {
      return { error: `line ${i + 1} is not key=value: ${line}` };
    }
    if (key in value) {
      return { error: `line ${i + 1} repeats the key ${key}` };
    }
    value[key] = val;
  }
  return { value };
}

/** The profile string the API takes: `fixtures:<set>`, `from:<env>` or the kind. */
export function profileOf(form: CreateEnvironmentForm): string {
  if (form.profileKind === 'fixtures') return `fixtures:${form.fixtureSet}`;
  if (form.profileKind === 'from') return `from:${form.fromEnvironment}`;
  return form.profileKind;
}

/**
 * Validates the form before anything is sent and turns it into the API's
 * request. The rules are the API's own (commit 7–40 hex, name and fixture
 * set patterns, seed range, no TTL in production), so a person fixes
 * mistakes without a round trip; the server remains the judge of the rest.
 */
export function toCreateRequest(
  entityRef: string,
  form: CreateEnvironmentForm,
  options: {
    production: boolean;
    /** The head of the branch the commit field names, once resolved. */
    branchHead?: BranchHead;
  },
): { request: CreateEnvironmentRequest } | { errors: FormErrors } {
  const errors: FormErrors = {};
  const input = readCommitInput(form.commit);
  let commit = '';
  if ('error' in input) errors.commit = input.error;
  else if ('sha' in input) commit = input.sha;
  else if (options.branchHead?.ref === input.branch) {
    commit = options.branchHead.commit;
  } else
    errors.commit = `Branch ${input.branch} is not resolved to a commit yet`;
  if (!form.stage) errors.stage = 'Choose a stage';
  const name = form.name.trim();
  if (name && !NAME.test(name)) {
    errors.name =
      'Lower-case letters, digits, "_" and "-", starting with a letter, at most 63 characters';
  }
  if (form.profileKind === 'fixtures' && !FIXTURE_SET.test(form.fixtureSet)) {
    errors.profile =
      'Name the fixture set: letters, digits, "_", "." or "-", such as small';
  }
  if (form.profileKind === 'from' && !form.fromEnvironment) {
    errors.profile = 'Choose the environment whose data to reuse';
  }
  if (options.production && form.ttl) {
    errors.ttl = 'Production environments do not expire';
  }
  let seed: number | undefined;
  if (form.seed.trim()) {
    seed = Number(form.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      errors.seed = `A whole number from 0 to ${MAX_SEED}`;
    }
  }
  const overrides: Pick<CreateEnvironmentRequest, 'artifacts' | 'connections'> =
    {};
  for (const field of ['artifacts', 'connections'] as const) {
    const parsed = parseKeyValueLines(form[field]);
    if ('error' in parsed) errors[field] = parsed.error;
    else if (Object.keys(parsed.value).length) overrides[field] = parsed.value;
  }
  const profileOptions = toProfileOptions(form, errors);
  if (Object.keys(errors).length) return { errors };
  return {
    request: {
      entityRef,
      commit,
      stage: form.stage,
      profile: profileOf(form),
      ...(name && { name }),
      ...(form.ttl && !options.production && { ttl: form.ttl }),
      ...(seed !== undefined && { seed }),
      ...overrides,
      ...profileOptions,
    },
  };
}

/**
 * Whether a fault rate as typed is one the API takes: empty (the configured
 * rate, or 0), or a probability from 0 to 1.
 */
export function isFaultRate(text: string): boolean {
  if (!text.trim()) return true;
  const rate = Number(text);
  return rate >= 0 && rate <= 1;
}

/**
 * The sample options and fault rates the profile takes, only those filled
 * in; the upper bounds are the server's configuration, which it checks.
 */
function toProfileOptions(
  form: CreateEnvironmentForm,
  errors: FormErrors,
): Pick<CreateEnvironmentRequest, 'sample' | 'chaos'> {
  if (!takesSampleOptions(form.profileKind)) return {};
  const sample: NonNullable<CreateEnvironmentRequest['sample']> = {};
  const number = (text: string) => (text.trim() ? Number(text) : undefined);
  const maxObjects = number(form.maxObjects);
  if (maxObjects !== undefined) {
    if (Number.isSafeInteger(maxObjects) && maxObjects >= 0) {
      sample.maxObjects = maxObjects;
    } else errors.maxObjects = 'A whole number of at least 0';
  }
  const maxMiB = number(form.maxMiB);
  if (maxMiB !== undefined) {
    if (Number.isFinite(maxMiB) && maxMiB >= 0) {
      sample.maxBytes = Math.floor(maxMiB * MIB);
    } else errors.maxMiB = 'A number of MiB of at least 0, such as 64 or 0.5';
  }
  const rowFraction = number(form.rowFraction);
  if (rowFraction !== undefined) {
    if (rowFraction > 0 && rowFraction <= 1) sample.rowFraction = rowFraction;
    else errors.rowFraction = 'More than 0 and at most 1, such as 0.1';
  }
  const options: Pick<CreateEnvironmentRequest, 'sample' | 'chaos'> = {};
  if (Object.keys(sample).length) options.sample = sample;
  if (form.profileKind !== 'chaos') return options;

  const chaos: FaultRates = {};
  for (const fault of FAULT_NAMES) {
    const text = form.rates[fault] ?? '';
    if (!isFaultRate(text)) {
      errors.chaos ??= `${fault}: a probability from 0 to 1, such as 0.01`;
    } else if (text.trim()) chaos[fault] = Number(text);
  }
  if (Object.keys(chaos).length) options.chaos = chaos;
  return options;
}

// The backend's messages about profile options start with the option,
// `sample.maxBytes …` or `chaos.nulls …` (the API's validator: `request/body/
// sample/maxBytes …`); each goes under its own field. `sample: only the sample
// and chaos profiles take…` is about the choice of profile.
const SAMPLE_FIELDS: Record<string, FormField> = {
  maxObjects: 'maxObjects',
  maxBytes: 'maxMiB',
  rowFraction: 'rowFraction',
};
const OPTION = /^(?:request\/body\/)?(sample|chaos)(?:[./](\w+))?/;

/**
 * The form field a server message is about, so the dialog can show it next
 * to that field. The backend names the field in its messages (`commit … is
 * not a git SHA`, `ttl PT99H is out of range`, `Unknown stage "qa"`,
 * `artifacts.etl_jar renders to …`): the field named first wins.
 */
export function fieldOfServerError(message: string): FormField | undefined {
  const option = OPTION.exec(message);
  if (option) {
    const [, group, key] = option;
    if (!key) return 'profile';
    return group === 'chaos' ? 'chaos' : SAMPLE_FIELDS[key] ?? 'profile';
  }
  let found: { field: FormField; at: number } | undefined;
  for (const field of FORM_FIELDS) {
    const at = message.search(new RegExp(`\\b${field}\\b`, 'i'));
    if (at !== -1 && (!found || at < found.at)) found = { field, at };
  }
  return found?.field;
}
