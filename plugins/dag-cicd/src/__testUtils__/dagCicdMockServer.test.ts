import { dagCicdMockServer } from './dagCicdMockServer';
import { anEnvironment, ENTITY_REF } from './dagCicdFixtures';

describe('dagCicdMockServer', () => {
  const backend = dagCicdMockServer();

  it('serves answers that match the API', async () => {
    const mock = backend.mock();
    mock.on('GET', '/environments', {
      body: { items: [anEnvironment(1)], totalCount: 1 },
    });
    const page = await mock.client().listEnvironments({
      entityRef: ENTITY_REF,
      limit: 10,
    });
    expect(page.items.map(e => e.name)).toEqual(['ci_0000001']);
    expect(mock.calls('GET', '/environments')[0].query.get('limit')).toBe('10');
  });

  it('records an answer the backend could not give, which fails the test', async () => {
    const mock = backend.mock();
    const { commit: _, ...withoutCommit } = anEnvironment(1);
    mock.on('GET', '/environments/{id}', {
      body: { ...withoutCommit, status: 'sleeping' },
    });
    await mock.client().getEnvironment(anEnvironment(1).id);
    expect(mock.violations).toEqual([
      expect.stringMatching(/200 answer to GET .* required property 'commit'/),
      expect.stringMatching(/\/status must be equal to one of the allowed/),
    ]);
    // The violations are what this test is about; the server's own check
    // after each test would fail it otherwise, as it should.
    mock.violations.length = 0;
  });

  it('records a request the API does not take', async () => {
    const mock = backend.mock();
    mock.on('GET', '/environments', { body: { items: [], totalCount: 0 } });
    await mock.client().listEnvironments({ limit: 1000 });
    expect(mock.violations).toEqual([
      expect.stringContaining('query parameter limit must be <= 500'),
    ]);
    mock.violations.length = 0;
  });

  it('refuses routes that are not in the API', () => {
    expect(() =>
      backend.mock().on('GET', '/environments/{id}/logs', {}),
    ).toThrow('GET /environments/{id}/logs is not in the dag-cicd API');
  });
});
