import { CreateEnvironmentRequest } from '@dag-cicd/plugin-dag-cicd-common';

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
  };
}

const SHA = /^[0-9a-fA-F]{7,40}$/;
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
const FIXTURE_SET = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const MAX_SEED = 4294967295;

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
  options: { production: boolean },
): { request: CreateEnvironmentRequest } | { errors: FormErrors } {
  const errors: FormErrors = {};
  const commit = form.commit.trim();
  if (!SHA.test(commit)) {
    errors.commit =
      'Enter a commit SHA: 7 to 40 hexadecimal characters (git rev-parse HEAD)';
  }
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
  if (Object.keys(errors).length) return { errors };
  return {
    request: {
      entityRef,
      commit: commit.toLowerCase(),
      stage: form.stage,
      profile: profileOf(form),
      ...(name && { name }),
      ...(form.ttl && !options.production && { ttl: form.ttl }),
      ...(seed !== undefined && { seed }),
      ...overrides,
    },
  };
}

/**
 * The form field a server message is about, so the dialog can show it next
 * to that field. The backend names the field in its messages (`commit … is
 * not a git SHA`, `ttl PT99H is out of range`, `Unknown stage "qa"`,
 * `artifacts.etl_jar renders to …`): the field named first wins.
 */
export function fieldOfServerError(message: string): FormField | undefined {
  let found: { field: FormField; at: number } | undefined;
  for (const field of FORM_FIELDS) {
    const at = message.search(new RegExp(`\\b${field}\\b`, 'i'));
    if (at !== -1 && (!found || at < found.at)) found = { field, at };
  }
  return found?.field;
}
