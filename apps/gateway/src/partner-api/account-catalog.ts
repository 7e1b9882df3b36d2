import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Symbology } from '@mms/contracts';
import { PG_POOL } from '@mms/db';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { MicroBatcher, PeriodicPass } from '@mms/queue';
import type { NumberValidation } from './receiver-number';

/** What the accept path needs of an account: everything but its credits, which stay in SQL. */
export interface AccountProfile {
  readonly id: number;
  readonly active: boolean;
  readonly apiActivated: boolean;
  readonly apiRights: boolean;
  readonly allowedActions: readonly string[];
  readonly legacyLoginEnabled: boolean;
  readonly legacyPassMd5: string | null;
  readonly minRequestIntervalMs: number;
  readonly requestLimit: number | null;
  readonly requestWindowSeconds: number;
  readonly numberValidation: NumberValidation;
}

export interface TemplateProfile {
  readonly id: number;
  readonly accountId: number;
  readonly status: 'READY' | 'ENCODING' | 'DISABLED';
  readonly defaultDatabaseId: number | null;
  readonly slides: ReadonlyArray<{ readonly position: number; readonly media: string | null; readonly mediaContentType: string | null }>;
}

export interface SenderCodeProfile {
  readonly code: string;
  readonly country: string;
  readonly isDefaultForCountry: boolean;
}

export interface DatabaseProfile {
  readonly id: number;
  readonly accountId: number;
  readonly symbology: Symbology;
}

export interface CampaignProfile {
  readonly id: number;
  readonly accountId: number;
  readonly requiresSubscription: boolean;
}

interface SubscriptionCheck {
  readonly campaignId: number;
  readonly phone: string;
}

const subscriptionKey = (check: SubscriptionCheck): string => `${check.campaignId}:${check.phone}`;

const ACCOUNT_COLUMNS = `a.id, a.status = 'ACTIVE' AS active, a.api_activated AS "apiActivated", a.api_rights AS "apiRights",
  a.allowed_actions AS "allowedActions", a.legacy_login_enabled AS "legacyLoginEnabled", a.legacy_pass_md5 AS "legacyPassMd5",
  a.min_request_interval_ms AS "minRequestIntervalMs", a.request_limit AS "requestLimit",
  a.request_window_seconds AS "requestWindowSeconds", a.number_validation::text AS "numberValidation"`;

/**
 * One kind of lookup, cached by key. The promise is what is kept, so a burst of requests for a
 * cold key makes one query; a failed load is forgotten so the next request tries again. Bounded:
 * past `limit` keys the oldest is dropped (wrong API keys must not grow it without end).
 */
class Lookup<K, V> {
  private readonly entries = new Map<K, Promise<V>>();

  constructor(
    private readonly limit: number,
    private readonly load: (key: K) => Promise<V>,
    private readonly epoch: () => number,
  ) {}

