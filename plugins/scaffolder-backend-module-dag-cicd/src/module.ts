import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createDagCicdEnvironmentAction } from './actions/createEnvironment';

/**
 * Adds the `dag-cicd:environment:create` action to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleDagCicd = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'dag-cicd',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        scaffolder.addActions(
          createDagCicdEnvironmentAction({ discovery, auth }),
        );
      },
    });
  },
});
