import { mockErrorHandler, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  AuditorService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseEnvironmentStore } from '../database/DatabaseEnvironmentStore';
import { EnvironmentRecord } from '../database/EnvironmentStore';
import { applyDatabaseMigrations } from '../database/migrations';
import { dagCicdEnvironmentRules } from '../permissions';
import { seedInputs } from '../profiles/seedInputs';
import { BranchHeadService } from '../service/branchHead';
import { DagSettingsRegistry } from '../service/dagSettings';
import { DagStatusService } from '../service/DagStatusService';
import { EntityAccess } from '../service/entityAccess';
import { EnvironmentService } from '../service/EnvironmentService';
import { PromotionService } from '../promotions/PromotionService';
import { readEnvironmentSettings } from '../service/environmentSettings';
import { InputSeeder, Provisioner } from '../service/Provisioner';
import { createRouter } from '../service/router';
import { AirflowClients, RunService } from '../runs/RunService';
import { RunStore } from '../runs/RunStore';
import { Stages } from '../service/stages';
import { DataStores } from '../stores/DataStores';
import { FileDataStore } from '../stores/FileDataStore';

export const ORDERS = 'component:default/orders';

export const ordersEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'orders',
    namespace: 'default',
    annotations: {
      'airflow.apache.org/dag-id': 'orders_daily',
      'airflow.apache.org/instance': 'local',
    },
  },
  spec: { type: 'airflow-dag', owner: 'group:default/data', lifecycle: 'x' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/data' }],
};

const websiteEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'website', namespace: 'default' },
  spec: { type: 'website', owner: 'group:default/web', lifecycle: 'x' },
};

/** A file in the test's store folder, by path relative to it. */
export function writeFile(root: string, file: string, content: string) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), content);
}

/** Every file under a folder, relative, sorted: to prove what did not change. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(root, full));
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort();
}

export interface EnvironmentAppOptions {
  knex: Knex;
  /** Decides every permission request; default: allow. */
  decide?: () => PolicyDecision;
  seeder?: InputSeeder;
  now?: () => Date;
  instanceId?: string;
  /** Extra configuration under `dagCicd`. */
  config?: Record<string, unknown>;
  /** The store folder; a fresh temporary one by default. */
  root?: string;
  /** Default: one that records nothing (tests pass `mockServices.auditor.mock()`). */
  auditor?: AuditorService;
  /** The Airflow instances runs go to; default: none configured. */
  airflow?: AirflowClients;
  /** `dagCicd.runs.startOnReady`. */
  startOnReady?: boolean;
  /** Catalog entities besides `orders` and a website. */
  entities?: Entity[];
  /** Builds the promotion service from the app's parts, to serve its routes. */
  promotions?: (parts: {
    knex: Knex;
    config: ConfigReader;
    store: DatabaseEnvironmentStore;
    access: EntityAccess;
    auth: ReturnType<typeof mockServices.auth>;
    stages: Stages;
    dags: DagSettingsRegistry;
    dataStores: DataStores;
    airflow: AirflowClients;
    logger: LoggerService;
  }) => PromotionService;
}

// Plain objects rather than jest mocks, so that benchmarks can use this too.
const silentLogger: LoggerService = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child: () => silentLogger,
};

const silentAuditor: AuditorService = {
  async createEvent() {
    return { async success() {}, async fail() {} };
  },
};

/**
 * The environments API as the plugin wires it — real service, real database,
 * real file store in a temporary folder with production data for `orders` —
 * with only the catalog, auth and permission services mocked.
 */
