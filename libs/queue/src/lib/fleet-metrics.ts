import { Queue } from 'bullmq';
import { Counter, Gauge, Registry } from 'prom-client';
import { QueueName } from '@mms/contracts';
import { PostbackOutcome, SqlClient } from '@mms/db';
import { redisOptionsFrom } from './connection';
import type { FleetCounter } from './fleet-counters';
import { withTimeout } from './queue-health';

/** Every metric of ours starts with this (docs/observability.md); Node's process_* and nodejs_* keep their usual names. */
export const METRIC_PREFIX = 'mmsgw_';

/** The statuses a message ends in: mmsgw_messages_final_total counts them (fleet counter `final-statuses`). */
export const FINAL_STATUSES = ['DELIVERED', 'EXPIRED', 'REJECTED', 'FAILED'] as const;

/** The job states mmsgw_queue_jobs reports per queue. */
export const QUEUE_JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

/**
 * Every gateway process reads the same fleet-wide values: a cluster primary adding up its
 * processes' registries (ops-server.ts) takes the largest, not the sum.
 */
const FLEET_AGGREGATOR = 'max';

/** Outbox rows counted at most per scrape: past this the gauge reads the cap (the point is made, the scrape stays cheap). */
export const OUTBOX_COUNT_CAP = 100_000;

/** A scrape waits this long for Redis or PostgreSQL at most; then that metric sits the scrape out. */
export const SCRAPE_READ_TIMEOUT_MS = 1000;

export interface OutboxBacklog {
  /** Rows not yet handed to Redis (counted up to OUTBOX_COUNT_CAP). */
  readonly waiting: number;
  /** Rows set aside: they can never be a job (unknown name, bad payload). */
  readonly setAside: number;
  /** Age of the oldest waiting row (0: none waiting). */
  readonly oldestSeconds: number;
}

/** Where the fleet-wide metrics come from at scrape time; each read may throw (then its metric is left out). */
export interface FleetStateSource {
  queueJobCounts(): Promise<ReadonlyArray<{ readonly queue: string; readonly counts: Readonly<Record<QueueJobState, number>> }>>;
  outboxBacklog(): Promise<OutboxBacklog>;
  counter(counter: FleetCounter): Promise<Record<string, number>>;
}

/**
 * The fleet's state as one process reads it at scrape time: queue depths from BullMQ, the outbox
 * from PostgreSQL, the fleet counters from Redis. Served by the gateway only, so the fleet-wide
 * series exist once however many workers are scraped. A read that fails or takes longer than
 * SCRAPE_READ_TIMEOUT_MS leaves its metric out of that scrape (no sample rather than a false
 * zero) and is reported through `onReadError`; the rest of the scrape answers.
 */
export function registerFleetMetrics(registry: Registry, source: FleetStateSource, onReadError: (metric: string, error: unknown) => void): void {
  const read = async <T>(metric: string, reading: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withTimeout(reading(), SCRAPE_READ_TIMEOUT_MS, `reading ${metric}`);
    } catch (error) {
      onReadError(metric, error);
      return undefined;
    }
  };
  // The outbox gauges share one query per scrape.
  const outbox = sharedRead(() => read(`${METRIC_PREFIX}outbox_*`, () => source.outboxBacklog()));

  new Gauge({
    name: `${METRIC_PREFIX}queue_jobs`,
    help: 'Jobs in each queue by state (waiting, active, delayed, failed), read from BullMQ at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    aggregator: FLEET_AGGREGATOR,
    async collect() {
      const queues = await read(`${METRIC_PREFIX}queue_jobs`, () => source.queueJobCounts());
      this.reset();
      for (const { queue, counts } of queues ?? []) {
        for (const state of QUEUE_JOB_STATES) this.set({ queue, state }, counts[state]);
      }
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}outbox_rows`,
    help: `Outbox rows: waiting to be handed to Redis (counted up to ${OUTBOX_COUNT_CAP}), or set aside (they can never be a job)`,
    labelNames: ['state'] as const,
    registers: [registry],
    aggregator: FLEET_AGGREGATOR,
    async collect() {
      const backlog = await outbox();
      this.reset();
      if (backlog === undefined) return;
      this.set({ state: 'waiting' }, backlog.waiting);
      this.set({ state: 'set_aside' }, backlog.setAside);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}outbox_oldest_waiting_seconds`,
    help: 'Age of the oldest outbox row waiting to be handed to Redis (0: none waiting)',
    registers: [registry],
    aggregator: FLEET_AGGREGATOR,
    async collect() {
      const backlog = await outbox();
      this.reset();
      if (backlog !== undefined) this.set(backlog.oldestSeconds);
    },
  });
  fleetCounterMetric(registry, `${METRIC_PREFIX}messages_final_total`, 'Messages that reached a final status, by status, counted by every worker process', 'status', FINAL_STATUSES, () =>
    read(`${METRIC_PREFIX}messages_final_total`, () => source.counter('final-statuses')),
  );
  fleetCounterMetric(registry, `${METRIC_PREFIX}postback_attempts_total`, 'Postback attempts of every delivery worker, by outcome', 'outcome', Object.values(PostbackOutcome), () =>
    read(`${METRIC_PREFIX}postback_attempts_total`, () => source.counter('postback-attempts')),
  );
}

