import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { ModuleRef } from '@nestjs/core';
import type { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Pool, PoolClient } from 'pg';
import { JobName, JobOf, MessageStatus, QueueName, jobPayloadSchemas } from '@mms/contracts';
import { PG_POOL, withSessionLock } from '@mms/db';
import { JobProducer, MessageFailures, PeriodicPass, redisOptionsFrom } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';

/** Any constant: one gateway replica at a time reconciles (a session-level advisory lock). */
export const RECONCILER_LOCK = 7_314_001;
/** Messages per database page, per Redis lookup pipeline and per addBulk. */
const PAGE = 1000;

/** What one pass did. */
export interface ReconcilePass {
  /** False when another replica held the lock, or the lock could not be asked for: nothing was looked at. */
  readonly ran: boolean;
  /** Stuck messages read (ACCEPTED or RENDERED for longer than RECONCILE_AFTER_MS). */
  readonly examined: number;
  readonly requeued: number;
  readonly markedFailed: number;
  /** Messages (or unreadable pages) left to the next pass because Redis or the database failed. */
  readonly errors: number;
}

const NO_PASS: ReconcilePass = { ran: false, examined: 0, requeued: 0, markedFailed: 0, errors: 0 };

/** A status a message waits in, and the job that moves it on. */
interface Stage {
  readonly status: MessageStatus;
  readonly queue: QueueName;
  readonly jobName: typeof JobName.RenderBarcode | typeof JobName.SubmitMms;
  /** As the worker names it to markMessageFailed (MessageFailures.onJobFailed). */
  readonly name: 'barcode' | 'delivery';
}

const STAGES: readonly Stage[] = [
  { status: MessageStatus.Accepted, queue: QueueName.Barcode, jobName: JobName.RenderBarcode, name: 'barcode' },
  { status: MessageStatus.Rendered, queue: QueueName.Delivery, jobName: JobName.SubmitMms, name: 'delivery' },
];

interface StuckMessage {
  readonly id: number;
  readonly trackingId: string;
  readonly imageKey: string | null;
  /** The keyset cursor: text, since a JS Date would drop the microseconds and reread the row. */
  readonly updatedAt: string;
}

/**
 * What the queue holds under a message's id. `live` is every other state (active, waiting,
 * delayed, prioritized, waiting-children): telling a waiting job from one no list holds would
 * take a scan of the wait list per job, which is what made BullMQ's getJobState quadratic here.
 */
type JobLook = 'missing' | 'completed' | 'failed' | 'live';

interface Tally {
  examined: number;
  requeued: number;
  markedFailed: number;
  errors: number;
  firstError?: string;
}

/**
 * The safety net behind the outbox and the workers, started from the database so that whatever a
 * pass could not handle is simply found again by the next one. Each pass pages through every
 * message in ACCEPTED or RENDERED for longer than RECONCILE_AFTER_MS and looks its job up in
 * Redis, a page at a time in one pipeline:
 * - no job (Redis lost its data), or a completed one (a stale id from another life of the
 *   database: removed first): enqueued again, a page in one addBulk;
 * - a failed job (failed is final: a job with attempts left waits in delayed) whose worker could
 *   not record it (the database was away): the message is marked FAILED as the worker would have,
 *   with its E101 and its credit back; the job stays for Bull Board;
 * - any live job: left alone, the message was merely slow.
 * One replica at a time, by a session-level advisory lock on a client of its own: no transaction
 * is held across Redis calls. Workers are idempotent, so a message enqueued twice is harmless.
 */
