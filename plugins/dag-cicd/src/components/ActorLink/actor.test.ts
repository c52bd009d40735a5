import { parseActor } from './actor';

describe('parseActor', () => {
  it.each([
    ['user:default/alice', 'user:default/alice'],
    ['user:alice', 'user:default/alice'],
    ['User:Default/Alice', 'user:default/alice'],
    ['user:platform/alice', 'user:platform/alice'],
    ['group:default/data-engineering', 'group:default/data-engineering'],
  ])('reads %s as the catalog entity %s', (actor, entityRef) => {
    expect(parseActor(actor)).toEqual({ type: 'entity', entityRef });
  });

  it.each([
    // Service subjects parse as entity refs of kinds that are no actor.
    'external:ci-pipeline',
    'plugin:scaffolder',
    'system:dag-cicd',
    'component:default/orders',
    // Not entity refs at all.
    'unknown',
    'alice',
  ])('reads %s as a service named as recorded', actor => {
    expect(parseActor(actor)).toEqual({ type: 'service', subject: actor });
  });

  it.each(['user:', 'user:default/', ':alice', '/', ':', 'user:/alice'])(
    'reads the malformed %s as a service rather than throwing',
    actor => {
      expect(parseActor(actor)).toEqual({ type: 'service', subject: actor });
    },
  );

  it.each(['', '   ', null, undefined])(
    'names a missing actor (%p) unknown, as the backend does',
    actor => {
      expect(parseActor(actor)).toEqual({
        type: 'service',
        subject: 'unknown',
      });
    },
  );
});
