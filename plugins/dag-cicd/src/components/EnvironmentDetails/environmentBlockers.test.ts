import { anEnvironment } from '../../__testUtils__/dagCicdFixtures';
import {
  extendBlocker,
  startRunBlocker,
  teardownBlocker,
} from './environmentBlockers';

describe('environment action blockers', () => {
  const ready = anEnvironment(1);

  it('allow a ready environment outside production', () => {
    expect(startRunBlocker(ready)).toBeUndefined();
    expect(extendBlocker(ready, false)).toBeUndefined();
    expect(teardownBlocker(ready, false)).toBeUndefined();
  });

  it('name the missing permission first', () => {
    const reason = 'You may not tear down environments in ci';
    expect(teardownBlocker(ready, true, reason)).toBe(reason);
  });

  it('protect production', () => {
    expect(extendBlocker(ready, true)).toBe(
      'Production environments do not expire',
    );
    expect(teardownBlocker(ready, true)).toBe(
      'Production environments are never torn down',
    );
  });

  it.each([
    ['provisioning', /still provisioning/],
    ['tearing-down', /already being torn down/],
    ['deleted', /is deleted/],
  ] as const)('refuse to tear down an environment %s', (status, reason) => {
    expect(teardownBlocker({ ...ready, status }, false)).toMatch(reason);
  });

  it('start runs only in ready environments', () => {
    expect(startRunBlocker({ ...ready, status: 'failed' })).toBe(
      'The environment is failed; runs start in ready environments',
    );
  });
});
