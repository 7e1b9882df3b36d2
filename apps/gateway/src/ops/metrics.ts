import { Controller, Get, Header, Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PostbackOutcome } from '@mms/db';
import { readFleetCounter, redisOptionsFrom, withTimeout } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';

/** A scrape waits this long for Redis at most; then the fleet counters sit that scrape out. */
const FLEET_COUNTER_TIMEOUT_MS = 1000;
const WARNING_INTERVAL_MS = 60_000;

/** The gateway's Prometheus registry: one per process, so tests can boot several apps. */
@Injectable()
export class GatewayMetrics implements OnApplicationShutdown {
  readonly registry = new Registry();
  readonly partnerRequests = new Counter({
    name: 'partner_requests_total',
    help: 'Partner API requests by outcome (Success or the error code)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly partnerLatency = new Histogram({
    name: 'partner_request_seconds',
    help: 'Time to answer a partner API request',
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  private readonly logger = new Logger('Metrics');
  private lastWarningAt = 0;
  /** Fails fast when Redis is down (producer options), so a scrape never hangs on it. */
  private readonly redis: Redis;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    collectDefaultMetrics({ register: this.registry });
    this.redis = new Redis(redisOptionsFrom(config.REDIS_URL, 'producer'));
    this.redis.on('error', (error: Error) => this.warn(`Redis for the fleet counters: ${error.message}`));
    const fleetCounts = () => this.postbackAttemptCounts(config.QUEUE_PREFIX);
    // The delivery workers count in Redis (fleet-counters.ts), so any gateway process reports them all.
    new Counter({
      name: 'postback_attempts_total',
      help: 'Postback attempts of every delivery worker, by outcome',
      labelNames: ['outcome'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await fleetCounts();
        this.reset();
        // Unknown (Redis failed): no sample rather than a false drop to zero that reads as a counter reset.
        if (counts === undefined) return;
        for (const outcome of Object.values(PostbackOutcome)) this.inc({ outcome }, counts[outcome] ?? 0);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** The fleet's counts by outcome, or undefined when Redis did not answer in time. Never throws. */
  private async postbackAttemptCounts(prefix: string): Promise<Record<string, number> | undefined> {
    try {
      const counts = await withTimeout(readFleetCounter(this.redis, prefix, 'postback-attempts'), FLEET_COUNTER_TIMEOUT_MS, 'reading the postback counters');
      // A field someone overwrote with junk must not fail the scrape (a counter refuses NaN and negatives).
      return Object.fromEntries(Object.entries(counts).filter(([, n]) => Number.isFinite(n) && n >= 0));
    } catch (error) {
      this.warn(`postback_attempts_total left out of the scrape: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** At most one warning a minute: a Redis outage must not flood the log at every scrape or reconnect. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = now;
    this.logger.warn(message);
  }
}

@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: GatewayMetrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
