import { BeforeApplicationShutdown, Inject, OnApplicationBootstrap } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { DelayedError, Job, UnrecoverableError } from 'bullmq';
import { JobName, QueueName, parseJobPayload } from '@mms/contracts';
import { MessageFailures, WorkerJobs, sortJobFailure } from '@mms/queue';
import { DELIVERY_CONFIG, DeliveryConfig } from '../config/delivery.config';
import { DeliveryReportsService } from '../reports/delivery-reports.service';
import { ConnectorRateLimitedError } from '../transport/mm7/connector-rate-limiter';
import { DeliveryService } from './delivery.service';

@Processor(QueueName.Delivery, { concurrency: 1, lockDuration: 60_000 })
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {

  constructor(
    private readonly delivery: DeliveryService,
    private readonly reports: DeliveryReportsService,
    private readonly failures: MessageFailures,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
    private readonly jobs: WorkerJobs,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.DELIVERY_CONCURRENCY;
    this.jobs.watch(QueueName.Delivery, this.worker);
  }

  /** The worker first (it finishes or hands back its jobs); DbModule ends the pool after it. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  /** In the job's own log context (the service names its request once it has the message), timed. */
  process(job: Job, token?: string): Promise<unknown> {
    return this.jobs.run(QueueName.Delivery, job, async () => {
      try {
        if (job.name === JobName.SubmitMms) {
          const { trackingId, imageKey } = parseJobPayload(JobName.SubmitMms, job.data);
          return await this.delivery.deliver(trackingId, imageKey);
        }
        // Reports have their own queue (DeliveryReportProcessor); this drains report jobs queued
        // here by a gateway from before the split.
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
    });
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (job !== undefined) await this.jobs.afterFailure(error, () => this.failures.onJobFailed(job, error, JobName.SubmitMms, 'delivery'));
  }
}
