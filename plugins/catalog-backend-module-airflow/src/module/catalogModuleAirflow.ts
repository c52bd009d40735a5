import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { AirflowEntityProvider } from '../providers/AirflowEntityProvider';

/**
 * Adds an {@link AirflowEntityProvider} to the catalog for each
 * `catalog.providers.airflow.<id>`; none configured adds none.
 *
 * @public
 */
export const catalogModuleAirflow = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'airflow',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, config, logger, scheduler }) {
        catalog.addEntityProvider(
          AirflowEntityProvider.fromConfig(config, { logger, scheduler }),
        );
      },
    });
  },
});
