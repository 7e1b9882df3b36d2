import { Client } from 'pg';
import { hashApiKey } from '@mms/contracts';
import { DEV_SECRETS, DEV_SEED_API_KEYS, DEV_SEED_LEGACY_LOGIN, DEV_SEED_POSTBACK_SECRET } from './dev-defaults';

/**
 * Production mode (NODE_ENV=production): every process refuses to start with a development
 * default, a placeholder nobody replaced or a secret it cannot work without, naming what to
 * change. The rules live here, one place for the fleet; each app's config loader calls
 * productionChecks with its configuration and what it requires, and the gateway and the migrate
 * step also look for the dev seed's credentials in the database (devSeedCredentialsIn).
 */

/** The placeholder .env.production.example puts where a value of the deployment's own goes. */
const PLACEHOLDER = /change[-_ ]?me/i;
/** Variables that hold a secret, by their name (ADMIN_PASSWORD, MMSC_SIM_POSTBACK_SECRET...). */
const SECRET_VARIABLE = /(PASSWORD|SECRET)$/;
/** Variables that hold a URL, whose password part is a secret (DATABASE_URL, REDIS_URL...). */
const URL_VARIABLE = /_URL$/;

/** Hex: safe inside a URL (DATABASE_URL) as well as a variable. */
const MAKE_A_SECRET = '`openssl rand -hex 24`';

/** Something production needs: one of these variables set. */
export interface ProductionRequirement {
  readonly anyOf: readonly string[];
  /** What goes wrong without it (for the refusal's message). */
  readonly because: string;
}

/** What productionChecks reads: the process's validated configuration. */
export type ProductionCheckedConfig = Readonly<Record<string, unknown>> & { readonly NODE_ENV?: string };

export class ProductionConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `refusing to start in production mode (NODE_ENV=production); change:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ProductionConfigError';
  }
}

export function isProduction(config: { readonly NODE_ENV?: string }): boolean {
  return config.NODE_ENV === 'production';
}

function urlPassword(value: string): string | undefined {
  try {
    const password = new URL(value).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}

interface Found {
  readonly where: string;
  readonly value: string;
}

/** Every string the configuration holds, with where: variables, and the fields of JSON lists (MM7_CONNECTORS). */
function* stringsOf(config: ProductionCheckedConfig): Generator<Found & { readonly field?: string }> {
  for (const [name, value] of Object.entries(config)) {
    if (typeof value === 'string') yield { where: name, value };
    if (!Array.isArray(value)) continue;
    for (const [index, item] of value.entries()) {
      if (typeof item !== 'object' || item === null) continue;
      const itemName = (item as { name?: unknown }).name;
      const label = typeof itemName === 'string' ? `"${itemName}"` : `#${index + 1}`;
      for (const [field, inner] of Object.entries(item)) {
        if (typeof inner === 'string') yield { where: `${name} (${label} ${field})`, value: inner, field };
      }
    }
  }
}

/** Every secret among them: secret variables and fields, and the passwords inside URLs (DATABASE_URL, REDIS_URL...). */
function* secretsOf(config: ProductionCheckedConfig): Generator<Found> {
  for (const found of stringsOf(config)) {
    const [isSecret, isUrl] =
      found.field === undefined
        ? [SECRET_VARIABLE.test(found.where), URL_VARIABLE.test(found.where)]
        : [/password|secret/i.test(found.field), /url$/i.test(found.field)];
    if (isSecret) yield found;
    const password = isUrl ? urlPassword(found.value) : undefined;
    if (password !== undefined) yield { where: `${found.where} (its password)`, value: password };
  }
}