  get(key: K): Promise<V> {
    const cached = this.entries.get(key);
    if (cached !== undefined) return cached;
    const startedIn = this.epoch();
    const loading = this.load(key);
    this.entries.set(key, loading);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value as K);
    loading.then(
      // A load that straddled a change may have read the old rows: not kept past it.
      () => startedIn !== this.epoch() && this.entries.get(key) === loading && this.entries.delete(key),
      () => this.entries.get(key) === loading && this.entries.delete(key),
    );
    return loading;
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * The partner-facing configuration the accept path reads (API keys, accounts, templates and
 * slides, sender codes, barcode databases, campaigns, routes), cached in process. Every change
 * to those tables bumps `catalog_generation` (database triggers, whoever writes); each gateway
 * polls it every CATALOG_REFRESH_MS and drops the whole cache when it moved, so a change reaches
 * every replica within that interval plus one query. While the poll fails, nothing is served
 * from the cache: every lookup goes to PostgreSQL.
 */
@Injectable()
export class AccountCatalog implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AccountCatalog.name);
  private readonly poll: PeriodicPass;
  private generation: string | undefined;
  private epochCount = 0;
  private readonly lookups: Array<Lookup<never, unknown>> = [];

  private readonly byKeyHash: Lookup<string, AccountProfile | null>;
  private readonly byLegacyUser: Lookup<string, AccountProfile | null>;
  private readonly templates: Lookup<number, TemplateProfile | null>;
  private readonly senderCodes: Lookup<number, readonly SenderCodeProfile[]>;
  private readonly databases: Lookup<number, DatabaseProfile | null>;
  private readonly campaigns: Lookup<number, CampaignProfile | null>;
  private readonly routes: Lookup<'all', ReadonlySet<string>>;
  private readonly subscriptionChecks = new MicroBatcher<SubscriptionCheck, boolean>((checks) => this.loadSubscriptions(checks), {
    maxBatch: 500,
  });

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    const epoch = () => this.epochCount;
    const lookup = <K, V>(limit: number, load: (key: K) => Promise<V>): Lookup<K, V> => {
      const created = new Lookup(limit, load, epoch);
      this.lookups.push(created as unknown as Lookup<never, unknown>);
      return created;
    };
    const size = config.CATALOG_CACHE_ENTRIES;
    this.byKeyHash = lookup(size, (hash) =>
      this.one<AccountProfile>(
        `SELECT ${ACCOUNT_COLUMNS} FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
        [hash],
      ),
    );
    this.byLegacyUser = lookup(size, (user) => this.one<AccountProfile>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.legacy_user = $1`, [user]));
    this.templates = lookup(size, (id) => this.loadTemplate(id));
    this.senderCodes = lookup(size, async (accountId) => {
      const { rows } = await this.pool.query<SenderCodeProfile>(
        `SELECT code, country, is_default_for_country AS "isDefaultForCountry" FROM sender_codes WHERE account_id = $1 ORDER BY id`,
        [accountId],
      );
      return rows;
    });
    this.databases = lookup(size, (id) =>
      this.one<DatabaseProfile>(`SELECT id, account_id AS "accountId", symbology::text AS symbology FROM barcode_databases WHERE id = $1`, [id]),
    );
    this.campaigns = lookup(size, (id) =>
      this.one<CampaignProfile>(`SELECT id, account_id AS "accountId", requires_subscription AS "requiresSubscription" FROM campaigns WHERE id = $1`, [id]),
    );
    this.routes = lookup(1, async () => {
      const { rows } = await this.pool.query<{ country: string }>('SELECT DISTINCT country FROM carrier_routes WHERE enabled');
      return new Set(rows.map((row) => row.country));
    });
    this.poll = new PeriodicPass(config.CATALOG_REFRESH_MS, () => this.refresh());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.poll.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.poll.stop();
  }

  accountByApiKeyHash(hash: string): Promise<AccountProfile | null> {
    return this.byKeyHash.get(hash);
  }

  accountByLegacyUser(user: string): Promise<AccountProfile | null> {
    return this.byLegacyUser.get(user);
  }

  template(id: number): Promise<TemplateProfile | null> {
    return this.templates.get(id);
  }

  senderCodesOf(accountId: number): Promise<readonly SenderCodeProfile[]> {
    return this.senderCodes.get(accountId);
  }

  database(id: number): Promise<DatabaseProfile | null> {
    return this.databases.get(id);
  }

  campaign(id: number): Promise<CampaignProfile | null> {
    return this.campaigns.get(id);
  }

  async hasRoute(country: string): Promise<boolean> {
    return (await this.routes.get('all')).has(country);
  }

  /**
   * Subscriptions change per number and are many: read, never cached. The checks of the requests
   * arriving together share one query: during an on-sale every request of a campaign that needs
   * a subscription asks, and one query each was most of the gateway's statements.
   */
  isSubscribed(campaignId: number, phone: string): Promise<boolean> {
    return this.subscriptionChecks.call({ campaignId, phone });
  }

  private async loadSubscriptions(checks: readonly SubscriptionCheck[]): Promise<boolean[]> {
    const { rows } = await this.pool.query<SubscriptionCheck>(
      `SELECT s.campaign_id AS "campaignId", s.phone
         FROM subscriptions s
         JOIN unnest($1::int[], $2::text[]) AS asked(campaign_id, phone) ON s.campaign_id = asked.campaign_id AND s.phone = asked.phone
        WHERE s.unsubscribed_at IS NULL`,
      [checks.map((c) => c.campaignId), checks.map((c) => c.phone)],
    );
    const subscribed = new Set(rows.map(subscriptionKey));
    return checks.map((c) => subscribed.has(subscriptionKey(c)));
  }

  /** Polls the generation; drops the cache when it moved or cannot be read. Returns 1 when dropped. */
  async refresh(): Promise<number> {
    let generation: string;
    try {
      const { rows } = await this.pool.query<{ generation: string }>('SELECT generation::text AS generation FROM catalog_generation WHERE id = 1');
      generation = rows[0]?.generation ?? '0';
    } catch (error) {
      if (this.generation !== undefined) this.logger.warn(`catalog generation unreadable, cache off until it is: ${describe(error)}`);
      this.generation = undefined;
      this.drop();
      return 1;
    }
    if (generation === this.generation) return 0;
    this.generation = generation;
    this.drop();
    return 1;
  }

  private drop(): void {
    this.epochCount += 1;
    for (const lookup of this.lookups) lookup.clear();
  }

  private async loadTemplate(id: number): Promise<TemplateProfile | null> {
    const { rows } = await this.pool.query<Omit<TemplateProfile, 'slides'> & { slides: TemplateProfile['slides'] | null }>(
      `SELECT t.id, t.account_id AS "accountId", t.status::text AS status, t.default_database_id AS "defaultDatabaseId",
              (SELECT json_agg(json_build_object('position', s.position, 'media', s.media, 'mediaContentType', s.media_content_type) ORDER BY s.position)
                 FROM template_slides s WHERE s.template_id = t.id) AS slides
       FROM mms_templates t WHERE t.id = $1`,
      [id],
    );
    const row = rows[0];
    return row === undefined ? null : { ...row, slides: row.slides ?? [] };
  }

  private async one<R extends object>(sql: string, values: unknown[]): Promise<R | null> {
    const { rows } = await this.pool.query<R>(sql, values);
    return rows[0] ?? null;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
