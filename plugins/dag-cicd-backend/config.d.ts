import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Configuration of the DAG CI/CD plugins. */
  dagCicd?: {
    /**
     * The ordered lanes a commit moves through. Defaults to
     * `ci → staging → production`. Environments are named `ci_<sha7>` in the
     * first stage and after their stage elsewhere.
     */
    stages?: Array<{
      /** Lower-case name, e.g. `ci`; at most 32 characters. */
      name: string;
      /**
       * Whether this stage is production: its data prefix is the DAG's
       * production prefix, never written by any other stage. Exactly one
       * stage, the last by default, is production.
       */
      production?: boolean;
      /**
       * Whether service principals (a CI pipeline's static or JWKS token) may
       * create and tear down environments in this stage. Defaults to true for
       * the first stage only.
       */
      allowServices?: boolean;
      /**
       * Airflow `conn_id` overrides for every DAG in this stage, e.g.
       * `spark_default: spark_ci`: the cluster the stage's runs use.
       */
      connections?: { [connId: string]: string };
    }>;

    /** The Airflow deployments the product talks to. */
    airflow?: {
      /**
       * Each Airflow instance, e.g. `prod` and `ci`. Its name is what the
       * `airflow.apache.org/instance` annotation of a DAG entity refers to.
       */
      instances?: Array<{
        /** 1-63 letters, digits, `.`, `_` or `-`, e.g. `prod`. */
        name: string;
        /** The API server, e.g. `https://airflow.example.com`. */
        baseUrl: string;
        /** `v2` for Airflow 3 (`/api/v2`, the default), `v1` for Airflow 2 (`/api/v1`). */
        apiVersion?: 'v2' | 'v1';
        /**
         * How the backend authenticates. `simple` and `fab` (Airflow 3) get
         * a JWT from `POST /auth/token` and fetch a new one when it expires
         * or is refused; `basic` is Airflow 2's basic auth backend; `token`
         * sends a static bearer token. Without `auth`, no credentials are sent.
         */
        auth?: {
          type: 'simple' | 'fab' | 'basic' | 'token';
          /** For `simple`, `fab` and `basic`. */
          username?: string;
          /**
           * For `simple`, `fab` and `basic`.
           * @visibility secret
           */
          password?: string;
          /**
           * For `token`.
           * @visibility secret
           */
          token?: string;
        };
        /** Where people open the Airflow UI, if not at `baseUrl`. */
        uiUrl?: string;
        /** How long one request may take, in milliseconds. Default 10000. */
        timeoutMs?: number;
        /**
         * How often a request is sent again after a 5xx answer or a
         * connection failure, with exponential backoff. Default 2.
         */
        retries?: number;
      }>;
    };

    /** Where environment data lives. */
    dataStore?: {
      /**
       * The store root: environment namespaces are
       * `<root><entity namespace>/<dag id>/<environment>/`. A URI prefix
       * ending in `/`, e.g. `s3://lake/dag-cicd/`. Defaults to the file
       * store's folder.
       */
      root?: string;
      /** The `file://` store, always available. */
      file?: {
        /**
         * The folder of the file store; relative paths are resolved against
         * the backend's working directory. Defaults to `.data/store`.
         */
        root?: string;
      };
      /**
       * The `s3://` store: an S3 bucket, or any S3-compatible server. Without
       * static keys, credentials come from the AWS SDK's default chain
       * (environment, web identity, instance or task role, `~/.aws`). Servers
       * that reject the SDK's default request checksums want
       * `AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED` in the environment.
       */
      s3?: {
        /** The store's root: `s3://<bucket>/` or `s3://<bucket>/<prefix>/`. */
        root: string;
        /** An S3-compatible endpoint, e.g. `http://minio:9000`; AWS if unset. */
        endpoint?: string;
        /**
         * The bucket's region. Defaults to the SDK's (`AWS_REGION`, ...), or
         * `us-east-1` when `endpoint` is set.
         */
        region?: string;
        /** Path-style URLs (`<endpoint>/<bucket>/<key>`), as most non-AWS servers need. */
        forcePathStyle?: boolean;
        /** Static access key id; set with `secretAccessKey`, or neither. */
        accessKeyId?: string;
        /**
         * Static secret access key.
         * @visibility secret
         */
        secretAccessKey?: string;
        /**
         * Session token of temporary static credentials.
         * @visibility secret
         */
        sessionToken?: string;
      };
    };

    /** Runs: Airflow DAG runs started for environments. */
    runs?: {
      /**
       * Start an environment's first run as soon as it is ready, as the one
       * who created it. Default false.
       */
      startOnReady?: boolean;
    };

    /** Defaults and limits of environments. */
    environments?: {
      /**
       * The input profile when a request names none: `empty` by default.
       * Production environments always use `production-readonly`.
       */
      defaultProfile?: string;
      /** TTL of environments in the first stage when a request names none. Default 3 days. */
      defaultTtl?: HumanDuration | string;
      /** The longest TTL a request may ask for. Default 30 days. */
      maxTtl?: HumanDuration | string;
      /** How often expired environments are torn down. Default 10 minutes. */
      teardownFrequency?: HumanDuration | string;
      /** Bounds of the `sample` and `chaos` profiles, per input. */
      sample?: {
        /** At most this many objects. Default 1000. */
        maxObjects?: number;
        /** At most this many bytes. Default 1 GiB. */
        maxBytes?: number;
        /**
         * Fraction of rows kept from CSV / JSON Lines objects, in (0, 1].
         * Default 1: whole objects, copied server-side where the store can.
         */
        rowFraction?: number;
      };
      /**
       * Fault rates of the `chaos` profile, each a probability in [0, 1]:
       * `nulls`, `malformed`, `duplicates`, `late`, `outOfOrder` per row;
       * `drift`, `truncated`, `empty` per file.
       */
      chaos?: { [fault: string]: number };
    };

    /**
     * Per-DAG settings, keyed by entity ref. They live in the platform's
     * configuration, not in the DAG's catalog-info.yaml, because they say
     * which production data environments may read. Locations are full URIs
     * or paths relative to `dagCicd.dataStore.root`.
     */
    dags?: Array<{
      /** The DAG entity, e.g. `component:default/orders-daily`. */
      entityRef: string;
      /** Where production reads and writes: never written by another stage. */
      productionPrefix: string;
      /** Input name → the production prefix it is read from. */
      inputs?: { [name: string]: string };
      /**
       * Artifact name → template rendered per environment, e.g.
       * `s3://artifacts/etl/{commit}/etl.jar`. Variables: `{commit}`,
       * `{sha7}`, `{environment}`, `{stage}`, `{dagId}`, `{entityNamespace}`,
       * `{entityName}`, `{namespace}`.
       */
      artifacts?: { [name: string]: string };
      /** Where the DAG's fixture sets live: `<fixtures><set>/<input>/…`. */
      fixtures?: string;
      /** Stage → `conn_id` overrides for this DAG. */
      connections?: { [stage: string]: { [connId: string]: string } };
    }>;

    /** Promotions of a commit from stage to stage, and their gates. */
    promotions?: {
      /**
       * The default gate policy per target stage. Without one, a stage needs
       * `runs-succeeded`, and production also `approvals`.
       */
      policies?: { [stage: string]: DagCicdPromotionPolicy };
      /**
       * Policies a DAG entity picks with the annotation
       * `dag-cicd.io/promotion-policy: <name>`, per target stage; stages a
       * named policy leaves out keep the default.
       */
      namedPolicies?: {
        [name: string]: { [stage: string]: DagCicdPromotionPolicy };
      };
      /**
       * Stages service principals (CI pipelines) may request promotions
       * into, and execute them. Never production. Default: every stage
       * between the first and production.
       */
      serviceStages?: string[];
      /**
       * The path of a DAG's own promotion policy file in its repository,
       * e.g. `promotion-policy.yaml` (beside the entity's source location)
       * or `/.dag-cicd/promotion-policy.yaml` (at the repository's root).
       * Read through the URL reader (SCM integrations, `backend.reading`)
       * from the branch the catalog reads, when a promotion is requested:
       * YAML or JSON mapping target stages to policies, as in `policies`.
       * It wins over the annotation and the defaults for the stages it
       * names. Unset (the default): no DAG defines its own policy.
       */
      policyFile?: string;
    };
  };
}

/** The gate policy of promotions into one stage. */
interface DagCicdPromotionPolicy {
  /**
   * The gates, each a registered type (`runs-succeeded`, `output-diff`,
   * `chaos-run`, `soak-time`, `freeze-window`, `approvals` or a module's)
   * with its options, checked at start-up.
   */
  gates?: Array<{
    gate: string;
    /** Unique within the policy; defaults to the type. */
    name?: string;
    options?: { [key: string]: any };
  }>;
  /**
   * What runs when a promotion executes: `none` (default), `trigger-dag`
   * (`dagId`, `instance`, `conf`), `set-variable` (`key`, `value`,
   * `instance`), `webhook` (`url`, `timeoutMs`, `headers`) or a module's.
   */
  deploy?: {
    action: string;
    /**
     * The action's options.
     * @deepVisibility secret
     */
    options?: { [key: string]: any };
  };
  /** Whether a promotion may skip stages into this one. Default false. */
  allowSkip?: boolean;
}
