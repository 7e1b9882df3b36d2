import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { type Account, type Prisma } from '@mms/db';
import { hashLegacyPassword } from '../../apps/gateway/src/partner-api/credentials';
import { type AdminContext, AdminError, act, withExamples } from './context';
import { NUMBER_VALIDATIONS, describeChoices, integerFrom, onOffFrom, oneOf } from './input';

interface LimitOptions {
  minIntervalMs?: string;
  requestLimit?: string;
  windowSeconds?: string;
}

interface CreateOptions extends LimitOptions {
  numberValidation?: string;
}

const NUMBER_RULES: Readonly<Record<Account['numberValidation'], string>> = {
  STRICT: 'strict (TO must be valid in its numbering plan and able to be a mobile)',
  POSSIBLE_LENGTH: 'possible-length (TO needs only a possible length for its country calling code)',
};

/** account:create, :list, :show, :disable, :enable, :rate-limits, :number-validation, :api, :legacy-login. */
export function registerAccountCommands(program: Command, ctx: AdminContext): void {
  withExamples(
    withLimitOptions(
      program
        .command('account:create')
        .summary('a new account')
        .description('a new account: active, API on with sendMMSBarcode allowed, no credits (credits:add), no keys (api-key:create)')
        .argument('<name>', 'the account name: letters, digits, dot, dash, underscore (up to 64)')
        .option('--number-validation <mode>', `how TO is checked: ${describeChoices(Object.keys(NUMBER_VALIDATIONS))} (default strict)`),
    ).action(act(ctx, (name: string, options: CreateOptions) => createAccount(ctx, name, options))),
    'account:create acme',
    'account:create acme --number-validation possible-length --request-limit 100 --window-seconds 60',
  );
  withExamples(
    program
      .command('account:list')
      .summary('every account with its status and credits')
      .description('every account: status, credits, API keys in use')
      .action(act(ctx, () => listAccounts(ctx))),
    'account:list',
  );
  withExamples(
    program
      .command('account:show')
      .summary("an account's settings and everything it owns")
      .description("an account's settings and everything it owns (no secrets: account:postbacks shows the signing secret)")
      .argument('<name>', 'the account name')
      .action(act(ctx, (name: string) => showAccount(ctx, name))),
    'account:show acme',
  );
  for (const [verb, status, effect] of [
    ['disable', 'SUSPENDED', 'its requests now get E109'],
    ['enable', 'ACTIVE', 'it may send again'],
  ] as const) {
    withExamples(
      program
        .command(`account:${verb}`)
        .description(`${verb}s the account (${status}): ${effect}`)
        .argument('<name>', 'the account name')
        .action(act(ctx, (name: string) => setStatus(ctx, name, status, effect))),
      `account:${verb} acme`,
    );
  }
  withExamples(
    withLimitOptions(
      program
        .command('account:rate-limits')
        .summary('request limits (E106, E120)')
        .description("the account's request limits (E106, E120), shown, or changed by the options"),
    )
      .argument('<name>', 'the account name')
      .action(act(ctx, (name: string, options: LimitOptions) => rateLimits(ctx, name, options))),
    'account:rate-limits acme',
    'account:rate-limits acme --min-interval-ms 0 --request-limit 600 --window-seconds 60',
    'account:rate-limits acme --request-limit none',
  );
  withExamples(
    program
      .command('account:number-validation')
      .description('how strictly TO is checked (E110)')
      .argument('<name>', 'the account name')
      .argument('<mode>', `${describeChoices(Object.keys(NUMBER_VALIDATIONS))}`)
      .action(act(ctx, (name: string, mode: string) => numberValidation(ctx, name, mode))),
    'account:number-validation acme possible-length',
  );
  withExamples(
    program
      .command('account:api')
      .description('API access (E109, E105, E107), shown, or changed by the options')
      .argument('<name>', 'the account name')
      .option('--activated <on|off>', 'API activated (off: E109)')
      .option('--rights <on|off>', 'API rights (off: E105)')
      .option('--actions <list>', 'the API actions it may call, comma-separated (e.g. sendMMSBarcode), or none (E107)')
      .action(act(ctx, (name: string, options: ApiOptions) => apiAccess(ctx, name, options))),
    'account:api acme',
    'account:api acme --rights on --actions sendMMSBarcode',
  );
  withExamples(
    program
      .command('account:legacy-login')
      .summary('the legacy USER + PASS login')
      .description('the legacy USER + PASS login (PASS is md5 of the password): on with a user and password, or --off')
      .argument('<name>', 'the account name')
      .option('--user <user>', 'the USER partners send')
      .option('--password <password>', 'the password (PASS carries its md5; stored as a salted scrypt of that md5)')
      .option('--off', 'no legacy login')
      .action(act(ctx, (name: string, options: LegacyOptions) => legacyLogin(ctx, name, options))),
    'account:legacy-login acme --user acme --password s3cret-pass',
    'account:legacy-login acme --off',
  );
}

function withLimitOptions(command: Command): Command {
  return command
    .option('--min-interval-ms <n>', 'least time between two requests, 0..86400000 (0: none; else E106)')
    .option('--request-limit <n|none>', 'requests per window, 1..1000000, or none (over it: E120)')
    .option('--window-seconds <n>', 'the window of --request-limit, 1..86400');
}

