import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { FastifyReply } from 'fastify';
import type { Queue } from 'bullmq';
import { QueueName } from '@mms/contracts';
import { PrismaService } from '@mms/db';
import { withTimeout } from '@mms/queue';

/** Liveness says the process answers; readiness says it can accept a message right now. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    @InjectQueue(QueueName.Barcode) private readonly barcodeQueue: Queue,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
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
    const ok = postgres === 'up' && redis === 'up';
    await reply
      .status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .send({ status: ok ? 'ready' : 'not ready', postgres, redis });
  }
}