/** Every reason the configuration may not run in production (empty: it may), whatever NODE_ENV says. */
export function productionProblems(
  config: ProductionCheckedConfig,
  required: readonly ProductionRequirement[] = [],
): string[] {
  const problems: string[] = [];
  for (const { where, value } of stringsOf(config)) {
    if (PLACEHOLDER.test(value)) {
      problems.push(`${where}: still holds a placeholder of .env.production.example; put the real value in (for a secret: ${MAKE_A_SECRET})`);
    }
  }
  for (const { where, value } of secretsOf(config)) {
    const devSource = DEV_SECRETS.get(value);
    if (devSource !== undefined) problems.push(`${where}: is a development default (${devSource}); set a secret of your own (${MAKE_A_SECRET})`);
  }
  for (const requirement of required) {
    const set = requirement.anyOf.some((name) => config[name] !== undefined && config[name] !== '');
    if (!set) problems.push(`${requirement.anyOf.join(' or ')}: is required in production: ${requirement.because}`);
  }
  if (config.POSTBACK_ALLOW_PRIVATE_NETWORKS === true) {
    problems.push(
      'POSTBACK_ALLOW_PRIVATE_NETWORKS: must be false in production (a development switch of npm start): ' +
        "a partner's postback URL must not lead into our own network",
    );
  }
  return problems;
}

/**
 * In production mode, throws a ProductionConfigError naming every development default,
 * placeholder and missing requirement of this configuration; in any other mode, does nothing.
 */
export function productionChecks(config: ProductionCheckedConfig, required: readonly ProductionRequirement[] = []): void {
  if (!isProduction(config)) return;
  const problems = productionProblems(config, required);
  if (problems.length > 0) throw new ProductionConfigError(problems);
}

/**
 * The dev seed's credentials that still work in this database, one line each saying how to end
 * it (the admin CLI's command). API keys are found by their digest (hashApiKey, as stored).
 */
export async function devSeedCredentialsIn(databaseUrl: string): Promise<string[]> {
  const seedKeyByDigest = new Map(Object.values(DEV_SEED_API_KEYS).map((key) => [hashApiKey(key), key]));
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000, statement_timeout: 5000 });
  await client.connect();
  try {
    const keys = await client.query<{ key_hash: string; account: string }>(
      `SELECT k.key_hash, a.name AS account FROM api_keys k JOIN accounts a ON a.id = k.account_id
        WHERE k.key_hash = ANY($1::text[]) AND k.revoked_at IS NULL ORDER BY a.name`,
      [[...seedKeyByDigest.keys()]],
    );
    const legacy = await client.query<{ name: string }>(
      'SELECT name FROM accounts WHERE legacy_login_enabled AND legacy_user = $1 ORDER BY name',
      [DEV_SEED_LEGACY_LOGIN.user],
    );
    const signing = await client.query<{ name: string }>('SELECT name FROM accounts WHERE postback_secret = $1 ORDER BY name', [
      DEV_SEED_POSTBACK_SECRET,
    ]);
    return [
      ...keys.rows.map(({ key_hash, account }) => {
        const key = seedKeyByDigest.get(key_hash) ?? '';
        return `the dev seed's API key ${key} (account ${account}) is in the database: revoke it with the admin CLI: api-key:revoke ${account} ${key}`;
      }),
      ...legacy.rows.map(
        ({ name }) =>
          `the dev seed's legacy login (USER ${DEV_SEED_LEGACY_LOGIN.user}, account ${name}) is enabled: turn it off with the admin CLI: account:legacy-login ${name} --off`,
      ),
      ...signing.rows.map(
        ({ name }) =>
          `account ${name} signs postbacks with the dev seed's secret: rotate it with the admin CLI: account:postbacks ${name} --rotate-secret`,
      ),
    ];
  } finally {
    await client.end();
  }
}

/**
 * In production mode, refuses (ProductionConfigError) when the database still holds the dev
 * seed's credentials: a deployment that was seeded once would answer the README's demo key.
 */
export async function refuseDevSeedCredentials(config: { readonly NODE_ENV?: string; readonly DATABASE_URL: string }): Promise<void> {
  if (!isProduction(config)) return;
  const found = await devSeedCredentialsIn(config.DATABASE_URL);
  if (found.length > 0) throw new ProductionConfigError(found);
}
