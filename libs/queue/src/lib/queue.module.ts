import { DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { QueueName } from '@mms/contracts';
import { redisOptionsFrom } from './connection';
import { JobProducer } from './job-producer';

export interface QueueModuleOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  /** Queues this process produces to or consumes from. */
  readonly queues: readonly QueueName[];
}

/**
 * BullMQ wiring for one process: one prefix everywhere (Bull Board included), worker-style
 * connections at the root (workers block on Redis), producer-style ones on the queues (fail fast).
 */
@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions): DynamicModule {
    const bull = BullModule.forRoot({ connection: redisOptionsFrom(options.redisUrl, 'worker'), prefix: options.prefix });
    const queues = BullModule.registerQueue(
      ...options.queues.map((name) => ({
        name,
        prefix: options.prefix,
        connection: redisOptionsFrom(options.redisUrl, 'producer'),
      })),
    );
    return {
      module: QueueModule,
      global: true,
      imports: [bull, queues],
      providers: [JobProducer],
      exports: [bull, queues, JobProducer],
    };
  }
}
