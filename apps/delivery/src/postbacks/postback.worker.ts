import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { ModuleRef } from '@nestjs/core';
import { DelayedError, Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { JobName, QueueName, parseJobPayload, postbackJobId } from '@mms/contracts';
import { JobProducer, PeriodicPass, WorkerJobs, redisOptionsFrom, sortJobFailure } from '@mms/queue';
import { DELIVERY_CONFIG, DeliveryConfig } from '../config/delivery.config';
import { PostbackRepository } from './postback.repository';
import { PostbackService } from './postback.service';

/** Overdue notices looked at per sweep at most. */
const SWEEP_LIMIT = 500;

/**
 * The postback queue's worker, built by hand rather than with @Processor so that its lock
 * duration and stall check come from configuration (POSTBACK_LOCK_MS): a worker that dies
 * mid-request is noticed after about that long and its job runs again, where the postbacks table
 * decides whether anything is still to send. A job waits (moveToDelayed, no attempt spent) for
 * its notice's turn, bundle window or next attempt; only our own faults (the database away) spend
 * BullMQ attempts.
 *
 * Its sweep re-creates the job of any unfinished notice whose time passed long ago and whose job
 * is gone or failed (Redis lost it, a job failed for good on our fault): no notice is stranded.
 */
@Injectable()
export class PostbackWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PostbackWorker.name);
  private worker: Worker | undefined;
  private readonly sweeper: PeriodicPass;

  constructor(
    private readonly postbacks: PostbackService,
    private readonly repository: PostbackRepository,
    private readonly producer: JobProducer,
    private readonly moduleRef: ModuleRef,
    @Inject(DELIVERY_CONFIG) private readonly config: DeliveryConfig,
    private readonly jobs: WorkerJobs,
  ) {
    this.sweeper = new PeriodicPass(config.POSTBACK_SWEEP_INTERVAL_MS, () => this.sweep());
  }

  onApplicationBootstrap(): void {
    this.worker = new Worker(QueueName.Postback, (job, token) => this.jobs.run(QueueName.Postback, job, () => this.process(job, token)), {
      connection: redisOptionsFrom(this.config.REDIS_URL, 'worker'),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.POSTBACK_CONCURRENCY,
      lockDuration: this.config.POSTBACK_LOCK_MS,
      stalledInterval: this.config.POSTBACK_LOCK_MS,
      // A job that keeps stalling is a worker that keeps dying on it: the sweep brings it back.
      maxStalledCount: 5,
    });
    this.worker.on('error', (error) => this.logger.warn(`postback worker: ${error.message}`));
    this.worker.on('failed', (job, error) =>
      this.jobs.afterFailure(error, () => this.logger.warn(`postback job ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`)),
    );
    this.jobs.watch(QueueName.Postback, this.worker);
    this.sweeper.start();
  }

  /** The worker first (its jobs finish or go back to the queue); the pool ends after it. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
    await this.worker?.close();
  }

  /** One sweep now (tests); returns how many jobs it re-created. */
  sweepOnce(): Promise<number> {
    return this.sweeper.runOnce();
  }

  private async process(job: Job, token: string | undefined): Promise<{ done: true }> {
    try {
      if (job.name !== JobName.SendPostback) throw new UnrecoverableError(`no handler for job ${job.name} on ${QueueName.Postback}`);
      const { postbackId } = parseJobPayload(JobName.SendPostback, job.data);
      const step = await this.postbacks.handle(postbackId);
      if (step.done) return step;
      await job.moveToDelayed(Date.now() + step.inMs, token);
      throw new DelayedError(step.why);
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      throw sortJobFailure(error);
    }
  }

  private async sweep(): Promise<number> {
    let recreated = 0;
    try {
      const queue = this.moduleRef.get<Queue>(getQueueToken(QueueName.Postback), { strict: false });
      const overdue = await this.repository.overdue(this.config.POSTBACK_SWEEP_INTERVAL_MS, SWEEP_LIMIT);
      const missing: number[] = [];
      for (const id of overdue) {
        const job = await queue.getJob(postbackJobId(id));
        const state = job === undefined ? 'missing' : await job.getState();
        if (state === 'failed' && job !== undefined) await job.retry('failed');
        else if (state === 'completed' && job !== undefined) {
          await job.remove();
          missing.push(id);
        } else if (state === 'missing' || state === 'unknown') missing.push(id);
        else continue;
        recreated += 1;
        this.logger.warn(`postback ${id} was overdue with its job ${state}: running it again`);
      }
      await this.producer.enqueueMany(
        JobName.SendPostback,
        missing.map((postbackId) => ({ postbackId })),
      );
    } catch (error) {
      this.logger.warn(`postback sweep failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return recreated;
  }
}
