// @ts-check

/**
 * The persisted state machine of environments.
 *
 * - `dag_cicd_environment_events`: every transition and step, with its actor
 *   and time — the environment's history, which anyone can audit.
 * - `request_hash`: what was asked for, so that the same create request twice
 *   is recognised as the same environment and a different one is a conflict.
 * - `steps_done`, `lease_owner`, `lease_until`: which idempotent steps have
 *   completed, and which backend replica is working on the environment until
 *   when. A replica that dies mid-way lets its lease expire; another resumes.
 * - `plan`: everything provisioning and teardown need (production prefix,
 *   input sources, limits), fixed at creation so that a resumed environment is
 *   finished exactly as it was started, whatever the configuration says now.
 * - `seed`: the seed of the environment's sampling and fault injection, so a
 *   resumed or repeated provisioning produces the same bytes.
 * - The unique key on (entity_ref, stage, name) becomes partial: it ignores
 *   deleted environments, so a torn-down name can be used again while its
 *   history stays.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.string('request_hash', 64).notNullable().defaultTo('');
    table.text('steps_done').notNullable().defaultTo('[]');
    table.string('lease_owner', 64).nullable();
    table.timestamp('lease_until', { useTz: true }).nullable();
    table.bigInteger('seed').notNullable().defaultTo(0);
    table.text('plan').notNullable().defaultTo('{}');
    table.dropUnique(
      ['entity_ref', 'stage', 'name'],
      'dag_cicd_environments_entity_stage_name_uniq',
    );
  });
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.unique(['entity_ref', 'stage', 'name'], {
      indexName: 'dag_cicd_environments_live_name_uniq',
      predicate: knex.whereRaw("status <> 'deleted'"),
    });
    // Resuming interrupted work looks for busy environments whose lease ran out.
    table.index(['status', 'lease_until'], 'dag_cicd_environments_lease_idx');
  });

  await knex.schema.createTable('dag_cicd_environment_events', table => {
    table.comment('History of every environment: transitions and steps');
    table.bigIncrements('id').primary();
    table
      .uuid('environment_id')
      .notNullable()
      .references('id')
      .inTable('dag_cicd_environments')
      .onDelete('CASCADE');
    table.string('type', 32).notNullable().comment('transition | step');
    table.string('from_status', 16).nullable();
    table.string('to_status', 16).nullable();
    table.string('step', 32).nullable();
    table.string('actor', 512).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('detail').nullable().comment('JSON');
    table.index(
      ['environment_id', 'id'],
      'dag_cicd_environment_events_env_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dag_cicd_environment_events');
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.dropIndex([], 'dag_cicd_environments_lease_idx');
    table.dropUnique([], 'dag_cicd_environments_live_name_uniq');
  });
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.dropColumns(
      'request_hash',
      'steps_done',
      'lease_owner',
      'lease_until',
      'seed',
      'plan',
    );
    table.unique(['entity_ref', 'stage', 'name'], {
      indexName: 'dag_cicd_environments_entity_stage_name_uniq',
    });
  });
};
