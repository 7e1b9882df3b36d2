import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus registry: one per process, so tests can boot several apps. */
@Injectable()
export class GatewayMetrics {
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

  constructor() {
    collectDefaultMetrics({ register: this.registry });
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
