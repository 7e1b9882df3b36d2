import type { Command } from 'commander';
import type { Pool } from 'pg';
import { type Account, PrismaService, createPgPool } from '@mms/db';
import { type ImageStore, PgImageStore } from '@mms/image-store';

/** Where a run's output goes: the process's stdout and stderr, or a test's buffers. */
export interface AdminIo {
  out(text: string): void;
  err(text: string): void;
}

/** Bad input: printed as `admin: <message>`, exit code 2, and nothing was written. */
export class AdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminError';
  }
}

/** What every command shares: one pg pool (Prisma's driver and the image store on it), opened on first use, and the output. */
export class AdminContext {
  /** The run's exit code: 0 unless a command says otherwise (1: nothing found). */
  exitCode = 0;
  private pool: Pool | undefined;
  private client: PrismaService | undefined;

  constructor(
    readonly io: AdminIo,
    private readonly databaseUrl: string,
  ) {}

  get prisma(): PrismaService {
    this.client ??= new PrismaService(this.sharedPool(), { ownsPool: true });
    return this.client;
  }

  /** The store the services read template images from (delivery: slide.mediaKey). */
  get images(): ImageStore {
    return new PgImageStore(this.sharedPool());
  }

  print(line = ''): void {
    this.io.out(`${line}\n`);
  }

  async close(): Promise<void> {
    if (this.client !== undefined) await this.client.$disconnect();
    else await this.pool?.end();
  }

  /** The account by name, or a clear error. */
  async account(name: string): Promise<Account> {
    const account = await this.prisma.account.findUnique({ where: { name } });
    if (account === null) throw new AdminError(`no account named ${name}`);
    return account;
  }

  /**
   * Said after a change to what gateways cache (accounts, keys, sender codes, templates,
   * databases, campaigns): the tables' triggers bumped catalog_generation, and each gateway drops
   * its cache at its next poll.
   */
  async noteCatalogChange(): Promise<void> {
    const row = await this.prisma.catalogGeneration.findUnique({ where: { id: 1 } });
    this.print(`running gateways see this within CATALOG_REFRESH_MS (catalog generation ${row?.generation ?? 'unknown'})`);
  }

  private sharedPool(): Pool {
    this.pool ??= createPgPool(this.databaseUrl, 2);
    return this.pool;
  }
}

/** A command's action that returns its exit code (none: 0) into the context. */
export function act<A extends unknown[]>(ctx: AdminContext, run: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await run(...args);
    if (typeof code === 'number') ctx.exitCode = code;
  };
}

/** A command with its examples under the help text. */
export function withExamples(command: Command, ...examples: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  npm run admin -- ${e}`).join('\n')}`);
}
