import { Environment } from '@dag-cicd/plugin-dag-cicd-common';
import { DagCicdMock } from './dagCicdMockServer';

type Sortable = 'createdAt' | 'name' | 'stage' | 'status' | 'expiresAt';

/**
 * Answers `GET /environments` from `environments` as the backend does:
 * narrowed by entity, stage, status and part of the name, sorted by
 * `orderBy` (newest first by default), and cut into the page asked for.
 */
export function serveEnvironments(
  mock: DagCicdMock,
  environments: Environment[],
): DagCicdMock {
  return mock.on('GET', '/environments', ({ query }) => {
    const entityRef = query.get('entityRef');
    const stage = query.get('stage');
    const status = query.get('status');
    const name = query.get('name');
    const orderBy = (query.get('orderBy') ?? 'createdAt') as Sortable;
    const direction = query.get('order') === 'asc' ? 1 : -1;
    const limit = Number(query.get('limit') ?? 50);
    const offset = Number(query.get('offset') ?? 0);
    const matching = environments
      .filter(
        env =>
          (!entityRef || env.entityRef === entityRef) &&
          (!stage || env.stage === stage) &&
          (!status || env.status === status) &&
          (!name || env.name.includes(name)),
      )
      .sort(
        (a, b) =>
          direction *
          String(a[orderBy] ?? '').localeCompare(String(b[orderBy] ?? '')),
      );
    return {
      body: {
        items: matching.slice(offset, offset + limit),
        totalCount: matching.length,
      },
    };
  });
}

/** The query of the last `GET /environments`, as strings. */
export function lastEnvironmentsQuery(mock: DagCicdMock) {
  const calls = mock.calls('GET', '/environments');
  return Object.fromEntries(calls[calls.length - 1].query);
}
