// @ts-check

/**
 * Listing environments across entities (`GET /environments` without an
 * entity): the default page, newest first, is a walk down one index however
 * many environments there are; the stage filter and the expiry order have
 * theirs. A name search (`contains`) cannot use a B-tree and needs none.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.index(['created_at', 'id'], 'dag_cicd_environments_created_idx');
    table.index(['stage', 'created_at'], 'dag_cicd_environments_stage_idx');
    table.index(['expires_at'], 'dag_cicd_environments_expires_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.dropIndex([], 'dag_cicd_environments_created_idx');
    table.dropIndex([], 'dag_cicd_environments_stage_idx');
    table.dropIndex([], 'dag_cicd_environments_expires_idx');
  });
};
