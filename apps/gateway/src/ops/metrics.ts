import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PG_POOL, type SqlClient } from '@mms/db';
import { FleetCounters, FleetStateReader, METRIC_PREFIX, registerFleetMetrics } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';

const WARNING_INTERVAL_MS = 60_000;

/** The partner API's own series (docs/observability.md). */
export function registerPartnerMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: `${METRIC_PREFIX}partner_requests_total`,
      help: 'Partner API requests by outcome (Success or the error code)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: `${METRIC_PREFIX}partner_request_seconds`,
      help: 'Time to answer a partner API request',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

/**
 * The gateway's Prometheus registry: one per process, so tests can boot several. Besides the
 * partner API's series it serves the fleet-wide ones (libs/queue fleet-metrics.ts: queue depths,
 * outbox backlog, final statuses, postback attempts), read at scrape time from Redis and
 * PostgreSQL, so whichever gateway process is scraped reports the whole fleet. Served on the ops
 * port (gateway-ops.ts).
 */
@Injectable()
export class GatewayMetrics implements OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly partner = registerPartnerMetrics(this.registry);
  readonly partnerRequests = this.partner.requests;
  readonly partnerLatency = this.partner.latency;

  private readonly logger = new Logger('Metrics');
  private lastWarningAt = 0;
  private readonly fleet: FleetStateReader;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, @Inject(PG_POOL) db: SqlClient, counters: FleetCounters, moduleRef: ModuleRef) {
    collectDefaultMetrics({ register: this.registry });
    const producerQueue = (name: string): Queue | undefined => {
      try {
        return moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      } catch {
        return undefined;
      }
    };
    this.fleet = new FleetStateReader({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX }, producerQueue, db, counters, (error) =>
      this.warn(`Redis for the fleet metrics: ${error.message}`),
    );
    registerFleetMetrics(this.registry, this.fleet, (metric, error) =>
      this.warn(`${metric} left out of the scrape: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.fleet.close();
  }

  /** At most one warning a minute: a Redis outage must not flood the log at every scrape or reconnect. */
  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarningAt < WARNING_INTERVAL_MS) return;
    this.lastWarningAt = now;
    this.logger.warn(message);
  }
}
