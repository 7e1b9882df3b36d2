import { z } from 'zod';
import { dbEnv } from '@mms/db';
import { booleanVariable, commonEnv, loadConfig, portVariable, productionChecks, workerNicenessVariable } from '@mms/config';
import { connectorsVariable } from '@mms/mm7';
import { DEFAULT_CARRIER_LIMITS, HANDSET_CLASS_NAMES } from '../handset/handset-profiles';
import { mm7ConnectorSchema } from '../transport/mm7/mm7-connector';

export const deliveryEnvSchema = z.object({
  ...commonEnv,
  /**
   * Submit jobs held at once per process: most of a job is waiting for the MMSC, and the jobs held
   * together share their database round trips (batches).
   */
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(32),
  /** Delivery reports applied at once per process: each is a few short database statements. */
  DELIVERY_REPORT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Worker processes this command runs (node:cluster), each with DELIVERY_CONCURRENCY jobs; the connector rates hold across all. */
  DELIVERY_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  /** Scheduling priority below the gateway's on shared cores (nice value; 0 keeps the default). */
  WORKER_NICENESS: workerNicenessVariable,
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  /** Statement and connect timeouts of the pool (libs/db db-config.ts). */
  ...dbEnv,
  /** The worker's /metrics, /health/live and /health/ready (docs/observability.md); 0 takes any free port. */
  DELIVERY_OPS_PORT: portVariable.default(3003),
  DELIVERY_OPS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Where the outbox transport writes composed messages (used until an MMSC is configured). */
  OUTBOX_DIR: z.string().min(1).default('var/outbox'),
  /** The default MMSC connector. Without MM7_URL, composed messages go to the outbox folder. */
  MM7_URL: z.string().url().optional(),
  MM7_USERNAME: z.string().optional(),
  MM7_PASSWORD: z.string().optional(),
  MM7_VASP_ID: z.string().min(1).default('mmsgw'),
  MM7_VAS_ID: z.string().min(1).default('tickets'),
  MM7_VERSION: z.enum(['6.8.0', '5.3.0']).default('6.8.0'),
  MM7_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** The default connector's agreed rate, held in any one-second interval across every delivery process (Redis). */
  MM7_MAX_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(50),
  MM7_NUMBER_PREFIX: z.enum(['', '+']).default(''),
  /**
   * The default connector's carrier limit on a message, in bytes: it wins over any handset class.
   * Unset: the handset class alone decides. Also applies to the outbox folder (docs/handsets.md).
   */
  MM7_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).max(100_000_000).optional(),
  /** The default connector's handset class for a phone nobody named (also the outbox folder's). */
  MM7_UNKNOWN_HANDSET_CLASS: z.enum(HANDSET_CLASS_NAMES).default(DEFAULT_CARRIER_LIMITS.unknownHandsetClass),
  /**
   * More MMSC connectors, as a JSON array of { name, url, username, password, vaspId, vasId,
   * version, timeoutMs, maxPerSecond, numberPrefix, retryableCodes, maxMessageBytes,
   * unknownHandsetClass, inboundUsername, inboundPassword }; carrier_routes name them. The gateway
   * reads the same variable for the inbound credentials of each connector's delivery reports.
   */
  MM7_CONNECTORS: connectorsVariable(mm7ConnectorSchema).optional(),

  // Postbacks (docs/postbacks.md). The retry pair is the fleet's default; accounts may override it.
  /** Wait between attempts at a postback the partner did not acknowledge (API.md: 5 minutes). */
  POSTBACK_RETRY_DELAY_MS: z.coerce.number().int().min(100).max(86_400_000).default(300_000),
  /** Attempts in all, the first included (API.md: 5), before a postback is given up. */
  POSTBACK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  /** No complete answer within this is a failed attempt (API.md: 10 seconds). */
  POSTBACK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Answers are read up to this many bytes. */
  POSTBACK_RESPONSE_LIMIT_BYTES: z.coerce.number().int().min(256).max(1_048_576).default(16_384),
  /**
   * Allow postback URLs that resolve to loopback, private, link-local or metadata addresses.
   * Never in production: `npm start` (dev) and the tests set it, to reach receivers on this machine.
   */
  POSTBACK_ALLOW_PRIVATE_NETWORKS: booleanVariable.default(false),
  /** For accounts that bundle: how long a notice waits for others to go out in the same request. */
  POSTBACK_BUNDLE_WINDOW_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** Notices in one bundled request at most. */
  POSTBACK_BUNDLE_MAX: z.coerce.number().int().min(1).max(1000).default(100),
  /** Postbacks in flight at once per process (mostly waiting on partners' servers). */
  POSTBACK_CONCURRENCY: z.coerce.number().int().min(1).max(512).default(32),
  /**
   * How long a postback worker's hold on a job lasts without renewal; a worker that died is
   * noticed after about this long and its job runs again (BullMQ lock duration and stall check).
   */
  POSTBACK_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** How often this process looks for postbacks whose job went missing (and how old they must be). */
  POSTBACK_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
});

export type DeliveryConfig = z.output<typeof deliveryEnvSchema>;
export const DELIVERY_CONFIG = Symbol('DELIVERY_CONFIG');

export function loadDeliveryConfig(env: NodeJS.ProcessEnv = process.env): DeliveryConfig {
  const config = loadConfig(deliveryEnvSchema, env);
  productionChecks(config, [
    {
      anyOf: ['MM7_URL', 'MM7_CONNECTORS'],
      because: 'without an MMSC, composed messages only go to the outbox folder (a development stand-in)',
    },
  ]);
  return config;
}