@Injectable()
export class StuckMessageReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StuckMessageReconciler.name);
  private readonly passes: PeriodicPass;
  /** Lookups only (producer options: fails fast when Redis is away); jobs go through the producer. */
  private readonly redis: Redis;
  private lastPass = NO_PASS;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly producer: JobProducer,
    private readonly failures: MessageFailures,
    private readonly moduleRef: ModuleRef,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.redis = new Redis(redisOptionsFrom(config.REDIS_URL, 'producer'));
    // A pass reports its own failures; the connection's are the same ones again.
    this.redis.on('error', () => undefined);
    this.passes = new PeriodicPass(config.RECONCILE_INTERVAL_MS, async () => {
      this.lastPass = await this.reconcile();
      return this.lastPass.requeued + this.lastPass.markedFailed;
    });
  }

  onApplicationBootstrap(): void {
    this.passes.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.passes.stop();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** One pass (or the one running); never throws, failures are counted in `errors`. */
  async reconcileOnce(): Promise<ReconcilePass> {
    await this.passes.runOnce();
    return this.lastPass;
  }

  private async reconcile(): Promise<ReconcilePass> {
    const tally: Tally = { examined: 0, requeued: 0, markedFailed: 0, errors: 0 };
    let ran = false;
    try {
      ran = (await withSessionLock(this.pool, RECONCILER_LOCK, (client) => this.reconcileAll(client, tally))).ran;
    } catch (error) {
      this.count(tally, 1, error);
    }
    const { firstError, ...counts } = tally;
    if (counts.requeued + counts.markedFailed + counts.errors > 0) {
      const summary = `reconcile pass: ${counts.examined} stuck, ${counts.requeued} re-enqueued, ${counts.markedFailed} marked FAILED, ${counts.errors} error(s)`;
      if (counts.errors > 0) this.logger.warn(`${summary} (first: ${firstError})`);
      else this.logger.log(summary);
    }
    return { ran, ...counts };
  }

  private async reconcileAll(client: PoolClient, tally: Tally): Promise<void> {
    // One cut-off for the whole pass: a message that moves during it gets a newer updated_at and
    // leaves the pages, so the pass ends.
    const { rows } = await client.query<{ before: string }>(
      `SELECT ((now() AT TIME ZONE 'UTC') - make_interval(secs => $1))::text AS before`,
      [this.config.RECONCILE_AFTER_MS / 1000],
    );
    const before = rows[0]?.before ?? '-infinity';
    for (const stage of STAGES) {
      try {
        await this.reconcileStage(client, stage, before, tally);
      } catch (error) {
        // A page that cannot be read ends this status's pages; the other status still gets its turn.
        this.count(tally, 1, error);
      }
    }
  }

  private async reconcileStage(client: PoolClient, stage: Stage, before: string, tally: Tally): Promise<void> {
    let after = { updatedAt: '-infinity', id: 0 };
    for (;;) {
      const { rows: page } = await client.query<StuckMessage>(
        `SELECT id, tracking_id AS "trackingId", image_key AS "imageKey", updated_at::text AS "updatedAt"
         FROM messages
         WHERE status = $1::"MessageStatus" AND updated_at < $2::timestamp AND (updated_at, id) > ($3::timestamp, $4::int)
         ORDER BY updated_at, id
         LIMIT $5`,
        [stage.status, before, after.updatedAt, after.id, PAGE],
      );
      tally.examined += page.length;
      await this.reconcilePage(stage, page, tally);
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) return;
      after = { updatedAt: last.updatedAt, id: last.id };
    }
  }

  /** Never throws: what fails is counted and left to the next pass. */
  private async reconcilePage(stage: Stage, page: readonly StuckMessage[], tally: Tally): Promise<void> {
    if (page.length === 0) return;
    const queue = this.queue(stage.queue);
    let looks: JobLook[];
    try {
      looks = await this.lookUp(queue, page);
    } catch (error) {
      this.count(tally, page.length, error);
      return;
    }
    const again: StuckMessage[] = [];
    const stale: StuckMessage[] = [];
    const failed: StuckMessage[] = [];
    page.forEach((message, index) => {
      const look = looks[index];
      if (look === 'missing') again.push(message);
      else if (look === 'completed') stale.push(message);
      else if (look === 'failed') failed.push(message);
    });
    // A completed job that left its message behind belongs to another life of this id: it would
    // make the new job a no-op, so it goes first.
    const removed = await Promise.all(
      stale.map((message) =>
        queue.remove(message.trackingId).then(
          () => [message],
          (error: unknown) => {
            this.count(tally, 1, error);
            return [];
          },
        ),
      ),
    );
    again.push(...removed.flat());
    await this.enqueueAgain(stage, again, tally);
    for (const message of failed) await this.markFailed(queue, stage, message, tally);
  }

  /** Per message: is there a job hash, and is it in the completed or the failed set (one round trip). */
  private async lookUp(queue: Queue, page: readonly StuckMessage[]): Promise<JobLook[]> {
    const pipeline = this.redis.pipeline();
    for (const { trackingId } of page) {
      pipeline.exists(queue.toKey(trackingId)).zscore(queue.keys.completed, trackingId).zscore(queue.keys.failed, trackingId);
    }
    const replies = (await pipeline.exec()) ?? [];
    const failure = replies.find(([error]) => error !== null);
    if (failure !== undefined || replies.length !== page.length * 3) throw failure?.[0] ?? new Error('Redis answered part of the lookup');
    return page.map((_, index) => {
      const [exists, completed, failed] = replies.slice(index * 3, index * 3 + 3).map(([, reply]) => reply);
      if (exists === 0) return 'missing';
      if (completed !== null) return 'completed';
      if (failed !== null) return 'failed';
      return 'live';
    });
  }

  /**
   * One addBulk for the page. A message that can never be a job (a RENDERED one without a valid
   * image key) is counted and left out, so it cannot fail the jobs of the rest of its page.
   */
  private async enqueueAgain(stage: Stage, messages: readonly StuckMessage[], tally: Tally): Promise<void> {
    const schema = jobPayloadSchemas[stage.jobName];
    const payloads: JobOf<Stage['jobName']>[] = [];
    for (const { trackingId, imageKey } of messages) {
      const payload = schema.safeParse(stage.jobName === JobName.RenderBarcode ? { trackingId } : { trackingId, imageKey });
      if (payload.success) payloads.push(payload.data);
      else this.count(tally, 1, new Error(`${trackingId} cannot be a ${stage.jobName} job: ${payload.error.message}`));
    }
    try {
      await this.producer.enqueueMany(stage.jobName, payloads);
      tally.requeued += payloads.length;
    } catch (error) {
      this.count(tally, payloads.length, error);
    }
  }

  /**
   * A job failed for good while its message is still ACCEPTED or RENDERED: the worker's own
   * markMessageFailed did not take. Done now as the worker does it; only a well-formed job of the
   * stage speaks for its message.
   */
  private async markFailed(queue: Queue, stage: Stage, message: StuckMessage, tally: Tally): Promise<void> {
    try {
      const job = await queue.getJob(message.trackingId);
      if (job === undefined) return; // removed since the lookup: the next pass sees what is there
      const payload = jobPayloadSchemas[stage.jobName].safeParse(job.data);
      if (job.name !== stage.jobName || !payload.success || payload.data.trackingId !== message.trackingId) {
        this.logger.warn(`failed job ${job.id} (${job.name}) does not speak for message ${message.trackingId}: left as it is`);
        return;
      }
      if (await this.failures.markFailed(message.trackingId, stage.name, failureOf(job), job.attemptsMade)) {
        tally.markedFailed += 1;
        this.logger.warn(`marked ${message.trackingId} FAILED: its ${stage.name} job failed for good (${job.failedReason}) and no worker recorded it`);
      }
    } catch (error) {
      this.count(tally, 1, error);
    }
  }

  private count(tally: Tally, messages: number, error: unknown): void {
    tally.errors += messages;
    tally.firstError ??= error instanceof Error ? error.message : String(error);
  }

  private queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }
}

/**
 * The error a job failed with, as far as Redis keeps it: its message, and its class's name from
 * the head of its last stack trace (an UnrecoverableError's own message is the partner's to read).
 */
function failureOf(job: Job): Error {
  const error = new Error(job.failedReason);
  const name = /^(\w+):/.exec(job.stacktrace?.at(-1) ?? '')?.[1];
  if (name !== undefined) error.name = name;
  return error;
}
