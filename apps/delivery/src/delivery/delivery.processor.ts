import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { JobName, QueueName, jobPayloadSchemas, parseJobPayload } from '@mms/contracts';
import { PG_POOL, markMessageFailed } from '@mms/db';
import { sortJobFailure } from '@mms/queue';
import { DELIVERY_CONFIG, DeliveryConfig } from '../config/delivery.config';
import { DeliveryReportsService } from '../reports/delivery-reports.service';
import { ConnectorRateLimitedError } from '../transport/mm7/connector-rate-limiter';
import { DeliveryService } from './delivery.service';

@Processor(QueueName.Delivery, { concurrency: 1, lockDuration: 60_000 })
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    private readonly delivery: DeliveryService,
    private readonly reports: DeliveryReportsService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.DELIVERY_CONCURRENCY;
  }

  /** The worker first (it finishes or hands back its jobs); DbModule ends the pool after it. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job, token?: string): Promise<unknown> {
    try {
      if (job.name === JobName.SubmitMms) {
        const { trackingId, imageKey } = parseJobPayload(JobName.SubmitMms, job.data);
        return await this.delivery.deliver(trackingId, imageKey);
      }
      if (job.name === JobName.ApplyDeliveryReport) {
        return await this.reports.apply(parseJobPayload(JobName.ApplyDeliveryReport, job.data).reportId);
      }
      throw new UnrecoverableError(`no handler for job ${job.name} on ${QueueName.Delivery}`);
    } catch (error) {
      if (error instanceof ConnectorRateLimitedError) {
        // The carrier's rate, not a failure: back to the queue for the next slot, no attempt spent.
        await job.moveToDelayed(Date.now() + error.waitMs, token);
        throw new DelayedError();
      }
      throw sortJobFailure(error);
    }
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (job === undefined) return;
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn(`submit ${job.id} failed (attempt ${job.attemptsMade}${final ? ', final' : ''}): ${error.message}`);
    // Only a well-formed job speaks for its message: a malformed one must not fail a real message.
    const payload = jobPayloadSchemas[JobName.SubmitMms].safeParse(job.data);
    if (final && job.name === JobName.SubmitMms && payload.success) {
      await markMessageFailed(this.pool, payload.data.trackingId, 'delivery', error.message).catch((e: unknown) =>
        this.logger.error(`could not mark ${job.id} failed: ${String(e)}`),
      );
    }
  }
}
