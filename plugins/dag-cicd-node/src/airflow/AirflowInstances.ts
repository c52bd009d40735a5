import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { AirflowHttp, AirflowHttpOptions } from './AirflowHttp';
import { AirflowV1Client } from './AirflowV1Client';
import { AirflowV2Client } from './AirflowV2Client';
import { AirflowInstanceConfig, readAirflowInstanceConfigs } from './config';
import { credentialsFor } from './credentials';
import { AirflowClient } from './types';

/** Test seams of the HTTP core: backoff, sleep, randomness, clock. */
export type AirflowClientTuning = Pick<
  AirflowHttpOptions,
  'backoff' | 'sleep' | 'random'
> & { now?: () => number };

/** A client for one configured instance, of the class its API version needs. */
export function createAirflowClient(
  config: AirflowInstanceConfig,
  options: { logger?: LoggerService } & AirflowClientTuning = {},
): AirflowClient {
  const http = new AirflowHttp({
    instance: config.name,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    credentials: credentialsFor(config.auth, options.now),
    logger: options.logger,
    backoff: options.backoff,
    sleep: options.sleep,
    random: options.random,
  });
  const info = {
    name: config.name,
    apiVersion: config.apiVersion,
    baseUrl: config.baseUrl,
    uiUrl: config.uiUrl,
  };
  return config.apiVersion === 'v1'
    ? new AirflowV1Client(info, http)
    : new AirflowV2Client(info, http);
}

/** The Airflow instances of `dagCicd.airflow.instances`, by name. */
export class AirflowInstances {
  readonly #clients: Map<string, AirflowClient>;

  static fromConfig(
    config: Config,
    options: { logger?: LoggerService } & AirflowClientTuning = {},
  ): AirflowInstances {
    return new AirflowInstances(
      readAirflowInstanceConfigs(config).map(instance =>
        createAirflowClient(instance, {
          ...options,
          logger: options.logger?.child({ airflowInstance: instance.name }),
        }),
      ),
    );
  }

  constructor(clients: Iterable<AirflowClient>) {
    this.#clients = new Map(
      [...clients].map(client => [client.instance.name, client]),
    );
  }

  /** @throws InputError naming the configured instances if none is called so */
  get(name: string): AirflowClient {
    const client = this.#clients.get(name);
    if (!client) {
      const names = [...this.#clients.keys()];
      throw new InputError(
        names.length
          ? `Unknown Airflow instance "${name}"; the configured instances are ${names
              .map(n => `"${n}"`)
              .join(', ')}`
          : `Unknown Airflow instance "${name}"; no instance is configured under dagCicd.airflow.instances`,
      );
    }
    return client;
  }

  /** Every configured instance, in configuration order. */
  list(): AirflowClient[] {
    return [...this.#clients.values()];
  }
}
