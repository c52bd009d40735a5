import { InputError } from '@backstage/errors';
import { EnvironmentStore } from '../database/EnvironmentStore';

const FULL_SHA = /^[0-9a-f]{40}$/;
const SHORT_SHA = /^[0-9a-f]{7,39}$/;

/**
 * Turns the commit of a create request into a full 40-hex SHA. A short SHA
 * is accepted only when it names exactly one commit this DAG already has an
 * environment for: environments are keyed on the full SHA, and guessing
 * would build the wrong commit.
 *
 * @throws InputError saying what to send instead
 */
export async function resolveCommit(
  store: EnvironmentStore,
  entityRef: string,
  commit: string,
): Promise<string> {
  const value = commit.toLowerCase();
  if (FULL_SHA.test(value)) return value;
  if (!SHORT_SHA.test(value)) {
    throw new InputError(
      `commit ${JSON.stringify(
        commit,
      )} is not a git SHA: send the full 40-hex commit SHA (git rev-parse HEAD)`,
    );
  }
  const known = new Set(
    (await store.findByCommitPrefix(entityRef, value)).map(e => e.commit),
  );
  if (known.size === 1) return [...known][0];
  throw new InputError(
    known.size === 0
      ? `commit ${commit} cannot be resolved: no environment of ${entityRef} has a commit starting with it; send the full 40-hex SHA (git rev-parse HEAD)`
      : `commit ${commit} is ambiguous: ${known.size} commits of ${entityRef} start with it; send the full 40-hex SHA`,
  );
}
