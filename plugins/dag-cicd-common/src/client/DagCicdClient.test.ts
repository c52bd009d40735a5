import { ResponseError } from '@backstage/errors';
import { errorAnswer, startTestBackend, TestBackend } from '../testUtils';
import { DagCicdClient } from './DagCicdClient';

// A real HTTP server, so the client's URL building, headers and error
// parsing are exercised end to end.
describe('DagCicdClient', () => {
  let backend: TestBackend;

  beforeAll(async () => {
    backend = await startTestBackend();
  });

  beforeEach(() => backend.reset());

  afterAll(() => backend.close());

  const client = () =>
    new DagCicdClient({
      discoveryApi: {
        getBaseUrl: async (pluginId: string) =>
          `${backend.url}/api/${pluginId}`,
      },
      fetchApi: { fetch },
    });

  it('lists environments with the query encoded', async () => {
    backend.handle(() => ({ status: 200, body: { items: [], totalCount: 0 } }));
    await expect(
      client().listEnvironments(
        { entityRef: 'component:default/orders', stage: 'ci', limit: 5 },
        { token: 'abc' },
      ),
    ).resolves.toEqual({ items: [], totalCount: 0 });
    expect(backend.requests).toEqual([
      {
        method: 'GET',
        url: '/api/dag-cicd/environments?entityRef=component%3Adefault%2Forders&stage=ci&limit=5',
        authorization: 'Bearer abc',
      },
    ]);
  });

  it('resolves a branch with the entity and the ref encoded', async () => {
    const commit = 'a'.repeat(40);
    backend.handle(() => ({
      status: 200,
      body: { ref: 'feature/x', commit },
    }));
    await expect(
      client().resolveBranchHead('component:default/orders', 'feature/x'),
    ).resolves.toEqual({ ref: 'feature/x', commit });
    expect(backend.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: '/api/dag-cicd/commits/resolve?entityRef=component%3Adefault%2Forders&ref=feature%2Fx',
      }),
    ]);
  });

  it('lists the configured stages, in the order the server answers', async () => {
    const stages = [
      { name: 'ci', production: false },
      { name: 'staging', production: false },
      { name: 'production', production: true },
    ];
    backend.handle(() => ({ status: 200, body: { items: stages } }));
    await expect(client().listStages({ token: 'abc' })).resolves.toEqual(
      stages,
    );
    expect(backend.requests).toEqual([
      {
        method: 'GET',
        url: '/api/dag-cicd/stages',
        authorization: 'Bearer abc',
      },
    ]);
  });

  it("throws a ResponseError carrying the server's message", async () => {
    backend.handle(() =>
      errorAnswer(
        404,
        'NotFoundError',
        'No entity component:default/unknown in the catalog',
      ),
    );
    const error = await client()
      .listEnvironments({ entityRef: 'component:default/unknown' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(404);
    expect(error.body.error.message).toBe(
      'No entity component:default/unknown in the catalog',
    );
  });
});
