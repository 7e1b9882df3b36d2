import { BeforeApplicationShutdown, Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { JobName, QueueName, parseJobPayload } from '@mms/contracts';
import { WorkerJobs, sortJobFailure } from '@mms/queue';
import { DELIVERY_CONFIG, DeliveryConfig } from '../config/delivery.config';
import { DeliveryReportsService } from './delivery-reports.service';

/**
 * Applies carrier delivery reports from their own queue: a report is a few milliseconds of
 * database work, and behind thousands of submits waiting for the carrier's rate it would wait
 * minutes. A report that cannot be applied for our fault (the database away) is retried with
 * backoff; one that is not ours is recorded as unmatched, not failed.
 */
@Processor(QueueName.DeliveryReport, { concurrency: 1 })
export class DeliveryReportProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly reports: DeliveryReportsService,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
    private readonly jobs: WorkerJobs,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.DELIVERY_REPORT_CONCURRENCY;
    this.jobs.watch(QueueName.DeliveryReport, this.worker);
  }

  /** The worker first (it finishes or hands back its jobs); DbModule ends the pool after it. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  /** In the job's own log context (the service names the message's request once it found it), timed. */
  process(job: Job): Promise<unknown> {
    return this.jobs.run(QueueName.DeliveryReport, job, async () => {
      try {
        if (job.name !== JobName.ApplyDeliveryReport) throw new UnrecoverableError(`no handler for job ${job.name} on ${QueueName.DeliveryReport}`);
        return await this.reports.apply(parseJobPayload(JobName.ApplyDeliveryReport, job.data).reportId);
      } catch (error) {
        throw sortJobFailure(error);
      }
    });
  }
}
