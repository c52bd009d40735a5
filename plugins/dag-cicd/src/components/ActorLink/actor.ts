import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/**
 * Who did something, as the backend recorded it: a person or group of the
 * catalog, or a service. The backend records a user's entity ref
 * (`user:default/alice`) or, for a service token, its subject
 * (`external:ci-pipeline`, `plugin:scaffolder`), `system:dag-cicd` for
 * work of the plugin's own (resuming, TTL teardown), or `unknown`.
 */
export type Actor =
  | { type: 'entity'; entityRef: string }
  | { type: 'service'; subject: string };

/**
 * The kinds an actor can be in the catalog. A subject such as
 * `external:ci-pipeline` or `system:dag-cicd` also parses as an entity ref,
 * of a kind that is no entity here, so only these kinds are linked.
 */
const ACTOR_KINDS = new Set(['user', 'group']);

/** What the backend records when a caller has no subject at all. */
const UNKNOWN = 'unknown';

/**
 * Tells a catalog user or group from a service subject. Never throws: what
 * does not parse as a user or group entity ref is a service, named as
 * recorded.
 */
export function parseActor(actor: string | null | undefined): Actor {
  const recorded = typeof actor === 'string' ? actor.trim() : '';
  if (!recorded) return { type: 'service', subject: UNKNOWN };
  try {
    const ref = parseEntityRef(recorded);
    if (ACTOR_KINDS.has(ref.kind.toLocaleLowerCase('en-US'))) {
      return { type: 'entity', entityRef: stringifyEntityRef(ref) };
    }
  } catch {
    // Not an entity ref (`unknown`): a service's subject.
  }
  return { type: 'service', subject: recorded };
}
