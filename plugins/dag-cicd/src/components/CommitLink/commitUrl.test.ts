import { Entity } from '@backstage/catalog-model';
import { commitUrl } from './CommitLink';

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

  it('finds the repository where the backend does: the catalog-info file when no source location is given', () => {
    const entity = entityAt();
    entity.metadata.annotations = {
      'backstage.io/managed-by-location':
        'url:https://github.com/acme/dags/blob/main/catalog-info.yaml',
    };
    expect(commitUrl(entity, SHA)).toBe(
      `https://github.com/acme/dags/commit/${SHA}`,
    );
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
    [
      'a Bitbucket Cloud repository',
      'url:https://bitbucket.org/acme/dags/src/main/orders/',
      `https://bitbucket.org/acme/dags/commits/${SHA}`,
    ],
    [
      'an Azure DevOps repository',
      'url:https://dev.azure.com/acme/data/_git/dags?path=/orders',
      `https://dev.azure.com/acme/data/_git/dags/commit/${SHA}`,
    ],
    [
      'a Gitea repository',
      'url:https://gitea.acme.dev/acme/dags.git',
      `https://gitea.acme.dev/acme/dags/commit/${SHA}`,
    ],
    [
      'an Azure DevOps repository on visualstudio.com',
      'url:https://acme.visualstudio.com/Data%20Platform/_git/dags?path=/orders',
      `https://acme.visualstudio.com/Data%20Platform/_git/dags/commit/${SHA}`,
    ],
    [
      'an Azure DevOps repository on visualstudio.com, its project left out',
      'url:https://acme.visualstudio.com/_git/dags',
      `https://acme.visualstudio.com/dags/_git/dags/commit/${SHA}`,
    ],
    [
      'an older visualstudio.com URL with its collection',
      'url:https://acme.visualstudio.com/DefaultCollection/data/_git/dags',
      `https://acme.visualstudio.com/DefaultCollection/data/_git/dags/commit/${SHA}`,
    ],
  ])('links %s', (_, location, page) => {
    expect(commitUrl(entityAt(location), SHA)).toBe(page);
  });

  describe('with the app’s SCM integrations', () => {
    // The host names say nothing; the integrations say what runs there.
    const hosts = {
      byUrl: (url: string) => {
        const { hostname } = new URL(url);
        const type = {
          'git.acme.corp': 'github',
          'code.acme.corp': 'gitlab',
          'stash.acme.corp': 'bitbucketServer',
          'tfs.acme.corp': 'azure',
          'tea.acme.corp': 'gitea',
        }[hostname];
        // As the integrations' configs say: GitLab and Gitea under a sub-path.
        const baseUrl = {
          'code.acme.corp': 'https://code.acme.corp/gitlab/',
          'tea.acme.corp': 'https://tea.acme.corp/git',
        }[hostname];
        return type ? { type, config: { baseUrl } } : undefined;
      },
    };

    it.each([
      [
        'GitHub Enterprise',
        'url:https://git.acme.corp/data/dags/tree/main/orders/',
        `https://git.acme.corp/data/dags/commit/${SHA}`,
      ],
      [
        'a self-hosted GitLab under a sub-path',
        'url:https://code.acme.corp/gitlab/data/etl/dags/-/blob/main/x.py',
        `https://code.acme.corp/gitlab/data/etl/dags/-/commit/${SHA}`,
      ],
      [
        'a Gitea under a sub-path',
        'url:https://tea.acme.corp/git/acme/dags/src/branch/main/orders',
        `https://tea.acme.corp/git/acme/dags/commit/${SHA}`,
      ],
      [
        'Bitbucket Server under a context path',
        'url:https://stash.acme.corp/bitbucket/projects/DATA/repos/dags/browse/orders',
        `https://stash.acme.corp/bitbucket/projects/DATA/repos/dags/commits/${SHA}`,
      ],
      [
        'a Bitbucket Server clone URL',
        'url:https://stash.acme.corp/scm/DATA/dags.git',
        `https://stash.acme.corp/projects/DATA/repos/dags/commits/${SHA}`,
      ],
      [
        'a Bitbucket Server clone URL of a personal repository, under a context path',
        'url:https://stash.acme.corp/bitbucket/scm/~jd/dags.git',
        `https://stash.acme.corp/bitbucket/users/jd/repos/dags/commits/${SHA}`,
      ],
      [
        'an Azure DevOps Server collection',
        'url:https://tfs.acme.corp/tfs/Main/data/_git/dags',
        `https://tfs.acme.corp/tfs/Main/data/_git/dags/commit/${SHA}`,
      ],
    ])('links %s', (_, location, page) => {
      expect(commitUrl(entityAt(location), SHA, hosts)).toBe(page);
    });

    it('links nothing outside the sub-path an integration is configured under', () => {
      expect(
        commitUrl(
          entityAt('url:https://code.acme.corp/data/dags/'),
          SHA,
          hosts,
        ),
      ).toBeUndefined();
    });

    it('links nothing on a host no integration or name identifies', () => {
      expect(
        commitUrl(
          entityAt('url:https://scm.example.org/acme/dags/'),
          SHA,
          hosts,
        ),
      ).toBeUndefined();
    });
  });

  it.each([
    ['no annotation', undefined],
    ['an unknown host', 'url:https://scm.example.org/acme/dags/src/main/'],
    ['not a URL', 'dir:./dags'],
    ['a host without a repository', 'url:https://github.com/acme'],
    ['Bitbucket Cloud without a repository', 'url:https://bitbucket.org/acme'],
    [
      'Azure DevOps without a repository',
      'url:https://dev.azure.com/acme/_git',
    ],
    ['a GitLab group', 'url:https://gitlab.com/acme/-/tree/main'],
    [
      'a name that would climb out of the repository',
      'url:https://github.com/acme/%2e%2e.git',
    ],
  ])('links nothing for %s', (_, location) => {
    expect(commitUrl(entityAt(location), SHA)).toBeUndefined();
  });
});
