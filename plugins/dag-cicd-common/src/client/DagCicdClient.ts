import { ResponseError } from '@backstage/errors';
import {
  BranchHead,
  CreateEnvironmentRequest,
  DagStatus,
  DefaultApiClient,
  Environment,
  EnvironmentConf,
  EnvironmentEvent,
  EnvironmentPage,
  ListEnvironments,
  ListPromotions,
  Pipeline,
  Promotion,
  PromotionDecisionRequest,
  PromotionEvent,
  PromotionPage,
  RequestPromotionRequest,
  Run,
  Stage,
  TypedResponse,
  UpdateEnvironmentRequest,
} from '../schema/openapi';

/**
 * Options of {@link DagCicdClient}: how to find the backend and how to call it
 * (the frontend passes its fetchApi so that requests carry the user's token).
 *
 * @public
 */
export interface DagCicdClientOptions {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi?: { fetch: typeof fetch };
}

/**
 * Per-call options: a token for callers outside the frontend (the CLI, a
 * scaffolder action), whose fetch carries no user session.
 *
 * @public
 */
export interface DagCicdRequestOptions {
  token?: string;
}

/**
 * A client of the DAG CI/CD API. Unlike the generated client it returns
 * parsed bodies and throws a `ResponseError` carrying the server's message
 * for any non-2xx answer, so every caller (the UI, the CLI, the scaffolder
 * action) reports errors the same way.
 *
 * @public
 */
export class DagCicdClient {
  private readonly api: DefaultApiClient;

  constructor(options: DagCicdClientOptions) {
    this.api = new DefaultApiClient(options);
  }

  async listEnvironments(
    query: ListEnvironments['query'],
    options?: DagCicdRequestOptions,
  ): Promise<EnvironmentPage> {
    return parse(await this.api.listEnvironments({ query }, options));
  }

  /** Creates an environment, or returns the one the same request created. */
  async createEnvironment(
    body: CreateEnvironmentRequest,
    options?: DagCicdRequestOptions,
  ): Promise<Environment> {
    return parse(await this.api.createEnvironment({ body }, options));
  }

  async getEnvironment(
    id: string,
    options?: DagCicdRequestOptions,
  ): Promise<Environment> {
    return parse(await this.api.getEnvironment({ path: { id } }, options));
  }

  async updateEnvironment(
    id: string,
    body: UpdateEnvironmentRequest,
    options?: DagCicdRequestOptions,
  ): Promise<Environment> {
    return parse(
      await this.api.updateEnvironment({ path: { id }, body }, options),
    );
  }

  async teardownEnvironment(
    id: string,
    options?: DagCicdRequestOptions,
  ): Promise<Environment> {
    return parse(await this.api.teardownEnvironment({ path: { id } }, options));
  }

  async getEnvironmentHistory(
    id: string,
    options?: DagCicdRequestOptions,
  ): Promise<EnvironmentEvent[]> {
    const body = await parse(
      await this.api.getEnvironmentHistory({ path: { id } }, options),
    );
    return body.items;
  }

  async getEnvironmentConf(
    id: string,
    options?: DagCicdRequestOptions,
  ): Promise<EnvironmentConf> {
    return parse(await this.api.getEnvironmentConf({ path: { id } }, options));
  }

  async listRuns(
    environmentId: string,
    query: { refresh?: boolean } = {},
    options?: DagCicdRequestOptions,
  ): Promise<Run[]> {
    const body = await parse(
      await this.api.listRuns({ path: { id: environmentId }, query }, options),
    );
    return body.items;
  }

  async startRun(
    environmentId: string,
    options?: DagCicdRequestOptions,
  ): Promise<Run> {
    return parse(
      await this.api.startRun({ path: { id: environmentId } }, options),
    );
  }

  async getDagStatus(
    entityRef: string,
    options?: DagCicdRequestOptions,
  ): Promise<DagStatus> {
    return parse(
      await this.api.getDagStatus({ query: { entityRef } }, options),
    );
  }

  /**
   * The commit a branch of the DAG's repository points at now, as the SCM
   * integration of the entity's source location answers.
   */
  async resolveBranchHead(
    entityRef: string,
    ref: string,
    options?: DagCicdRequestOptions,
  ): Promise<BranchHead> {
    return parse(
      await this.api.resolveBranchHead({ query: { entityRef, ref } }, options),
    );
  }

  /**
   * The configured stages in the order a commit moves through them, the same
   * for every DAG: for a stage filter that needs no entity.
   */
  async listStages(options?: DagCicdRequestOptions): Promise<Stage[]> {
    const body = await parse(await this.api.listStages({}, options));
    return body.items;
  }

  async getPipeline(
    entityRef: string,
    options?: DagCicdRequestOptions,
  ): Promise<Pipeline> {
    return parse(await this.api.getPipeline({ query: { entityRef } }, options));
  }

  async listPromotions(
    query: ListPromotions['query'],
    options?: DagCicdRequestOptions,
  ): Promise<PromotionPage> {
    return parse(await this.api.listPromotions({ query }, options));
  }

  async requestPromotion(
    body: RequestPromotionRequest,
    options?: DagCicdRequestOptions,
  ): Promise<Promotion> {
    return parse(await this.api.requestPromotion({ body }, options));
  }

  async getPromotion(
    id: string,
    options?: DagCicdRequestOptions,
  ): Promise<Promotion> {
    return parse(await this.api.getPromotion({ path: { id } }, options));
  }

  async getPromotionHistory(
    id: string,
    options?: DagCicdRequestOptions,
  ): Promise<PromotionEvent[]> {
    const body = await parse(
      await this.api.getPromotionHistory({ path: { id } }, options),
    );
    return body.items;
  }

  async evaluatePromotion(
    id: string,
    options?: DagCicdRequestOptions,
  ): Promise<Promotion> {
    return parse(await this.api.evaluatePromotion({ path: { id } }, options));
  }

  async decidePromotion(
    id: string,
    body: PromotionDecisionRequest,
    options?: DagCicdRequestOptions,
  ): Promise<Promotion> {
    return parse(
      await this.api.decidePromotion({ path: { id }, body }, options),
    );
  }

  async executePromotion(
    id: string,
    options?: DagCicdRequestOptions,
  ): Promise<Promotion> {
    return parse(await this.api.executePromotion({ path: { id } }, options));
  }

  async cancelPromotion(
    id: string,
    body: { comment?: string } = {},
    options?: DagCicdRequestOptions,
  ): Promise<Promotion> {
    return parse(
      await this.api.cancelPromotion({ path: { id }, body }, options),
    );
  }
}

async function parse<T>(response: TypedResponse<T>): Promise<T> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response as Response);
  }
  return response.json();
}
