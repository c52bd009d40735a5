import { ResponseError } from '@backstage/errors';
import {
  DefaultApiClient,
  EnvironmentPage,
  ListEnvironments,
  TypedResponse,
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
 * A client of the DAG CI/CD API. Unlike the generated client it returns
 * parsed bodies and throws a `ResponseError` carrying the server's message
 * for any non-2xx answer, so every caller reports errors the same way.
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
    options?: { token?: string },
  ): Promise<EnvironmentPage> {
    return parse(await this.api.listEnvironments({ query }, options));
  }
}

async function parse<T>(response: TypedResponse<T>): Promise<T> {
  if (!response.ok) {
    throw await ResponseError.fromResponse(response as Response);
  }
  return response.json();
}
