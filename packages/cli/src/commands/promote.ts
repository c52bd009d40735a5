import { Command } from 'commander';
import { print, promotionLines } from '../output';
import { Action } from './action';

export function registerPromoteCommands(program: Command, action: Action) {
  const promote = program
    .command('promote')
    .description('Promotions of a commit from one stage to the next');

  promote
    .command('request')
    .description(
      'Request the promotion of a commit; its gates are evaluated and approvals collected on the server',
    )
    .requiredOption(
      '--entity <ref>',
      'the DAG entity, e.g. component:default/orders',
    )
    .requiredOption('--commit <sha>', 'the full 40-hex git SHA')
    .requiredOption('--to <stage>', 'the stage to promote into, e.g. staging')
    .option(
      '--from <stage>',
      'the stage it comes from (default: the one before --to)',
    )
    .option('--comment <text>', 'why, for the approvers')
    .option(
      '--commit-author <ref>',
      "the commit author's user entity ref, whose approval never counts",
    )
    .action(
      action(async (ctx, options) => {
        const promotion = await ctx.client.requestPromotion(
          {
            entityRef: options.entity,
            commit: options.commit,
            toStage: options.to,
            ...(options.from && { fromStage: options.from }),
            ...(options.comment && { comment: options.comment }),
            ...(options.commitAuthor && { commitAuthor: options.commitAuthor }),
          },
          ctx.auth,
        );
        print(ctx, promotion, promotionLines(promotion));
      }),
    );

  promote
    .command('status <id>')
    .description(
      'Show a promotion: its status and the newest result of every gate',
    )
    .action(
      action(async (ctx, _options, id: string) => {
        const promotion = await ctx.client.getPromotion(id, ctx.auth);
        print(ctx, promotion, promotionLines(promotion));
      }),
    );
}
