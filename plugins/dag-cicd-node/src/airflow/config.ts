import { Config } from '@backstage/config';
import { AirflowApiVersion } from './types';

/**
 * How the backend authenticates to an instance:
 * - `simple` / `fab`: Airflow 3 auth managers; a JWT from `POST /auth/token`,
 *   fetched again when it expires or is refused;
 * - `basic`: Airflow 2's basic auth API backend;
 * - `token`: a static bearer token;
 * - `none`: no `Authorization` header at all.
 */
export type AirflowAuthConfig =
  | { type: 'simple' | 'fab' | 'basic'; username: string; password: string }
  | { type: 'token'; token: string }
  | { type: 'none' };

/** One entry of `dagCicd.airflow.instances`, validated. */
export interface AirflowInstanceConfig {
  name: string;
  baseUrl: string;
  apiVersion: AirflowApiVersion;
  auth: AirflowAuthConfig;
  uiUrl: string;
  timeoutMs: number;
  retries: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_RETRIES = 2;

// Instance names end up in entity annotations and error messages.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const AUTH_TYPES: Record<AirflowApiVersion, string[]> = {
  v2: ['simple', 'fab', 'token', 'none'],
  v1: ['basic', 'token', 'none'],
};

/** A URL without its trailing slashes. @throws Error naming the key */
function httpUrl(key: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${key} ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${key} must be an http:// or https:// URL`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(
      `${key} must have no query, fragment or credentials; put credentials under auth`,
    );
  }
  return value.replace(/\/+$/, '');
}

function readAuth(
  config: Config | undefined,
  key: string,
  apiVersion: AirflowApiVersion,
): AirflowAuthConfig {
  if (!config) return { type: 'none' };
  const type = config.getString('type');
  if (!AUTH_TYPES[apiVersion].includes(type)) {
    throw new Error(
      `${key}.type "${type}" does not fit apiVersion ${apiVersion}; use one of ${AUTH_TYPES[
        apiVersion
      ].join(', ')}`,
    );
  }
  switch (type) {
    case 'simple':
    case 'fab':
    case 'basic':
      return {
        type,
        username: config.getString('username'),
        password: config.getString('password'),
      };
    case 'token':
      return { type, token: config.getString('token') };
    default:
      return { type: 'none' };
  }
}

function integer(
  config: Config,
  [parent, key]: [string, string],
  fallback: number,
  [min, max]: [number, number],
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `${parent}.${key} must be a whole number from ${min} to ${max}, not ${value}`,
    );
  }
  return value;
}

/** Reads and validates `dagCicd.airflow.instances`; none is fine. */
export function readAirflowInstanceConfigs(
  config: Config,
): AirflowInstanceConfig[] {
  const instances =
    config.getOptionalConfigArray('dagCicd.airflow.instances') ?? [];
  const seen = new Set<string>();
  return instances.map((instance, index) => {
    const key = `dagCicd.airflow.instances[${index}]`;
    const name = instance.getString('name');
    if (!NAME.test(name)) {
      throw new Error(
        `${key}.name ${JSON.stringify(
          name,
        )} must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit`,
      );
    }
    if (seen.has(name)) {
      throw new Error(`${key}.name "${name}" is used by two instances`);
    }
    seen.add(name);
    const apiVersion = instance.getOptionalString('apiVersion') ?? 'v2';
    if (apiVersion !== 'v2' && apiVersion !== 'v1') {
      throw new Error(
        `${key}.apiVersion must be v2 (Airflow 3) or v1 (Airflow 2), not "${apiVersion}"`,
      );
    }
    const baseUrl = httpUrl(`${key}.baseUrl`, instance.getString('baseUrl'));
    const uiUrl = instance.getOptionalString('uiUrl');
    return {
      name,
      baseUrl,
      apiVersion,
      auth: readAuth(
        instance.getOptionalConfig('auth'),
        `${key}.auth`,
        apiVersion,
      ),
      uiUrl: uiUrl ? httpUrl(`${key}.uiUrl`, uiUrl) : baseUrl,
      timeoutMs: integer(
        instance,
        [key, 'timeoutMs'],
        DEFAULT_TIMEOUT_MS,
        [100, 600_000],
      ),
      retries: integer(instance, [key, 'retries'], DEFAULT_RETRIES, [0, 10]),
    };
  });
}
