// @ts-check

/**
 * `profile_options`: the options a create request gave its input profile
 * (tighter sample bounds, chaos fault rates), as JSON, so that the API shows
 * what an environment was made with; null when it gave none, as every
 * environment made before had. The limits and rates provisioning uses,
 * options applied, are in `plan`. Text rather than a JSON type, like the
 * other JSON columns: SQLite and PostgreSQL then hand back the same thing.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.text('profile_options').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('dag_cicd_environments', table => {
    table.dropColumn('profile_options');
  });
};
