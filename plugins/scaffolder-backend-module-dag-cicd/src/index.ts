/**
 * A scaffolder backend module with the action `dag-cicd:environment:create`,
 * so that DAG CI/CD environments can be created from the Create page.
 *
 * @packageDocumentation
 */
export { scaffolderModuleDagCicd as default } from './module';
export { createDagCicdEnvironmentAction } from './actions/createEnvironment';
