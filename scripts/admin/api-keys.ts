import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import type { ApiKey } from '@mms/db';
import { API_KEY_PREFIX_LENGTH, hashApiKey } from '@mms/contracts';
import { type AdminContext, AdminError, act, withExamples } from './context';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** As long as the docs' example key (32 characters): about 190 random bits. */
const KEY_LENGTH = 32;

/** api-key:create, :list, :revoke. A key is printed once, at creation; only its SHA-256 is stored. */
export function registerApiKeyCommands(program: Command, ctx: AdminContext): void {
  withExamples(
    program
      .command('api-key:create')
      .summary('a new API key, printed once')
      .description('a new random API key for the account, printed this once: only its SHA-256 (as the gateway looks it up) and its first characters are stored')
      .argument('<account>', 'the account name')
      .option('--label <label>', 'what the key is for (default: "default")')
      .action(act(ctx, (account: string, options: { label?: string }) => createKey(ctx, account, options.label))),
    'api-key:create acme --label "box office"',
  );
  withExamples(
    program
      .command('api-key:list')
      .summary("an account's API keys by their first characters")
      .description("the account's API keys by id and first characters (never the key), in use and revoked")
      .argument('<account>', 'the account name')
      .action(act(ctx, (account: string) => listKeys(ctx, account))),
    'api-key:list acme',
  );
  withExamples(
    program
      .command('api-key:revoke')
      .summary('revokes an API key')
      .description('revokes a key: requests with it get E104 once the gateways refresh (CATALOG_REFRESH_MS)')
      .argument('<account>', 'the account name')
      .argument('<key>', `the key id api-key:list shows, the key's first 4 to ${API_KEY_PREFIX_LENGTH} characters, or the whole key`)
      .action(act(ctx, (account: string, which: string) => revokeKey(ctx, account, which))),
    'api-key:revoke acme 7',
    'api-key:revoke acme qTFkyk',
  );
}

function newKey(): string {
  return Array.from({ length: KEY_LENGTH }, () => KEY_ALPHABET[randomInt(KEY_ALPHABET.length)]).join('');
}

async function createKey(ctx: AdminContext, accountName: string, labelText: string | undefined): Promise<void> {
  const label = labelText?.trim() ?? 'default';
  if (label === '' || label.length > 100) throw new AdminError(`--label must be 1 to 100 characters, got: ${JSON.stringify(labelText)}`);
  const account = await ctx.account(accountName);
  const key = newKey();
  // The gateway's own digest (credentials.ts): the lookup by hash finds exactly this row.
  const created = await ctx.prisma.apiKey.create({
    // The first characters kept in clear tell keys apart; about 155 random bits stay unknown.
    data: { accountId: account.id, keyHash: hashApiKey(key), keyPrefix: key.slice(0, API_KEY_PREFIX_LENGTH), label },
  });
  ctx.print(`API key ${created.id} of ${account.name} (label ${JSON.stringify(label)}):`);
  ctx.print(`  ${key}`);
  ctx.print('shown this once: only its SHA-256 and its first characters are stored. Hand it to the partner now.');
  await ctx.noteCatalogChange();
}

function describeKey(key: ApiKey): string {
  const shown = key.keyPrefix === null ? `(first characters not kept; SHA-256 ${key.keyHash.slice(0, 8)}...)` : `${key.keyPrefix}...`;
  const state = key.revokedAt === null ? 'in use' : `revoked ${key.revokedAt.toISOString()}`;
  return `${String(key.id).padStart(4)}  ${shown}  ${JSON.stringify(key.label)}  created ${key.createdAt.toISOString()}  ${state}`;
}

async function listKeys(ctx: AdminContext, accountName: string): Promise<void> {
  const account = await ctx.account(accountName);
  const keys = await ctx.prisma.apiKey.findMany({ where: { accountId: account.id }, orderBy: { id: 'asc' } });
  if (keys.length === 0) ctx.print(`account ${account.name} has no API keys: api-key:create ${account.name}`);
  for (const key of keys) ctx.print(describeKey(key));
}

async function revokeKey(ctx: AdminContext, accountName: string, which: string): Promise<void> {
  const byId = /^[1-9][0-9]{0,9}$/.test(which) ? Number(which) : null;
  if (byId === null && !/^[A-Za-z0-9]{4,}$/.test(which)) {
    throw new AdminError(`<key> must be a key id, the key's first 4 to ${API_KEY_PREFIX_LENGTH} characters, or the whole key; got: ${JSON.stringify(which)}`);
  }
  const account = await ctx.account(accountName);
  const keys = await ctx.prisma.apiKey.findMany({ where: { accountId: account.id }, orderBy: { id: 'asc' } });
  // The whole key (a partner's leaked key) is matched by its digest, keys made before prefixes were kept included.
  const digest = hashApiKey(which);
  const matches = keys.filter(
    (k) => k.id === byId || k.keyHash === digest || (which.length <= API_KEY_PREFIX_LENGTH && k.keyPrefix?.startsWith(which) === true),
  );
  if (matches.length === 0) throw new AdminError(`no API key of ${account.name} matches ${byId === null ? 'those characters' : `id ${which}`} (api-key:list ${account.name})`);
  if (matches.length > 1) throw new AdminError(`${which} matches ${matches.length} keys of ${account.name} (ids ${matches.map((k) => k.id).join(', ')}): give the id`);
  const [key] = matches as [ApiKey];
  if (key.revokedAt !== null) throw new AdminError(`API key ${key.id} of ${account.name} was revoked already, ${key.revokedAt.toISOString()}`);
  const revoked = await ctx.prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
  ctx.print(`revoked: ${describeKey(revoked)}`);
  await ctx.noteCatalogChange();
}
