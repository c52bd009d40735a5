// @ts-check

/**
 * What promotion gates read, on every evaluation of every promotion: a
 * commit's environments in a stage, then their newest runs (already indexed
 * by (environment_id, created_at)) and those runs' manifests (the primary
 * key (run_id, task_id)). The environments of one entity, stage and commit,
 * whatever their status — a torn-down `ci` environment's runs still count —
 * are one index range.
 *
 * `output-diff`'s baseline is production's newest successful run: by
 * (environment_id, state, created_at) that is the first entry of one range.
 * Without it the planner may well walk every successful run of every DAG
 * through (state, instance) and sort them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.index(
      ['entity_ref', 'stage', 'commit_sha'],
      'dag_cicd_environments_commit_idx',
    );
  });
  await knex.schema.alterTable('dag_cicd_runs', table => {
    table.index(
      ['environment_id', 'state', 'created_at'],
      'dag_cicd_runs_env_state_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.dropIndex([], 'dag_cicd_environments_commit_idx');
  });
  await knex.schema.alterTable('dag_cicd_runs', table => {
    table.dropIndex([], 'dag_cicd_runs_env_state_idx');
  });
};
