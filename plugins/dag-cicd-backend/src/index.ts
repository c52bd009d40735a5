/**
 * The DAG CI/CD backend plugin for Backstage.
 *
 * @packageDocumentation
 */

export { dagCicdPlugin as default } from './plugin';
