import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { dagCicdPermissions } from '@dag-cicd/plugin-dag-cicd-common';
import {
  AirflowInstances,
  DataStore,
  DeployAction,
  PromotionGate,
  dagCicdDataStoresExtensionPoint,
  dagCicdPromotionsExtensionPoint,
} from '@dag-cicd/plugin-dag-cicd-node';
import { randomUUID } from 'node:crypto';
import { RunService } from './runs/RunService';
import { RunStore } from './runs/RunStore';
import { DatabaseEnvironmentStore } from './database/DatabaseEnvironmentStore';
import { applyDatabaseMigrations } from './database/migrations';
import { EnvironmentRecord } from './database/EnvironmentStore';
import {
  dagCicdEnvironmentResourceRef,
  dagCicdEnvironmentRules,
} from './permissions';
import { seedInputs } from './profiles/seedInputs';
import { createPromotionService } from './promotions/createPromotionService';
import { DagSettingsRegistry } from './service/dagSettings';
import { EntityAccess } from './service/entityAccess';
import { EnvironmentService } from './service/EnvironmentService';
import { readEnvironmentSettings } from './service/environmentSettings';
import { Provisioner } from './service/Provisioner';
import { createRouter } from './service/router';
import { BranchHeadService } from './service/branchHead';
import { DagStatusService } from './service/DagStatusService';
import { Stages } from './service/stages';
import { isWithin } from './namespaces/DataNamespace';
import { readDataStoreConfig } from './stores/dataStoreConfig';
import { DataStores } from './stores/DataStores';
import { S3DataStore } from './stores/S3DataStore';

/**
 * The DAG CI/CD backend plugin: per-commit environments of Airflow DAGs, served
 * at `/api/dag-cicd`.
 *
 * @public
 */
export const dagCicdPlugin = createBackendPlugin({
  pluginId: 'dag-cicd',
  register(env) {
    const moduleStores: DataStore[] = [];
    env.registerExtensionPoint(dagCicdDataStoresExtensionPoint, {
      addDataStore(store) {
        moduleStores.push(store);
      },
    });
    const moduleGates: PromotionGate[] = [];
    const moduleActions: DeployAction[] = [];
    env.registerExtensionPoint(dagCicdPromotionsExtensionPoint, {
      addGate(...gates) {
        moduleGates.push(...gates);
      },
      addDeployAction(...actions) {
        moduleActions.push(...actions);
      },
    });

    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        urlReader: coreServices.urlReader,
        catalog: catalogServiceRef,
        notifications: notificationService,
      },
      async init({
        config,
        logger,
        database,
        scheduler,
        auth,
        httpAuth,
        httpRouter,
        permissions,
        permissionsRegistry,
        auditor,
        urlReader,
        catalog,
        notifications,
      }) {
        const stages = Stages.fromConfig(config);
        const settings = readEnvironmentSettings(config);
        const configured = readDataStoreConfig(config, {
          s3: S3DataStore.fromConfig,
        });
        const dataStores = new DataStores([
          ...configured.stores,
          ...moduleStores,
        ]);
        // Environments on the file store need its root folder, which a
        // fresh checkout (the embedded default) does not have yet.
        if (isWithin(configured.file.rootUri, configured.root)) {
          await configured.file.ensureRoot();
        }
        const db = await applyDatabaseMigrations(database);
        const store = new DatabaseEnvironmentStore(db);

        // Registered first: the rule set that EntityAccess evaluates
        // conditional decisions with comes from the registry.
        const resources: { load?: EntityAccess['getResources'] } = {};
        permissionsRegistry.addResourceType({
          resourceRef: dagCicdEnvironmentResourceRef,
          permissions: dagCicdPermissions,
          rules: Object.values(dagCicdEnvironmentRules),
          getResources: refs => resources.load!(refs),
        });
        const access = new EntityAccess(
          catalog,
          permissions,
          auth,
          stages,
          permissionsRegistry.getPermissionRuleset(
            dagCicdEnvironmentResourceRef,
          ),
        );
        resources.load = refs => access.getResources(refs);

        // `dagCicd.runs.startOnReady`: an environment's first run starts as
        // soon as it is ready, as the one who created it.
        const later: { runs?: RunService } = {};
        const startOnReady =
          config.getOptionalBoolean('dagCicd.runs.startOnReady') ?? false;
        const provisioner: Provisioner = new Provisioner({
          store,
          dataStores,
          seedInputs,
          logger,
          auditor,
          instanceId: randomUUID(),
          ...(startOnReady && {
            onReady: async (record: EnvironmentRecord): Promise<void> => {
              await later.runs?.trigger(record, record.createdBy);
            },
          }),
        });
        const dagSettings = DagSettingsRegistry.fromConfig(
          config,
          configured.root,
        );
        const environments: EnvironmentService = new EnvironmentService({
          store,
          access,
          stages,
          dags: dagSettings,
          dataStores,
          provisioner,
          settings,
          root: configured.root,
        });

        const airflow = AirflowInstances.fromConfig(config, { logger });
        // Read once: promotions (policy files) and branch heads share them.
        const integrations = ScmIntegrations.fromConfig(config);
        const promotions = createPromotionService({
          config,
          integrations,
          knex: db,
          environments: store,
          access,
          auth,
          catalog,
          stages,
          airflow,
          logger,
          auditor,
          urlReader,
          // Sends through the notifications backend; without one installed
          // a send fails and is logged, and promotions carry on.
          notifications,
          moduleGates,
          moduleActions,
        });
        const runs: RunService = new RunService({
          runs: new RunStore(db),
          environments,
          airflow,
          dataStores,
          logger,
        });
        later.runs = runs;

        // Scheduled work runs once across replicas (global scope): finishing
        // what a stopped replica left half done, and the TTL teardown.
        await scheduler.scheduleTask({
          id: 'dag-cicd-resume-environments',
          scope: 'global',
          frequency: { minutes: 1 },
          timeout: { minutes: 30 },
          initialDelay: { seconds: 5 },
          fn: async () => {
            const resumed = await provisioner.resumeAbandoned();
            if (resumed) logger.info(`Resumed ${resumed} environment(s)`);
          },
        });
        await scheduler.scheduleTask({
          id: 'dag-cicd-ttl-teardown',
          scope: 'global',
          frequency: settings.teardownFrequency,
          timeout: { minutes: 30 },
          initialDelay: { seconds: 30 },
          fn: async () => {
            const expired = await provisioner.expire();
            if (expired)
              logger.info(`Tore down ${expired} expired environment(s)`);
          },
        });

        await scheduler.scheduleTask({
          id: 'dag-cicd-sync-runs',
          scope: 'global',
          frequency: { seconds: 30 },
          timeout: { minutes: 5 },
          initialDelay: { seconds: 10 },
          fn: async () => {
            await runs.syncActive();
          },
        });
        await scheduler.scheduleTask({
          id: 'dag-cicd-promotions-stuck',
          scope: 'global',
          frequency: { minutes: 5 },
          timeout: { minutes: 5 },
          initialDelay: { minutes: 1 },
          fn: async () => {
            const failed = await promotions.failStuckExecutions();
            if (failed) logger.warn(`Closed ${failed} stuck promotion(s)`);
          },
        });

        httpRouter.use(
          await createRouter({
            httpAuth,
            auth,
            auditor,
            environments,
            runs,
            dags: new DagStatusService({ access, airflow }),
            branchHeads: new BranchHeadService({ access, integrations }),
            promotions,
          }),
        );
      },
    });
  },
});
