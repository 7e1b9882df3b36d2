import { BeforeApplicationShutdown, Inject, OnApplicationBootstrap } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { JobName, QueueName, parseJobPayload } from '@mms/contracts';
import { MessageFailures, WorkerJobs, sortJobFailure } from '@mms/queue';
import { BARCODE_CONFIG, BarcodeConfig } from '../config/barcode.config';
import { BarcodeService } from './barcode.service';

/** Thin: checks the payload, calls the service, sorts failures into retry or give up. */
@Processor(QueueName.Barcode, { concurrency: 1, lockDuration: 60_000 })
export class BarcodeProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {

  constructor(
    private readonly barcodes: BarcodeService,
    @Inject(BARCODE_CONFIG) private readonly config: BarcodeConfig,
    private readonly failures: MessageFailures,
    private readonly jobs: WorkerJobs,
  ) {
    super();
  }

  /** The worker first (it finishes or hands back its jobs); DbModule ends the pool after it. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.BARCODE_CONCURRENCY;
    this.jobs.watch(QueueName.Barcode, this.worker);
  }

  /** In the job's own log context (the service names its request once it has the message), timed. */
  process(job: Job): Promise<{ imageKey: string; rendered: boolean }> {
    return this.jobs.run(QueueName.Barcode, job, async () => {
      try {
        if (job.name !== JobName.RenderBarcode) throw new UnrecoverableError(`no handler for job ${job.name} on ${QueueName.Barcode}`);
        const { trackingId } = parseJobPayload(JobName.RenderBarcode, job.data);
        return await this.barcodes.issueAndRender(trackingId);
      } catch (error) {
        throw sortJobFailure(error);
      }
    });
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (job !== undefined) await this.jobs.afterFailure(error, () => this.failures.onJobFailed(job, error, JobName.RenderBarcode, 'barcode'));
  }
}
