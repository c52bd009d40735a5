import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DeployAction, PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import { Knex } from 'knex';
import { EnvironmentStore } from '../database/EnvironmentStore';
import { DagSettingsRegistry } from '../service/dagSettings';
import { EntityAccess } from '../service/entityAccess';
import { Stages } from '../service/stages';
import { DataStores } from '../stores/DataStores';
import { DatabaseGateContext } from './DatabaseGateContext';
import { DatabasePromotionStore } from './DatabasePromotionStore';
import { builtInDeployActions, DeployAirflowClients } from './deployActions';
import { builtInGates } from './gates';
import { createGroupMembersReader } from './groupMembers';
import { PolicyResolver } from './policy';
import { PromotionService } from './PromotionService';
import { TypeRegistry } from './registry';

/**
 * The promotion service as the plugin runs it: the built-in gates and deploy
 * actions plus those modules added through the promotions extension point,
 * policies from `dagCicd.promotions` (validated now, so a bad policy stops
 * the backend with a message naming its key), and gates reading the
 * plugin's database and the catalog.
 */
export function createPromotionService(options: {
  config: Config;
  knex: Knex;
  environments: EnvironmentStore;
  access: EntityAccess;
  auth: AuthService;
  catalog: CatalogService;
  stages: Stages;
  dags: DagSettingsRegistry;
  dataStores: DataStores;
  airflow: DeployAirflowClients;
  logger: LoggerService;
  moduleGates: PromotionGate[];
  moduleActions: DeployAction[];
}): PromotionService {
  const { config, stages, auth, catalog } = options;
  const gates = new TypeRegistry<PromotionGate>('gate', [
    ...builtInGates,
    ...options.moduleGates,
  ]);
  const actions = new TypeRegistry<DeployAction>('deploy action', [
    ...builtInDeployActions({ airflow: options.airflow }),
    ...options.moduleActions,
  ]);
  const groupMembers = createGroupMembersReader(catalog, auth);
  return new PromotionService({
    store: new DatabasePromotionStore(options.knex),
    environments: options.environments,
    access: options.access,
    auth,
    stages,
    policies: PolicyResolver.fromConfig(config, stages, { gates, actions }),
    gates,
    actions,
    gateContext: context =>
      new DatabaseGateContext({
        ...context,
        groupMembers,
        productionStage: stages.production.name,
      }),
    dags: options.dags,
    dataStores: options.dataStores,
    logger: options.logger,
    serviceStages: config.getOptionalStringArray(
      'dagCicd.promotions.serviceStages',
    ),
  });
}
