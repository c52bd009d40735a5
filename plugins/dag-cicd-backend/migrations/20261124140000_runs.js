// @ts-check

/**
 * Runs: Airflow DAG runs started for an environment, with their state synced
 * from Airflow, and the output manifests their tasks wrote — what promotion
 * gates read.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dag_cicd_runs', table => {
    table.comment('Airflow DAG runs started for environments');
    table.uuid('id').primary().notNullable();
    table
      .uuid('environment_id')
      .notNullable()
      .references('id')
      .inTable('dag_cicd_environments')
      .onDelete('CASCADE');
    table.string('instance', 128).notNullable();
    table.string('dag_id', 250).notNullable();
    table.string('dag_run_id', 250).notNullable();
    table
      .string('state', 16)
      .notNullable()
      .comment('requested | queued | running | success | failed | error');
    table.string('bundle_version', 200).nullable();
    table.text('conf').notNullable().comment('JSON: the conf sent to Airflow');
    table.text('tasks').notNullable().defaultTo('[]').comment('JSON');
    table.text('error').nullable();
    table.string('started_by', 512).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('start_date', { useTz: true }).nullable();
    table.timestamp('end_date', { useTz: true }).nullable();
    table.unique(['instance', 'dag_id', 'dag_run_id'], {
      indexName: 'dag_cicd_runs_airflow_uniq',
    });
    table.index(['environment_id', 'created_at'], 'dag_cicd_runs_env_idx');
    // The sync task looks for runs that are not finished yet.
    table.index(['state', 'instance'], 'dag_cicd_runs_state_idx');
  });
  await knex.schema.createTable('dag_cicd_run_manifests', table => {
    table.comment('Output manifests written by the Airflow-side package');
    table
      .uuid('run_id')
      .notNullable()
      .references('id')
      .inTable('dag_cicd_runs')
      .onDelete('CASCADE');
    table.string('task_id', 250).notNullable();
    table.text('manifest').notNullable().comment('JSON');
    table.primary(['run_id', 'task_id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dag_cicd_run_manifests');
  await knex.schema.dropTable('dag_cicd_runs');
};
