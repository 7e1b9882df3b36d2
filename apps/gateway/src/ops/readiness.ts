import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueName } from '@mms/contracts';
import { PrismaService } from '@mms/db';
import { type Readiness, withTimeout } from '@mms/queue';

/**
 * Whether this gateway process can accept a message right now: PostgreSQL answers. Redis is
 * reported but does not decide: while it is away, accepted messages wait in the outbox (PostgreSQL)
 * and the sweep hands them over when it is back, so a load balancer must keep sending partners
 * here exactly then.
 */
@Injectable()
export class GatewayReadiness {
  constructor(
    private readonly prisma: PrismaService,
    @InjectQueue(QueueName.Barcode) private readonly barcodeQueue: Queue,
  ) {}

  async ready(): Promise<Readiness> {
    const [postgres, redis] = await Promise.all([
      withTimeout(this.prisma.$queryRaw`SELECT 1`, 1000, 'PostgreSQL round trip').then(
        () => 'up',
        (e: unknown) => `down: ${e instanceof Error ? e.message : String(e)}`,
      ),
      // A real round trip on the producer connection, which fails fast when Redis is gone.
      withTimeout(this.barcodeQueue.getJobCounts('waiting'), 1000, 'Redis round trip').then(
        () => 'up',
        (e: unknown) => `down: ${e instanceof Error ? e.message : String(e)}`,
      ),
    ]);
    return { ready: postgres === 'up', checks: { postgres, redis } };
  }
}