type Limits = Partial<Pick<Account, 'minRequestIntervalMs' | 'requestLimit' | 'requestWindowSeconds'>>;

function limitChanges(o: LimitOptions): Limits {
  const changes: Limits = {};
  if (o.minIntervalMs !== undefined) changes.minRequestIntervalMs = integerFrom('--min-interval-ms', o.minIntervalMs, 0, 86_400_000);
  if (o.requestLimit !== undefined) {
    changes.requestLimit = o.requestLimit === 'none' ? null : integerFrom('--request-limit', o.requestLimit, 1, 1_000_000, 'none');
  }
  if (o.windowSeconds !== undefined) changes.requestWindowSeconds = integerFrom('--window-seconds', o.windowSeconds, 1, 86_400);
  return changes;
}

function accountNameFrom(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(text)) {
    throw new AdminError(`account name must be 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit; got: ${JSON.stringify(text)}`);
  }
  return text;
}

async function createAccount(ctx: AdminContext, nameText: string, options: CreateOptions): Promise<void> {
  const name = accountNameFrom(nameText);
  const limits = limitChanges(options);
  const mode = options.numberValidation === undefined ? 'STRICT' : oneOf('--number-validation', options.numberValidation, NUMBER_VALIDATIONS);
  if ((await ctx.prisma.account.findUnique({ where: { name } })) !== null) throw new AdminError(`an account named ${name} exists already`);
  const account = await ctx.prisma.account.create({ data: { name, numberValidation: mode, ...limits } });
  ctx.print(`account ${account.name} created (id ${account.id})`);
  printSettings(ctx, account);
  ctx.print(`next: api-key:create ${name}, sender-code:add ${name} <code> --country <CC>, credits:add ${name} <n>, database:create, template:create`);
  await ctx.noteCatalogChange();
}

async function listAccounts(ctx: AdminContext): Promise<void> {
  const accounts = await ctx.prisma.account.findMany({
    orderBy: { name: 'asc' },
    include: { _count: { select: { apiKeys: { where: { revokedAt: null } } } } },
  });
  if (accounts.length === 0) ctx.print('no accounts yet: account:create <name>');
  const width = Math.max(0, ...accounts.map((a) => a.name.length));
  for (const a of accounts) {
    ctx.print(`${a.name.padEnd(width)}  ${a.status.padEnd(9)}  ${String(a.credits).padStart(10)} credits  ${a._count.apiKeys} API keys`);
  }
}

function printSettings(ctx: AdminContext, account: Account): void {
  ctx.print(`  status          ${account.status}${account.status === 'SUSPENDED' ? ' (requests get E109)' : ''}`);
  ctx.print(`  API             ${apiSummary(account)}`);
  ctx.print(`  legacy login    ${account.legacyLoginEnabled ? `on, user ${account.legacyUser ?? '(none)'}` : 'off'}`);
  ctx.print(`  numbers         ${NUMBER_RULES[account.numberValidation]}`);
  ctx.print(`  rate limits     ${limitSummary(account)}`);
  ctx.print(`  credits         ${account.credits}`);
}

function apiSummary(account: Account): string {
  const actions = account.allowedActions.length === 0 ? 'no actions (E107)' : `actions ${account.allowedActions.join(', ')}`;
  return `${account.apiActivated ? 'activated' : 'not activated (E109)'}, ${account.apiRights ? 'rights on' : 'no rights (E105)'}, ${actions}`;
}

function limitSummary(account: Account): string {
  const interval = account.minRequestIntervalMs > 0 ? `at least ${account.minRequestIntervalMs} ms between requests` : 'no least interval';
  const window = account.requestLimit === null ? 'no request limit' : `${account.requestLimit} requests per ${account.requestWindowSeconds} s`;
  return `${interval}, ${window}`;
}

async function showAccount(ctx: AdminContext, name: string): Promise<void> {
  const found = await ctx.account(name);
  const account = await ctx.prisma.account.findUniqueOrThrow({
    where: { id: found.id },
    include: {
      apiKeys: { orderBy: { id: 'asc' } },
      senderCodes: { orderBy: [{ country: 'asc' }, { code: 'asc' }] },
      templates: { orderBy: { id: 'asc' }, include: { _count: { select: { slides: true } } } },
      databases: { orderBy: { id: 'asc' } },
      campaigns: { orderBy: { id: 'asc' }, include: { _count: { select: { subscriptions: { where: { unsubscribedAt: null } } } } } },
    },
  });
  ctx.print(`account ${account.name} (id ${account.id}), created ${account.createdAt.toISOString()}`);
  printSettings(ctx, account);
  ctx.print(`  postbacks       ${account.postbackUrl ?? 'none'} (account:postbacks for the rest and the secret)`);
  const active = account.apiKeys.filter((k) => k.revokedAt === null);
  ctx.print(`  API keys        ${active.length} in use, ${account.apiKeys.length - active.length} revoked (api-key:list)`);
  section(ctx, 'sender codes', account.senderCodes.map((c) => `${c.code}  ${c.country}  ${c.kind.toLowerCase()}${c.isDefaultForCountry ? `  default for ${c.country}` : ''}`));
  section(
    ctx,
    'templates',
    account.templates.map((t) => `${t.id}  ${t.status}  ${JSON.stringify(t.name)}  ${t._count.slides} slides${t.defaultDatabaseId === null ? '' : `  default database ${t.defaultDatabaseId}`}`),
  );
  section(ctx, 'databases', account.databases.map((d) => `${d.id}  ${d.symbology}  ${JSON.stringify(d.name)}  settings version ${d.settingsVersion}`));
  section(
    ctx,
    'campaigns',
    account.campaigns.map((c) => `${c.id}  ${JSON.stringify(c.name)}  ${c.requiresSubscription ? `${c._count.subscriptions} subscribed` : 'no subscription required'}`),
  );
}

