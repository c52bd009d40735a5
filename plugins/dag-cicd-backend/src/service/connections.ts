import { InputError } from '@backstage/errors';

// Airflow's own limit and alphabet for conn_id (the conf schema's `connId`).
const CONN_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,249}$/;

/** @throws InputError naming the field when `value` is not a valid Airflow conn_id */
export function assertConnId(field: string, value: string): string {
  if (!CONN_ID.test(value)) {
    throw new InputError(
      `${field} ${JSON.stringify(
        value,
      )} is not an Airflow conn_id: letters, digits, "_", "." and "-", at most 250 characters`,
    );
  }
  return value;
}

/**
 * The `conn_id` overrides of an environment: the stage's, then the DAG's for
 * that stage, then the request's, each layer winning over the one before.
 */
export function mergeConnections(
  ...layers: Array<Record<string, string> | undefined>
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const layer of layers) {
    for (const [from, to] of Object.entries(layer ?? {})) {
      merged[assertConnId('connections key', from)] = assertConnId(
        `connections.${from}`,
        to,
      );
    }
  }
  return merged;
}
