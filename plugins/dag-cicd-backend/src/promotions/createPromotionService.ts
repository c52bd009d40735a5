import {
  AuditorService,
  AuthService,
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { ScmIntegrationRegistry } from '@backstage/integration';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { DeployAction, PromotionGate } from '@dag-cicd/plugin-dag-cicd-node';
import { Knex } from 'knex';
import { EnvironmentStore } from '../database/EnvironmentStore';
import { EntityAccess } from '../service/entityAccess';
import { Stages } from '../service/stages';
import { DatabaseGateContext } from './DatabaseGateContext';
import { DatabasePromotionStore } from './DatabasePromotionStore';
import { builtInDeployActions, DeployAirflowClients } from './deployActions';
import { builtInGates } from './gates';
import { createGroupMembersReader } from './groupMembers';
import { PolicyResolver } from './policy';
import { PromotionService } from './PromotionService';
import { TypeRegistry } from './registry';
import { repositoryPolicyFile } from './repositoryPolicyFile';

/**
 * The promotion service as the plugin runs it: the built-in gates and deploy
 * actions plus those modules added through the promotions extension point,
 * policies from `dagCicd.promotions` (validated now, so a bad policy stops
 * the backend with a message naming its key) and the DAGs' repositories,
 * gates reading the plugin's database and the catalog, history to the
 * auditor and notifications when the backend has the notifications plugin.
 */
export function createPromotionService(options: {
  config: Config;
  knex: Knex;
  environments: EnvironmentStore;
  access: EntityAccess;
  auth: AuthService;
  catalog: CatalogService;
  stages: Stages;
  airflow: DeployAirflowClients;
  logger: LoggerService;
  auditor: AuditorService;
  urlReader: UrlReaderService;
  /** The app's SCM integrations, read once by the plugin. */
  integrations: ScmIntegrationRegistry;
  notifications?: NotificationService;
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
  const policyFilePath = config.getOptionalString(
    'dagCicd.promotions.policyFile',
  );
  const { integrations } = options;
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
    ...(policyFilePath && {
      policyFile: entity =>
        repositoryPolicyFile(entity, {
          path: policyFilePath,
          reader: options.urlReader,
          integrations,
        }),
    }),
    logger: options.logger,
    auditor: options.auditor,
    notifications: options.notifications,
    serviceStages: config.getOptionalStringArray(
      'dagCicd.promotions.serviceStages',
    ),
  });
}