function section(ctx: AdminContext, title: string, lines: readonly string[]): void {
  if (lines.length === 0) {
    ctx.print(`  ${title.padEnd(15)} none`);
    return;
  }
  ctx.print(`  ${title}:`);
  for (const line of lines) ctx.print(`    ${line}`);
}

/** One change to one account, then its settings as they now are. */
async function updateAccount(ctx: AdminContext, name: string, data: Prisma.AccountUpdateInput, said: string): Promise<void> {
  const found = await ctx.account(name);
  const changing = Object.keys(data).length > 0;
  const account = changing ? await ctx.prisma.account.update({ where: { id: found.id }, data }) : found;
  ctx.print(`account ${account.name}${changing ? `: ${said}` : ''}`);
  printSettings(ctx, account);
  if (changing) await ctx.noteCatalogChange();
}

async function setStatus(ctx: AdminContext, name: string, status: Account['status'], effect: string): Promise<void> {
  const account = await ctx.account(name);
  if (account.status === status) {
    ctx.print(`account ${name} is ${status} already`);
    return;
  }
  await updateAccount(ctx, name, { status }, `now ${status}: ${effect}`);
}

function rateLimits(ctx: AdminContext, name: string, options: LimitOptions): Promise<void> {
  return updateAccount(ctx, name, limitChanges(options), 'rate limits changed');
}

function numberValidation(ctx: AdminContext, name: string, modeText: string): Promise<void> {
  const mode = oneOf('mode', modeText, NUMBER_VALIDATIONS);
  return updateAccount(ctx, name, { numberValidation: mode }, 'number validation changed');
}

interface ApiOptions {
  activated?: string;
  rights?: string;
  actions?: string;
}

/** API actions by their lower-case name, as the gateway compares them (sendMMSBarcode: sendmmsbarcode). */
function actionsFrom(text: string): string[] {
  if (text.trim() === 'none') return [];
  const actions = text.split(',').map((a) => a.trim().toLowerCase());
  const bad = actions.find((a) => !/^[a-z][a-z0-9]{0,63}$/.test(a));
  if (bad !== undefined) throw new AdminError(`--actions must be API action names separated by commas, or none; got: ${JSON.stringify(bad)} in ${JSON.stringify(text)}`);
  return [...new Set(actions)];
}

function apiAccess(ctx: AdminContext, name: string, o: ApiOptions): Promise<void> {
  const data: Prisma.AccountUpdateInput = {};
  if (o.activated !== undefined) data.apiActivated = onOffFrom('--activated', o.activated);
  if (o.rights !== undefined) data.apiRights = onOffFrom('--rights', o.rights);
  if (o.actions !== undefined) data.allowedActions = actionsFrom(o.actions);
  return updateAccount(ctx, name, data, 'API access changed');
}

interface LegacyOptions {
  user?: string;
  password?: string;
  off?: boolean;
}

async function legacyLogin(ctx: AdminContext, name: string, o: LegacyOptions): Promise<void> {
  if (o.off === true) {
    if (o.user !== undefined || o.password !== undefined) throw new AdminError('--off takes no --user or --password');
    return updateAccount(ctx, name, { legacyLoginEnabled: false, legacyUser: null, legacyPassMd5: null }, 'legacy login off');
  }
  if (o.user === undefined || o.password === undefined) throw new AdminError('account:legacy-login needs --user and --password, or --off');
  if (!/^[A-Za-z0-9._@-]{1,64}$/.test(o.user)) throw new AdminError(`--user must be 1 to 64 letters, digits or . _ @ -, got: ${JSON.stringify(o.user)}`);
  if (o.password.length < 8) throw new AdminError('--password must have at least 8 characters');
  const holder = await ctx.prisma.account.findUnique({ where: { legacyUser: o.user } });
  if (holder !== null && holder.name !== name) throw new AdminError(`user ${o.user} belongs to account ${holder.name} already`);
  // PASS carries md5(password); what is stored is the gateway's slow salted hash of that md5.
  const legacyPassMd5 = await hashLegacyPassword(createHash('md5').update(o.password, 'utf8').digest('hex'));
  return updateAccount(ctx, name, { legacyLoginEnabled: true, legacyUser: o.user, legacyPassMd5 }, `legacy login on for user ${o.user}`);
}
