/**
 * Test utilities for clients of the DAG CI/CD API (the `dag-cicd` CLI, the
 * scaffolder action): a real HTTP server standing in for the backend, so
 * that requests, headers and error bodies go through the client exactly as
 * they do in production, and fixtures typed by the API's own models.
 *
 * @packageDocumentation
 */

export { errorAnswer, startTestBackend } from './testBackend';
export type {
  RecordedRequest,
  TestAnswer,
  TestBackend,
  TestHandler,
} from './testBackend';
export { environmentFixture, runFixture } from './fixtures';
