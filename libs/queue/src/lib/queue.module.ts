import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { QueueName } from '@mms/contracts';
import { redisOptionsFrom } from './connection';
import { FLEET_COUNTERS_OPTIONS, FleetCounters } from './fleet-counters';
import { JobProducer } from './job-producer';
import { MessageFailures } from './message-failure';
import { OutboxDispatcher } from './outbox-dispatcher';
import { PRODUCED_QUEUES, QueueErrorReporter } from './queue-health';

export interface QueueModuleOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  /** Queues this process enqueues to: connections that fail fast when Redis is down. */
  readonly produces: readonly QueueName[];
  /** Queues this process works: blocking connections that wait for Redis. */
  readonly consumes?: readonly QueueName[];
}

/**
 * BullMQ wiring for one process: one prefix everywhere (Bull Board included), worker-style
 * connections at the root (workers block on Redis), producer-style ones on the queues (fail fast).
 */
@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions): DynamicModule {
    const bull = BullModule.forRoot({ connection: redisOptionsFrom(options.redisUrl, 'worker'), prefix: options.prefix });
    const consumes = options.consumes ?? [];
    const queues = BullModule.registerQueue(
      ...options.produces
        .filter((name) => !consumes.includes(name))
        .map((name) => ({ name, prefix: options.prefix, connection: redisOptionsFrom(options.redisUrl, 'producer') })),
      ...consumes.map((name) => ({ name, prefix: options.prefix, connection: redisOptionsFrom(options.redisUrl, 'worker') })),
    );
    return {
      module: QueueModule,
      global: true,
      imports: [bull, queues],
      providers: [
        JobProducer,
        OutboxDispatcher,
        MessageFailures,
        QueueErrorReporter,
        FleetCounters,
        { provide: PRODUCED_QUEUES, useValue: options.produces },
        { provide: FLEET_COUNTERS_OPTIONS, useValue: { redisUrl: options.redisUrl, prefix: options.prefix } },
      ],
      exports: [bull, queues, JobProducer, OutboxDispatcher, MessageFailures, FleetCounters],
    };
  }
}
