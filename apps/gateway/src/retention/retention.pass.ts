import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import type { Pool, PoolClient } from 'pg';
import { MessageStatus, QueueName } from '@mms/contracts';
import { PG_POOL, withSessionLock } from '@mms/db';
import { PeriodicPass, withTimeout } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { EventCursor, FINAL_STATUSES, deleteDeliveryReports, deleteEvents, deleteImages, deleteMessages } from './retention-statements';

/** Any constant but the reconciler's: one gateway replica at a time applies retention. */
export const RETENTION_LOCK = 7_314_002;
/** Messages per statement: each takes about ten rows with it (events, postbacks, attempts). */
const MESSAGE_BATCH = 1000;
/** Rows per statement of the other tables: short statements, short row locks. */
const ROW_BATCH = 5000;
/** Statements per step and pass at most: a backlog (the first pass on an old database) drains over several passes. */
const MAX_BATCHES = 100;
/** Jobs per BullMQ clean call: one Lua script each, so Redis is never held for long. */
const JOB_BATCH = 1000;
/** A Redis call of the pass fails after this (the internal-send queue's connection would wait for ever). */
const REDIS_CALL_TIMEOUT_MS = 5000;
const HOUR_MS = 3_600_000;

/** What one pass deleted, per kind; `errors` names the steps that failed (the others still ran). */
export interface RetentionSummary {
  /** False when another replica held the lock (or PostgreSQL could not be reached): nothing was done. */
  readonly ran: boolean;
  readonly messages: number;
  readonly submitted: number;
  readonly events: number;
  readonly deliveryReports: number;
  readonly images: number;
  readonly cacheRows: number;
  readonly jobs: number;
  readonly errors: readonly string[];
}

type Counts = Omit<RetentionSummary, 'ran' | 'errors'>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Retention: deletes what the RETENTION_* settings say is old enough and never a message in
 * flight (ACCEPTED, RENDERED, and SUBMITTED unless RETENTION_SUBMITTED_DAYS says its report is
 * never coming), nor anything such a message needs. One replica at a time, by a session advisory
 * lock on a client of its own, so no transaction is ever open across the pass (nor across its
 * Redis calls); every deletion is a bounded statement of its own (retention-statements.ts).
 */
