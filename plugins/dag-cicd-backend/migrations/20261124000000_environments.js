// @ts-check

/**
 * Environments: one DAG at one commit in one stage.
 *
 * The unique key (entity_ref, stage, name) is what makes creation idempotent
 * across concurrent requests and backend replicas: the database, not the
 * application, decides which of two racing inserts wins.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dag_cicd_environments', table => {
    table.comment('Per-commit environments of Airflow DAG entities');
    table.uuid('id').primary().notNullable();
    table.string('entity_ref', 512).notNullable();
    table.string('stage', 32).notNullable();
    table.string('name', 63).notNullable();
    table.string('commit_sha', 40).notNullable();
    table.text('data_namespace').notNullable();
    table.text('inputs').notNullable().comment('JSON: name -> {uri, mode}');
    table.text('artifacts').notNullable().comment('JSON: name -> uri');
    table.text('connections').notNullable().comment('JSON: conn_id -> conn_id');
    table.string('profile', 200).notNullable();
    table.string('status', 16).notNullable();
    table.text('error').nullable();
    table.string('created_by', 512).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).nullable();
    table.unique(['entity_ref', 'stage', 'name'], {
      indexName: 'dag_cicd_environments_entity_stage_name_uniq',
    });
    // Listing an entity's environments, newest first, is the hot read.
    table.index(
      ['entity_ref', 'created_at'],
      'dag_cicd_environments_entity_created_idx',
    );
    // TTL teardown looks for expired environments by status.
    table.index(
      ['status', 'expires_at'],
      'dag_cicd_environments_status_expires_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dag_cicd_environments');
};
