import { BeforeApplicationShutdown, Inject, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Job, UnrecoverableError } from 'bullmq';
import { JobName, QueueName, jobPayloadSchemas, parseJobPayload } from '@mms/contracts';
import { PG_POOL, markMessageFailed } from '@mms/db';
import { sortJobFailure } from '@mms/queue';
import { BARCODE_CONFIG, BarcodeConfig } from '../config/barcode.config';
import { BarcodeService } from './barcode.service';

/** Thin: checks the payload, calls the service, sorts failures into retry or give up. */
@Processor(QueueName.Barcode, { concurrency: 1, lockDuration: 60_000 })
export class BarcodeProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(BarcodeProcessor.name);

  constructor(
    private readonly barcodes: BarcodeService,
    @Inject(BARCODE_CONFIG) private readonly config: BarcodeConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {
    super();
  }

  /** The worker first (it finishes or hands back its jobs); DbModule ends the pool after it. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.BARCODE_CONCURRENCY;
  }

  async process(job: Job): Promise<{ imageKey: string; rendered: boolean }> {
    try {
      if (job.name !== JobName.RenderBarcode) throw new UnrecoverableError(`no handler for job ${job.name} on ${QueueName.Barcode}`);
      const { trackingId } = parseJobPayload(JobName.RenderBarcode, job.data);
      return await this.barcodes.issueAndRender(trackingId);
    } catch (error) {
      throw sortJobFailure(error);
    }
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (job === undefined) return;
    const final = error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn(`render ${job.id} failed (attempt ${job.attemptsMade}${final ? ', final' : ''}): ${error.message}`);
    // Only a well-formed job speaks for its message: a malformed one must not fail a real message.
    const payload = jobPayloadSchemas[JobName.RenderBarcode].safeParse(job.data);
    if (final && payload.success) {
      await markMessageFailed(this.pool, payload.data.trackingId, 'barcode', error.message).catch((e: unknown) =>
        this.logger.error(`could not mark ${job.id} failed: ${String(e)}`),
      );
    }
  }
}
