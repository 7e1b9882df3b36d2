import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { redisOptionsFrom } from './connection';
import { withTimeout } from './queue-health';

/**
 * Counters the workers keep in Redis (a hash per name, a field per label value), so the gateway's
 * /metrics reports what every worker process did, whichever process is scraped. HINCRBY is atomic,
 * so processes never lose each other's counts; nothing expires them (they are Prometheus counters).
 *
 * - `postback-attempts`: postback attempts by outcome (the postback worker, after each attempt).
 * - `final-statuses`: messages that reached a final status (DELIVERED, EXPIRED, REJECTED, FAILED),
 *   counted by the process that recorded the step, right after its commit.
 */
export type FleetCounter = 'postback-attempts' | 'final-statuses';

export function fleetCounterKey(prefix: string, counter: FleetCounter): string {
  return `${prefix}:counters:${counter}`;
}

export async function addToFleetCounter(redis: Redis, prefix: string, counter: FleetCounter, label: string, by = 1): Promise<void> {
  await redis.hincrby(fleetCounterKey(prefix, counter), label, by);
}

export async function readFleetCounter(redis: Redis, prefix: string, counter: FleetCounter): Promise<Record<string, number>> {
  const fields = await redis.hgetall(fleetCounterKey(prefix, counter));
  return Object.fromEntries(Object.entries(fields).map(([label, value]) => [label, Number(value)]));
}

export const FLEET_COUNTERS_OPTIONS = Symbol('FLEET_COUNTERS_OPTIONS');

const WARNING_INTERVAL_MS = 60_000;
/** Counting runs right after a step's commit, on the job's path: a stalled Redis must not hold it. */
const COUNT_TIMEOUT_MS = 1000;

/**
 * The process's handle on the fleet counters: one Redis connection that fails fast (producer
 * options), so counting never holds up a job and reading never hangs a scrape. Counting is best
 * effort after the step's commit: a count lost to a Redis outage (or a process killed between
 * the commit and the count) leaves the counter that much low, never the ledger wrong.
 */
@Injectable()
export class FleetCounters implements OnApplicationShutdown {
  private readonly logger = new Logger('FleetCounters');
  private readonly redis: Redis;
  private lastWarningAt = 0;

  constructor(@Inject(FLEET_COUNTERS_OPTIONS) private readonly options: { readonly redisUrl: string; readonly prefix: string }) {
    this.redis = new Redis(redisOptionsFrom(options.redisUrl, 'producer'));
    this.redis.on('error', (error: Error) => this.warn(`Redis for the fleet counters: ${error.message}`));
  }

  /** Adds to a counter's labels (one round trip for all); never throws, a failure is logged. */
  async add(counter: FleetCounter, labels: readonly string[]): Promise<void> {
    if (labels.length === 0) return;
    const key = fleetCounterKey(this.options.prefix, counter);
    try {
      const pipeline = this.redis.pipeline();
      for (const label of labels) pipeline.hincrby(key, label, 1);
      const results = (await withTimeout(pipeline.exec(), COUNT_TIMEOUT_MS, `counting ${counter}`)) ?? [];
      const failed = results.find(([error]) => error !== null);
      if (failed !== undefined) throw failed[0];
    } catch (error) {
      this.warn(`${counter} not counted (${labels.join(',')}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** A counter's values by label; throws when Redis does not answer. */
  read(counter: FleetCounter): Promise<Record<string, number>> {
    return readFleetCounter(this.redis, this.options.prefix, counter);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** At most one warning a minute: a Redis outage must not flood the log. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = now;
    this.logger.warn(message);
  }
}
