import { Command } from 'commander';
import { CommandContext, createContext, Io } from '../context';

/**
 * Wraps a command's body: builds the context from the global options (so
 * that `--url` and the token are checked before anything else) and hands
 * it the command's own options and arguments.
 */
export type Action = <A extends string[]>(
  body: (ctx: CommandContext, options: any, ...args: A) => Promise<void>,
) => (...commanderArgs: any[]) => Promise<void>;

export function createAction(io: Io, seen: { url?: string }): Action {
  return body =>
    async (...commanderArgs: any[]) => {
      // commander passes the arguments, then the options, then the command.
      const command = commanderArgs.at(-1) as Command;
      const args = commanderArgs.slice(0, -2);
      const ctx = createContext(command.optsWithGlobals(), io);
      // Kept for error messages that name the URL (connection refused).
      seen.url = ctx.url;
      await body(ctx, command.opts(), ...(args as any));
    };
}
