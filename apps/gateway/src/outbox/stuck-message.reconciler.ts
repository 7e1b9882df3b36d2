import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { JobName, MessageStatus, QueueName } from '@mms/contracts';
import { PrismaService } from '@mms/db';
import { JobProducer, PeriodicPass } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';

/** Any constant: one gateway replica at a time reconciles. */
const RECONCILER_LOCK = 7_314_001;
const BATCH = 100;

/**
 * The safety net behind the outbox: a message that sits in ACCEPTED or RENDERED longer than
 * expected while its queue holds no live job for it (Redis lost its data, or a stale completed job
 * from another database incarnation holds its id) is enqueued again. Workers are idempotent, so
 * a message that was merely slow is not harmed.
 */
@Injectable()
export class StuckMessageReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StuckMessageReconciler.name);
  private readonly passes: PeriodicPass;

  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: JobProducer,
    private readonly moduleRef: ModuleRef,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.passes = new PeriodicPass(config.RECONCILE_INTERVAL_MS, () =>
      this.reconcile().catch((error: unknown) => {
        this.logger.warn(`reconcile pass failed: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      }),
    );
  }

  onApplicationBootstrap(): void {
    this.passes.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }

  /** One pass; returns how many messages were enqueued again. */
  reconcileOnce(): Promise<number> {
    return this.passes.runOnce();
  }

  private async reconcile(): Promise<number> {
    return this.prisma.$transaction(
      async (tx) => {
        const [{ locked }] = await tx.$queryRaw<[{ locked: boolean }]>`SELECT pg_try_advisory_xact_lock(${RECONCILER_LOCK}) AS locked`;
        if (!locked) return 0;
        const before = new Date(Date.now() - this.config.RECONCILE_AFTER_MS);
        const stuck = await tx.message.findMany({
          where: { status: { in: [MessageStatus.Accepted, MessageStatus.Rendered] }, updatedAt: { lt: before } },
          select: { trackingId: true, status: true, imageKey: true },
          orderBy: { updatedAt: 'asc' },
          take: BATCH,
        });
        let requeued = 0;
        for (const message of stuck) {
          const rendered = message.status === MessageStatus.Rendered;
          const queue = this.queue(rendered ? QueueName.Delivery : QueueName.Barcode);
          const job = await queue.getJob(message.trackingId);
          const state = job ? await job.getState() : 'missing';
          if (state !== 'missing' && state !== 'completed' && state !== 'unknown') continue;
          // A completed job that left its message behind belongs to another life of this id.
          if (job && state === 'completed') await job.remove();
          if (rendered && message.imageKey !== null) {
            await this.producer.enqueue(JobName.SubmitMms, { trackingId: message.trackingId, imageKey: message.imageKey });
          } else if (!rendered) {
            await this.producer.enqueue(JobName.RenderBarcode, { trackingId: message.trackingId });
          } else {
            continue;
          }
          requeued += 1;
          this.logger.warn(`re-enqueued stuck message ${message.trackingId} (${message.status}, job ${state})`);
        }
        return requeued;
      },
      { timeout: 60_000 },
    );
  }

  private queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }
}
