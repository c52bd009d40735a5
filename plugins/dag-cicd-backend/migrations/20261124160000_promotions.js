// @ts-check

/**
 * Promotions: a commit moving from one stage to the next through gates.
 *
 * - `dag_cicd_promotions`: one row per request, with the newest gate
 *   evaluation (`gates`, `gates_passed`) and the deploy result. `policy` is
 *   the gate policy resolved when the promotion was requested, so that every
 *   evaluation of one promotion applies the same rules.
 * - `dag_cicd_promotion_decisions`: approvals and rejections, one per actor
 *   and promotion (the unique key makes "approving twice" a database fact,
 *   not a check two replicas could both pass).
 * - `dag_cicd_promotion_events`: the history — requested, evaluated (with
 *   every gate's inputs and result), approved, rejected, executing,
 *   executed, failed, cancelled — with actor and time.
 * - `dag_cicd_stage_pointers`: which commit each stage of a DAG runs, since
 *   when, and through which promotion. An environment's commit is fixed when
 *   it is created (its artifacts, namespace and request fingerprint derive
 *   from it) and production's environment is never torn down, so "the stage
 *   now runs commit X" is a fact about the stage, not an edit of an
 *   environment: one row per (entity, stage), written in the same
 *   transaction that marks the promotion `executed`, so the pointer and the
 *   promotion can never disagree.
 *
 * Concurrency guards, as partial unique indexes (the technique of the
 * environments' live-name key; both SQLite and PostgreSQL support them):
 * - at most one promotion per (entity, target stage) is `executing`: of two
 *   replicas executing two promotions of a DAG into a stage at once, the
 *   database lets exactly one through;
 * - at most one open (or executing) promotion per (entity, commit, target
 *   stage), so two identical requests cannot both be opened.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('dag_cicd_promotions', table => {
    table.comment('Promotions of a commit of a DAG entity from stage to stage');
    table.uuid('id').primary().notNullable();
    table.string('entity_ref', 512).notNullable();
    table.string('commit_sha', 40).notNullable();
    table.string('commit_author', 512).nullable();
    table.string('from_stage', 32).notNullable();
    table.string('to_stage', 32).notNullable();
    table
      .string('status', 16)
      .notNullable()
      .comment('open | executing | executed | failed | rejected | cancelled');
    table.uuid('source_environment_id').notNullable();
    table.uuid('target_environment_id').nullable();
    table
      .text('policy')
      .notNullable()
      .comment('JSON: the resolved gate policy and where it came from');
    table.string('requested_by', 512).notNullable();
    table.timestamp('requested_at', { useTz: true }).notNullable();
    table.text('comment').nullable();
    table.string('executed_by', 512).nullable();
    table.timestamp('closed_at', { useTz: true }).nullable();
    table.text('deploy').nullable().comment('JSON: the deploy result');
    table
      .text('gates')
      .notNullable()
      .defaultTo('[]')
      .comment('JSON: the newest evaluation of every gate');
    table.boolean('gates_passed').notNullable().defaultTo(false);
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.index(
      ['entity_ref', 'requested_at'],
      'dag_cicd_promotions_entity_idx',
    );
    // The approvals queue: open promotions across entities.
    table.index(['status', 'requested_at'], 'dag_cicd_promotions_status_idx');
  });
  await knex.schema.alterTable('dag_cicd_promotions', table => {
    table.unique(['entity_ref', 'to_stage'], {
      indexName: 'dag_cicd_promotions_one_executing_uniq',
      predicate: knex.whereRaw("status = 'executing'"),
    });
    table.unique(['entity_ref', 'commit_sha', 'to_stage'], {
      indexName: 'dag_cicd_promotions_one_open_uniq',
      predicate: knex.whereRaw("status in ('open', 'executing')"),
    });
  });

  await knex.schema.createTable('dag_cicd_promotion_decisions', table => {
    table.comment('Approvals and rejections of promotions');
    table
      .uuid('promotion_id')
      .notNullable()
      .references('id')
      .inTable('dag_cicd_promotions')
      .onDelete('CASCADE');
    table.string('actor', 512).notNullable();
    table.string('decision', 16).notNullable().comment('approve | reject');
    table.text('comment').nullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.primary(['promotion_id', 'actor']);
  });

  await knex.schema.createTable('dag_cicd_promotion_events', table => {
    table.comment('History of every promotion');
    table.bigIncrements('id').primary();
    table
      .uuid('promotion_id')
      .notNullable()
      .references('id')
      .inTable('dag_cicd_promotions')
      .onDelete('CASCADE');
    table.string('type', 16).notNullable();
    table.string('actor', 512).notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.text('detail').nullable().comment('JSON');
    table.index(['promotion_id', 'id'], 'dag_cicd_promotion_events_idx');
  });

  await knex.schema.createTable('dag_cicd_stage_pointers', table => {
    table.comment('The commit each stage of a DAG entity runs');
    table.string('entity_ref', 512).notNullable();
    table.string('stage', 32).notNullable();
    table.string('commit_sha', 40).notNullable();
    table.uuid('promotion_id').notNullable();
    table.uuid('environment_id').nullable();
    table.string('promoted_by', 512).notNullable();
    table.timestamp('since', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'stage']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('dag_cicd_stage_pointers');
  await knex.schema.dropTable('dag_cicd_promotion_events');
  await knex.schema.dropTable('dag_cicd_promotion_decisions');
  await knex.schema.dropTable('dag_cicd_promotions');
};
