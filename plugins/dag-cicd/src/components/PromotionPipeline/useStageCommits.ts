import { useApi } from '@backstage/core-plugin-api';
import { Pipeline } from '@dag-cicd/plugin-dag-cicd-common';
import useAsync from 'react-use/esm/useAsync';
import { dagCicdApiRef } from '../../api/DagCicdApi';

/** The commit a stage runs, or why it could not be found out. */
export interface StageCommit {
  commit?: string;
  error?: Error;
}

/**
 * The commit each stage of a pipeline runs, by stage name. A stage with a
 * ready environment of its commit runs that environment's commit. A stage a
 * promotion moved without one (production with no environment of its own,
 * say) carries only the promotion's id: the promotion names the commit, so
 * it is read — one request per such stage, none for the others.
 */
export function useStageCommits(
  pipeline: Pipeline,
): Record<string, StageCommit> {
  const api = useApi(dagCicdApiRef);
  const unknown = pipeline.stages.flatMap(stage =>
    !stage.environment && stage.promotionId ? [stage.promotionId] : [],
  );
  const key = unknown.join(' ');
  const promotions = useAsync(
    () =>
      Promise.all(
        unknown.map(id =>
          api.getPromotion(id).then(
            p => [id, { commit: p.commit }] as const,
            (error: Error) => [id, { error }] as const,
          ),
        ),
      ).then(entries => new Map<string, StageCommit>(entries)),
    // `unknown` is a new array on every render; its ids are what matter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );
  return Object.fromEntries(
    pipeline.stages.map(stage => [
      stage.name,
      stage.environment
        ? { commit: stage.environment.commit }
        : (stage.promotionId && promotions.value?.get(stage.promotionId)) || {},
    ]),
  );
}
