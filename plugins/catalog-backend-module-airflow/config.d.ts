import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  catalog?: {
    providers?: {
      /**
       * Airflow entity providers, one per key (e.g. `production`, `ci`):
       * each keeps the catalog's entities for the DAGs and assets of one
       * instance of `dagCicd.airflow.instances`. See docs/catalog.md.
       */
      airflow?: {
        [id: string]: {
          /** The `dagCicd.airflow.instances[].name` to read, e.g. `prod`. */
          instance: string;
          /**
           * When to refresh; every 30 minutes by default. Runs on one
           * replica at a time.
           */
          schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
          /** Which DAGs become entities; every DAG that is not stale by default. */
          filters?: {
            /** DAGs having any of these Airflow tags. */
            tags?: string[];
            /**
             * Airflow's `dag_id_pattern`: a SQL `LIKE` expression on
             * Airflow 3 (`orders_%`), a substring on Airflow 2.
             */
            dagIdPattern?: string;
            /** Paused DAGs too. Default true. */
            includePaused?: boolean;
            /** DAGs whose file is gone from the DAG folder or bundle. Default false. */
            includeStale?: boolean;
          };
          /**
           * Airflow owner → catalog owner. A DAG's owner is the first of its
           * Airflow owners listed here (compared trimmed, ignoring case).
           */
          owners?: Array<{
            /** An Airflow owner, as the DAG's `owner` says it, e.g. `data-eng`. */
            airflow: string;
            /** A user or group: `group:default/data-engineering`; a bare name is a group. */
            entity: string;
          }>;
          /**
           * The owner of a DAG none of whose Airflow owners is mapped.
           * Without it such a DAG is owned by `unknown`, and logged.
           */
          defaultOwner?: string;
          /**
           * The lifecycle of a DAG with no `lifecycle:<value>` tag.
           * Default `production`.
           */
          defaultLifecycle?: string;
          /**
           * Whether this provider's DAGs are the catalog's. A provider that is
           * not (e.g. a CI instance's) leaves out every DAG and asset an
           * authoritative provider emits. Default true.
           */
          authoritative?: boolean;
        };
      };
    };
  };
}
