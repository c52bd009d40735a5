import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ResponseError } from '@backstage/errors';
import { DagCicdClient } from './DagCicdClient';

// A real HTTP server, so the client's URL building, headers and error
// parsing are exercised end to end.
describe('DagCicdClient', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: { url?: string; authorization?: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      res.setHeader('Content-Type', 'application/json');
      if (req.url?.includes('unknown')) {
        res.statusCode = 404;
        res.end(
          JSON.stringify({
            error: {
              name: 'NotFoundError',
              message: 'No entity component:default/unknown in the catalog',
            },
            request: { method: 'GET', url: req.url },
            response: { statusCode: 404 },
          }),
        );
        return;
      }
      res.end(JSON.stringify({ items: [], totalCount: 0 }));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/dag-cicd`;
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  const client = () =>
    new DagCicdClient({
      discoveryApi: {
        getBaseUrl: async (pluginId: string) =>
          baseUrl.replace('dag-cicd', pluginId),
      },
      fetchApi: { fetch },
    });

  it('lists environments with the query encoded', async () => {
    await expect(
      client().listEnvironments(
        { entityRef: 'component:default/orders', stage: 'ci', limit: 5 },
        { token: 'abc' },
      ),
    ).resolves.toEqual({ items: [], totalCount: 0 });
    expect(seen.at(-1)).toEqual({
      url: '/api/dag-cicd/environments?entityRef=component%3Adefault%2Forders&stage=ci&limit=5',
      authorization: 'Bearer abc',
    });
  });

  it("throws a ResponseError carrying the server's message", async () => {
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