@Injectable()
export class RetentionPass implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionPass.name);
  private readonly passes: PeriodicPass;
  private last: RetentionSummary | undefined;
  /** Where the walks over events and images stopped: the next pass goes on from there. */
  private eventCursor: EventCursor | undefined;
  private imageCursor: string | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly moduleRef: ModuleRef,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.passes = new PeriodicPass(config.RETENTION_INTERVAL_MS, async () => {
      this.last = await this.retain().catch((error: unknown): RetentionSummary => {
        this.logger.warn(`retention pass failed: ${messageOf(error)}`);
        return { ran: false, messages: 0, submitted: 0, events: 0, deliveryReports: 0, images: 0, cacheRows: 0, jobs: 0, errors: [messageOf(error)] };
      });
      const { messages, submitted, events, deliveryReports, images, jobs } = this.last;
      return messages + submitted + events + deliveryReports + images + jobs;
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.RETENTION_INTERVAL_MS > 0) this.passes.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }

  /** One pass (the one running, if any); never throws. */
  async retainOnce(): Promise<RetentionSummary> {
    await this.passes.runOnce();
    return this.last as RetentionSummary;
  }

  private async retain(): Promise<RetentionSummary> {
    const started = Date.now();
    const counts: Mutable<Counts> = { messages: 0, submitted: 0, events: 0, deliveryReports: 0, images: 0, cacheRows: 0, jobs: 0 };
    const errors: string[] = [];
    let ran: boolean;
    try {
      // The lock's client runs the statements too: a pass takes one connection of the pool.
      ran = (await withSessionLock(this.pool, RETENTION_LOCK, (db) => this.runSteps(db, counts, errors))).ran;
    } catch (error) {
      this.logger.warn(`retention pass failed: ${messageOf(error)}`);
      return { ran: false, ...counts, errors: [...errors, `lock: ${messageOf(error)}`] };
    }
    if (!ran) {
      this.logger.debug('retention pass skipped: another gateway holds the lock');
      return { ran: false, ...counts, errors };
    }

    const line =
      `retention pass: deleted ${counts.messages} finished messages, ${counts.submitted} SUBMITTED ones past their report, ` +
      `${counts.events} events, ${counts.deliveryReports} delivery reports, ${counts.images} images (${counts.cacheRows} render-cache rows), ` +
      `${counts.jobs} finished jobs in ${Date.now() - started} ms`;
    if (errors.length === 0) this.logger.log(line);
    else this.logger.warn(`${line}; failed: ${errors.join('; ')}`);
    return { ran: true, ...counts, errors };
  }

  /**
   * Every step the configuration turns on, each on its own: one that fails is recorded in `errors`
   * and the next still runs. PostgreSQL first, Redis last, so a Redis away costs only the jobs step.
   */
  private async runSteps(db: PoolClient, counts: Mutable<Counts>, errors: string[]): Promise<void> {
    const step = async (name: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        errors.push(`${name}: ${messageOf(error)}`);
      }
    };
    const { RETENTION_MESSAGES_DAYS, RETENTION_SUBMITTED_DAYS, RETENTION_EVENTS_DAYS, RETENTION_DELIVERY_REPORTS_DAYS, RETENTION_IMAGES_DAYS, RETENTION_JOBS_HOURS } =
      this.config;
    if (RETENTION_MESSAGES_DAYS > 0) {
      await step('messages', async () => {
        counts.messages = await drain((n) => deleteMessages(db, FINAL_STATUSES, RETENTION_MESSAGES_DAYS, n), MESSAGE_BATCH);
      });
    }
    if (RETENTION_SUBMITTED_DAYS > 0) {
      await step('submitted messages', async () => {
        counts.submitted = await drain((n) => deleteMessages(db, [MessageStatus.Submitted], RETENTION_SUBMITTED_DAYS, n), MESSAGE_BATCH);
      });
    }
    // Events have a step of their own only when they go before their message; otherwise they go with it.
    if (RETENTION_EVENTS_DAYS > 0 && (RETENTION_MESSAGES_DAYS === 0 || RETENTION_EVENTS_DAYS < RETENTION_MESSAGES_DAYS)) {
      await step('events', async () => {
        counts.events = await this.walkEvents(db, RETENTION_EVENTS_DAYS);
      });
    }
    if (RETENTION_DELIVERY_REPORTS_DAYS > 0) {
      await step('delivery reports', async () => {
        counts.deliveryReports = await drain((n) => deleteDeliveryReports(db, RETENTION_DELIVERY_REPORTS_DAYS, n), ROW_BATCH);
      });
    }
    // After the messages: the images they were the last to use go in the same pass.
    if (RETENTION_IMAGES_DAYS > 0) {
      await step('images', async () => {
        ({ images: counts.images, cacheRows: counts.cacheRows } = await this.walkImages(db, RETENTION_IMAGES_DAYS));
      });
    }
    if (RETENTION_JOBS_HOURS > 0) {
      await step('jobs', async () => {
        counts.jobs = await this.cleanJobs(RETENTION_JOBS_HOURS * HOUR_MS);
      });
    }
  }

  private async walkEvents(db: PoolClient, days: number): Promise<number> {
    let total = 0;
    for (let round = 0; round < MAX_BATCHES; round += 1) {
      const { deleted, next } = await deleteEvents(db, days, this.eventCursor, ROW_BATCH);
      total += deleted;
      this.eventCursor = next;
      if (next === undefined) break;
    }
    return total;
  }

  private async walkImages(db: PoolClient, days: number): Promise<{ images: number; cacheRows: number }> {
    let images = 0;
    let cacheRows = 0;
    for (let round = 0; round < MAX_BATCHES; round += 1) {
      const batch = await deleteImages(db, days, this.imageCursor, ROW_BATCH);
      images += batch.images;
      cacheRows += batch.cacheRows;
      this.imageCursor = batch.next;
      if (batch.next === undefined) break;
    }
    return { images, cacheRows };
  }

  /**
   * Completed and failed jobs finished more than RETENTION_JOBS_HOURS ago, on every queue, in
   * bounded calls; waiting, active and delayed jobs are never touched. Stops at the first failure
   * (Redis away: every queue would fail the same way).
   */
  private async cleanJobs(graceMs: number): Promise<number> {
    let total = 0;
    for (const name of Object.values(QueueName)) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      for (const state of ['completed', 'failed'] as const) {
        for (let round = 0; round < MAX_BATCHES; round += 1) {
          const removed = await withTimeout(queue.clean(graceMs, JOB_BATCH, state), REDIS_CALL_TIMEOUT_MS, `cleaning ${state} jobs of ${name}`);
          total += removed.length;
          if (removed.length < JOB_BATCH) break;
        }
      }
    }
    return total;
  }
}

/** Runs a batch statement until it deletes less than a batch, or MAX_BATCHES ran. */
async function drain(batch: (limit: number) => Promise<number>, limit: number): Promise<number> {
  let total = 0;
  for (let round = 0; round < MAX_BATCHES; round += 1) {
    const deleted = await batch(limit);
    total += deleted;
    if (deleted < limit) break;
  }
  return total;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