export async function createEnvironmentApp(options: EnvironmentAppOptions) {
  const root =
    options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dag-cicd-env-'));
  const file = new FileDataStore({ root });
  const storeRoot = `${file.rootUri}envs/`;
  const config = new ConfigReader({
    dagCicd: {
      stages: [
        { name: 'ci', connections: { spark_default: 'spark_ci' } },
        { name: 'staging' },
        { name: 'production' },
      ],
      dags: [
        {
          entityRef: ORDERS,
          productionPrefix: `${file.rootUri}lake/orders_daily/`,
          inputs: { orders: `${file.rootUri}lake/raw/orders/` },
          artifacts: { etl_py: 's3://artifacts/orders/{commit}/etl.py' },
          fixtures: `${file.rootUri}fixtures/orders_daily/`,
        },
      ],
      ...options.config,
    },
  });
  await applyDatabaseMigrations(
    mockServices.database({ knex: options.knex, migrations: { skip: false } }),
  );
  const store = new DatabaseEnvironmentStore(options.knex);
  const stages = Stages.fromConfig(config);
  const allow: PolicyDecision = { result: AuthorizeResult.ALLOW };
  const decide = options.decide ?? (() => allow);
  const permissions: PermissionsService = {
    authorize: async requests => requests.map(() => decide() as any),
    authorizeConditional: async requests => requests.map(() => decide()),
  };
  const auth = mockServices.auth();
  const auditor = options.auditor ?? silentAuditor;
  const access = new EntityAccess(
    catalogServiceMock({
      entities: [ordersEntity, websiteEntity, ...(options.entities ?? [])],
    }),
    permissions,
    auth,
    stages,
    {
      getRuleByName: (name: string) =>
        Object.values(dagCicdEnvironmentRules).find(r => r.name === name)!,
    } as any,
  );
  const dataStores = new DataStores([file]);
  // The run service needs the environment service, which needs this.
  const later: { runs?: RunService } = {};
  const provisioner = new Provisioner({
    store,
    dataStores,
    seedInputs: options.seeder ?? seedInputs,
    logger: silentLogger,
    auditor,
    instanceId: options.instanceId ?? 'replica-a',
    now: options.now,
    ...(options.startOnReady && {
      onReady: async (record: EnvironmentRecord) => {
        await later.runs?.trigger(record, record.createdBy);
      },
    }),
  });
  const environments = new EnvironmentService({
    store,
    access,
    stages,
    dags: DagSettingsRegistry.fromConfig(config, storeRoot),
    dataStores,
    provisioner,
    settings: readEnvironmentSettings(config),
    root: storeRoot,
    now: options.now,
  });
  const airflow: AirflowClients = options.airflow ?? {
    get: name => {
      throw new Error(`No Airflow instance ${name} in this test`);
    },
  };
  const runs = new RunService({
    runs: new RunStore(options.knex),
    environments,
    airflow,
    dataStores,
    logger: silentLogger,
    now: options.now,
  });
  later.runs = runs;
  const promotions = options.promotions?.({
    knex: options.knex,
    config,
    store,
    access,
    auth,
    stages,
    dags: DagSettingsRegistry.fromConfig(config, storeRoot),
    dataStores,
    airflow,
    logger: silentLogger,
  });
  const router = await createRouter({
    promotions,
    branchHeads: new BranchHeadService({
      access,
      integrations: ScmIntegrations.fromConfig(config),
    }),
    runs,
    dags: new DagStatusService({ access, airflow }),
    httpAuth: mockServices.httpAuth({ pluginId: 'dag-cicd' }),
    auth,
    auditor,
    environments,
    // Every response a test sees is checked against the OpenAPI spec.
    validatorOptions: { validatorOptions: { validateResponses: true } },
  });
  const app = express().use(router).use(mockErrorHandler());
  return {
    app,
    root,
    storeRoot,
    store,
    provisioner,
    environments,
    runs,
    auditor,
    permissions,
    promotions,
  };
}

/**
 * A seeder that never finishes, as in a backend stopped for good in the
 * middle of seeding, and `entered`, which resolves once it has been called:
 * the provisioner then holds the environment's lease, so a test can move
 * its clock past the lease without racing the claim.
 */
export function stalledSeeder(): {
  seeder: InputSeeder;
  entered: Promise<void>;
} {
  let enter!: () => void;
  const entered = new Promise<void>(resolve => {
    enter = resolve;
  });
  return {
    seeder: () => {
      enter();
      return new Promise(() => {});
    },
    entered,
  };
}