/** A counter whose values live in a fleet counter in Redis, read at each scrape; known labels start at zero. */
function fleetCounterMetric(
  registry: Registry,
  name: string,
  help: string,
  label: string,
  known: readonly string[],
  counts: () => Promise<Record<string, number> | undefined>,
): void {
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    aggregator: FLEET_AGGREGATOR,
    async collect() {
      const values = await counts();
      this.reset();
      // Unknown (Redis failed): no sample rather than a false drop to zero that reads as a counter reset.
      if (values === undefined) return;
      for (const value of known) this.inc({ [label]: value }, 0);
      for (const [value, n] of Object.entries(values)) {
        // Only the labels we write: a field someone added or overwrote with junk must not fail the scrape.
        if (known.includes(value) && Number.isFinite(n) && n >= 0) this.inc({ [label]: value }, n);
      }
    },
  });
}

/** Calls that overlap (the metrics of one scrape, collected together) share one read. */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= read().finally(() => {
      // Kept for the rest of this turn, so every metric of the scrape gets the same answer.
      setImmediate(() => (inFlight = undefined));
    });
    return inFlight;
  };
}

/**
 * FleetStateSource on the real engines: the process's BullMQ queue handles (producer connections,
 * which fail fast when Redis is down; a handle of its own for a QueueName the process does not
 * produce to), the process's pg pool for the outbox, and the fleet counters.
 */
export class FleetStateReader implements FleetStateSource {
  private readonly own = new Map<string, Queue>();

  constructor(
    private readonly options: { readonly redisUrl: string; readonly prefix: string },
    private readonly queueFor: (name: QueueName) => Queue | undefined,
    private readonly db: SqlClient,
    private readonly counters: { read(counter: FleetCounter): Promise<Record<string, number>> },
    private readonly onRedisError: (error: Error) => void,
  ) {}

  async queueJobCounts(): Promise<Array<{ queue: string; counts: Record<QueueJobState, number> }>> {
    return Promise.all(
      Object.values(QueueName).map(async (name) => {
        const counts = await this.queue(name).getJobCounts(...QUEUE_JOB_STATES);
        return { queue: name, counts: Object.fromEntries(QUEUE_JOB_STATES.map((state) => [state, counts[state] ?? 0])) as Record<QueueJobState, number> };
      }),
    );
  }

  /**
   * Cheap whatever the backlog: the waiting rows are counted up to a cap, the set-aside ones on
   * the (dispatched_at, created_at) index, the oldest waiting row is the first by primary key.
   */
  async outboxBacklog(): Promise<OutboxBacklog> {
    const { rows } = await this.db.query<{ waiting: number; setAside: number; oldestSeconds: number | null }>({
      name: 'metrics-outbox-backlog',
      text: `SELECT
         (SELECT count(*) FROM (SELECT 1 FROM outbox WHERE dispatched_at IS DISTINCT FROM 'infinity' LIMIT $1) w)::int AS waiting,
         (SELECT count(*) FROM outbox WHERE dispatched_at = 'infinity')::int AS "setAside",
         (SELECT extract(epoch FROM (now() AT TIME ZONE 'UTC') - created_at) FROM outbox
          WHERE dispatched_at IS DISTINCT FROM 'infinity' ORDER BY id LIMIT 1)::float8 AS "oldestSeconds"`,
      values: [OUTBOX_COUNT_CAP],
    });
    const row = rows[0];
    return { waiting: row?.waiting ?? 0, setAside: row?.setAside ?? 0, oldestSeconds: Math.max(0, row?.oldestSeconds ?? 0) };
  }

  counter(counter: FleetCounter): Promise<Record<string, number>> {
    return this.counters.read(counter);
  }

  async close(): Promise<void> {
    await Promise.all([...this.own.values()].map((queue) => queue.close().catch(() => undefined)));
  }

  private queue(name: QueueName): Queue {
    const known = this.queueFor(name) ?? this.own.get(name);
    if (known !== undefined) return known;
    const queue = new Queue(name, { connection: redisOptionsFrom(this.options.redisUrl, 'producer'), prefix: this.options.prefix });
    queue.on('error', this.onRedisError);
    this.own.set(name, queue);
    return queue;
  }
}
