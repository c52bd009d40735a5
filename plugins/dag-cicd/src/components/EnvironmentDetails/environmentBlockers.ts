import { Environment } from '@dag-cicd/plugin-dag-cicd-common';

/**
 * Why an environment action cannot be taken now; undefined when it can.
 * The permission comes first: it is what a person must ask someone for.
 */

export function startRunBlocker(
  env: Environment,
  permissionReason?: string,
): string | undefined {
  if (permissionReason) return permissionReason;
  return env.status === 'ready'
    ? undefined
    : `The environment is ${env.status}; runs start in ready environments`;
}

export function extendBlocker(
  env: Environment,
  production: boolean,
  permissionReason?: string,
): string | undefined {
  if (permissionReason) return permissionReason;
  if (production) return 'Production environments do not expire';
  return env.status === 'ready' || env.status === 'provisioning'
    ? undefined
    : `The environment is ${env.status}`;
}

export function teardownBlocker(
  env: Environment,
  production: boolean,
  permissionReason?: string,
): string | undefined {
  if (permissionReason) return permissionReason;
  if (production) return 'Production environments are never torn down';
  switch (env.status) {
    case 'provisioning':
      return 'The environment is still provisioning; tear it down once it is ready or failed';
    case 'tearing-down':
      return 'The environment is already being torn down';
    case 'deleted':
      return 'The environment is deleted';
    default:
      return undefined;
  }
}
