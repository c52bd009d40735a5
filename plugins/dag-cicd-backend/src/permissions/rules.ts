import { createPermissionRule } from '@backstage/plugin-permission-node';
import { z } from 'zod';
import { dagCicdEnvironmentResourceRef } from './resource';

// Lower-cased, because entity refs compare case-insensitively.
const normalise = (refs: string[]) =>
  new Set(refs.map(r => r.toLocaleLowerCase('en-US')));

/** Allow when the caller's ownership claims include an owner of the DAG. */
const isEntityOwner = createPermissionRule({
  name: 'IS_ENTITY_OWNER',
  description:
    'Allow when one of the claims (usually the caller’s ownership entity refs) owns the DAG entity',
  resourceRef: dagCicdEnvironmentResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('Entity refs that may own the DAG, e.g. user and group refs'),
  }),
  apply(resource, { claims }) {
    const owners = normalise(resource.ownerRefs);
    return [...normalise(claims)].some(c => owners.has(c));
  },
  toQuery: params => ({ rule: 'IS_ENTITY_OWNER', params }),
});

/** Allow when the action touches one of the given stages. */
const isInStage = createPermissionRule({
  name: 'IS_IN_STAGE',
  description: 'Allow when the action touches one of the given stages',
  resourceRef: dagCicdEnvironmentResourceRef,
  paramsSchema: z.object({
    stages: z.array(z.string()).describe('Stage names, e.g. ["ci"]'),
  }),
  apply(resource, { stages }) {
    return resource.stage !== undefined && stages.includes(resource.stage);
  },
  toQuery: params => ({ rule: 'IS_IN_STAGE', params }),
});

/** Allow when the action touches the production stage. */
const isProduction = createPermissionRule({
  name: 'IS_PRODUCTION',
  description: 'Allow when the action touches the production stage',
  resourceRef: dagCicdEnvironmentResourceRef,
  apply: resource => resource.production,
  toQuery: () => ({ rule: 'IS_PRODUCTION' }),
});

/** @public */
export const dagCicdEnvironmentRules = {
  isEntityOwner,
  isInStage,
  isProduction,
};
