import { Entity } from '@backstage/catalog-model';
import { commitUrl } from './commitLink';

const SHA = 'ab12cd3'.padEnd(40, '0');

function entityAt(location?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'orders',
      annotations: location ? { 'backstage.io/source-location': location } : {},
    },
  };
}

describe('commitUrl', () => {
  it('links a GitHub repository', () => {
    expect(
      commitUrl(
        entityAt('url:https://github.com/acme/dags/tree/main/orders/'),
        SHA,
      ),
    ).toBe(`https://github.com/acme/dags/commit/${SHA}`);
  });

  it('links a GitLab project inside nested groups', () => {
    expect(
      commitUrl(
        entityAt('url:https://gitlab.example.com/data/etl/dags/-/tree/main/'),
        SHA,
      ),
    ).toBe(`https://gitlab.example.com/data/etl/dags/-/commit/${SHA}`);
  });

  it.each([
    ['no annotation', undefined],
    ['another host', 'url:https://bitbucket.org/acme/dags/src/main/'],
    ['not a URL', 'dir:./dags'],
    ['a host without a repository', 'url:https://github.com/acme'],
  ])('links nothing for %s', (_, location) => {
    expect(commitUrl(entityAt(location), SHA)).toBeUndefined();
  });
});
