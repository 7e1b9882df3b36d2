import { z } from 'zod';
import { dbEnv } from '@mms/db';
import { connectorsVariable, mm7InboundConnectorSchema } from '@mms/mm7';
import { booleanVariable, commonEnv, loadConfig, portVariable, productionChecks } from '@mms/config';

/** A retention age in days: 0 keeps for ever, otherwise at least `min` (up to ten years). */
function retentionDays(min: number, fallback: number) {
  return z.coerce
    .number()
    .int()
    .refine((days) => days === 0 || (days >= min && days <= 3650), `must be 0 (kept) or ${min} to 3650`)
    .default(fallback);
}

export const gatewayEnvSchema = z.object({
  ...commonEnv,
  GATEWAY_PORT: portVariable.default(3000),
  GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  /** The ops port (/metrics, /health/ready with details, Bull Board): operators only, never the partners' port. 0 = any free port. */
  OPS_PORT: portVariable.default(3001),
  OPS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Largest request body accepted, in bytes; larger ones get E100 with HTTP 413. */
  REQUEST_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  /** How often undispatched outbox rows are swept into their queue. */
  OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
  /** Rows younger than this are left to the request that wrote them. */
  OUTBOX_SWEEP_MIN_AGE_MS: z.coerce.number().int().min(0).max(600_000).default(3000),
  /** How often messages stuck in ACCEPTED or RENDERED are checked against their queues. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /** How long a message may sit in ACCEPTED or RENDERED before it counts as stuck. */
  RECONCILE_AFTER_MS: z.coerce.number().int().min(1000).max(86_400_000).default(120_000),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Statement and connect timeouts of the pool (libs/db db-config.ts). */
  ...dbEnv,
  /**
   * Gateway processes `npm run gateway` runs (node:cluster, sharing the port). Each has its own
   * catalog cache and group commits; the primary serves the ops port for all of them (metrics added up).
   */
  GATEWAY_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  /** How often the catalog generation is polled: a configuration change reaches this gateway within it. */
  CATALOG_REFRESH_MS: z.coerce.number().int().min(50).max(1000).default(250),
  /** Cached keys per kind of lookup (API keys, templates, databases...); the oldest go first. */
  CATALOG_CACHE_ENTRIES: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
  /** Accepts committed in one statement at most (group commit). */
  ACCEPT_BATCH_MAX: z.coerce.number().int().min(1).max(5000).default(500),
  /** Group commits running at once; requests arriving meanwhile wait for the next one. */
  ACCEPT_COMMITS_IN_FLIGHT: z.coerce.number().int().min(1).max(32).default(2),
  /**
   * Internal sends (libs/send-client) this gateway works at once, off the internal-send queue; they
   * share the group commits of the XML requests.
   */
  INTERNAL_SEND_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  /** Bull Board (/admin/queues on the ops port) basic auth. Without a password the board is not mounted. */
  ADMIN_USERNAME: z.string().min(1).default('admin'),
  ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Bull Board shows the queues but refuses every action (retry, clean, pause, add, ...). */
  ADMIN_READ_ONLY: booleanVariable.default(false),
  TRUST_PROXY: booleanVariable.default(false),
  /** Basic auth MMSCs use on /mm7/delivery-reports; without a password every report is refused. */
  MM7_INBOUND_USERNAME: z.string().min(1).default('mmsc'),
  MM7_INBOUND_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  /**
   * The delivery service's MMSC connectors (JSON); the gateway reads each one's name and its
   * inboundUsername / inboundPassword: the reports of that connector's MMSC. MM7_INBOUND_* above
   * are the `default` connector's. A report is matched only to messages its connector sent.
   */
  MM7_CONNECTORS: connectorsVariable(mm7InboundConnectorSchema).optional(),

  // Bounds (docs/reliability.md). The partner port's HTTP server:
  /**
   * A slow sender's bound: its headers must arrive within this (checked every second), then its
   * body within this again, or it gets 408 and its connection is closed; so at most about twice
   * this plus a second in all.
   */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** An idle keep-alive connection is closed after this: longer than a load balancer's idle timeout (often 60 s). */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(65_000),
  /** A connection with no traffic at all for this long is closed (Fastify connectionTimeout). */
  HTTP_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(75_000),

  // Failed logins (docs/authentication.md): counted in Redis per window, shared by every gateway.
  /** The window failed logins are counted in, from the first failure. */
  LOGIN_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Failures from one client address (an IPv6 /64) before its logins are refused unchecked (E104); 0 = no limit. */
  LOGIN_FAILURES_PER_ADDRESS: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /**
   * Failures for one API key prefix (its first 6 characters) or legacy USER before addresses that
   * failed are refused unchecked for it; addresses without failures are still checked. 0 = no limit.
   */
  LOGIN_FAILURES_PER_KEY_PREFIX: z.coerce.number().int().min(0).max(1_000_000).default(10),

  // Retention (docs/operations.md, Retention): one gateway replica at a time deletes what is past these.
  /** How often the retention pass runs; 0 = never (nothing is deleted). Hourly: each pass is bounded, a backlog drains over a few. */
  RETENTION_INTERVAL_MS: z.coerce
    .number()
    .int()
    .refine((ms) => ms === 0 || (ms >= 60_000 && ms <= 86_400_000), 'must be 0 (off) or 60000 to 86400000')
    .default(3_600_000),
  /**
   * A message DELIVERED, EXPIRED, REJECTED or FAILED this long ago goes, with its events and postbacks.
   * 90 days: partners ask about last month's sends, not last year's. At least 30, so the credit report's
   * 30-day window still counts message rows. 0 = kept.
   */
  RETENTION_MESSAGES_DAYS: retentionDays(30, 90),
  /**
   * A message still SUBMITTED this long after its submit goes too: its delivery report is never coming
   * (MMSCs give up on a message within days; some never report). 0 = kept until a report ends it.
   */
  RETENTION_SUBMITTED_DAYS: retentionDays(30, 180),
  /** Status events of a finished message older than this go before the message does (no effect at or above RETENTION_MESSAGES_DAYS). 0 = with the message. */
  RETENTION_EVENTS_DAYS: retentionDays(1, 90),
  /** Delivery reports received and applied this long ago (their facts are in the message's events). 0 = kept. */
  RETENTION_DELIVERY_REPORTS_DAYS: retentionDays(1, 30),
  /** A stored image this old that no kept message and no template slide uses goes, with its render-cache rows. 0 = kept. */
  RETENTION_IMAGES_DAYS: retentionDays(1, 30),
  /** Completed and failed BullMQ jobs finished this long ago (a week: a weekend's failures are still there on Monday). 0 = count-bounded only. */
  RETENTION_JOBS_HOURS: z.coerce.number().int().min(0).max(8760).default(168),
})
  .superRefine((config, ctx) => {
    // A report's user names its connector: two connectors sharing a user could not be told apart.
    const users = new Map<string, string>();
    if (config.MM7_INBOUND_PASSWORD !== undefined) users.set(config.MM7_INBOUND_USERNAME, 'default');
    for (const connector of config.MM7_CONNECTORS ?? []) {
      if (connector.inboundUsername === undefined) continue;
      const holder = users.get(connector.inboundUsername);
      if (holder !== undefined && holder !== connector.name) {
        ctx.addIssue({ code: 'custom', path: ['MM7_CONNECTORS'], message: `connector ${connector.name}: inboundUsername is ${holder}'s already` });
      }
      users.set(connector.inboundUsername, connector.name);
    }
  });

export type GatewayConfig = z.output<typeof gatewayEnvSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const config = loadConfig(gatewayEnvSchema, env);
  productionChecks(config, [
    { anyOf: ['MM7_INBOUND_PASSWORD'], because: "carriers' delivery reports are refused without it" },
  ]);
  return config;
}

/**
 * The partner port's HTTP timeouts, as Fastify options: a request must arrive whole within
 * HTTP_REQUEST_TIMEOUT_MS (a slow sender cannot hold a connection), an idle keep-alive connection
 * is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS, any connection silent for HTTP_CONNECTION_TIMEOUT_MS.
 */
export function httpServerTimeoutsOf(config: GatewayConfig): { requestTimeout: number; keepAliveTimeout: number; connectionTimeout: number } {
  return {
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
  };
}
