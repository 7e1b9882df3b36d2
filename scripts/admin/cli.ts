import { Command, CommanderError } from 'commander';
import { registerAccountCommands } from './accounts';
import { registerApiKeyCommands } from './api-keys';
import { registerCampaignCommands } from './campaigns';
import { AdminContext, AdminError, type AdminIo } from './context';
import { registerCreditCommands } from './credits';
import { registerDatabaseCommands } from './databases';
import { registerMessageCommands } from './messages';
import { registerPostbackCommands } from './postbacks';
import { registerSenderCodeCommands } from './sender-codes';
import { registerTemplateCommands } from './templates';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/mmsgw';

const OVERVIEW = [
  `The operators' commands, against DATABASE_URL (default ${DEFAULT_DATABASE_URL}).`,
  'A new partner, from nothing: account:create, api-key:create, sender-code:add, credits:add, database:create, template:create, campaign:create and campaign:subscribe, account:postbacks.',
  'Running gateways see changes to accounts, keys, sender codes, templates, databases and campaigns within CATALOG_REFRESH_MS.',
  'Exit codes: 0 done; 1 nothing found, or an unexpected failure; 2 bad input (nothing was written).',
].join('\n\n');

/** The CLI's commands, their output going to the context. */
function adminProgram(ctx: AdminContext): Command {
  const program = new Command('npm run admin --')
    .description(OVERVIEW)
    // Before any command is added: the subcommands inherit these.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.out(text),
      writeErr: (text) => ctx.io.err(text),
      outputError: (text, write) => write(`admin: ${text.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(add --help for usage)');
  registerAccountCommands(program, ctx);
  registerApiKeyCommands(program, ctx);
  registerSenderCodeCommands(program, ctx);
  registerCreditCommands(program, ctx);
  registerPostbackCommands(program, ctx);
  registerDatabaseCommands(program, ctx);
  registerTemplateCommands(program, ctx);
  registerCampaignCommands(program, ctx);
  registerMessageCommands(program, ctx);
  return program;
}

/** One run of `npm run admin -- <argv>`: its exit code (see OVERVIEW). The database is opened only by a command that needs it. */
export async function runAdmin(argv: readonly string[], io: AdminIo, databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL): Promise<number> {
  const ctx = new AdminContext(io, databaseUrl);
  const program = adminProgram(ctx);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    // Commander has printed its own message (or the help, exit code 0).
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof AdminError) {
      io.err(`admin: ${error.message}\n`);
      return 2;
    }
    io.err(`admin: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await ctx.close();
  }
}

export const processIo: AdminIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};
