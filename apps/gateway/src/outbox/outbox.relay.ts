import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { JobName, isJobName, parseJobPayload } from '@mms/contracts';
import { OutboxEntry, PG_POOL, PrismaService } from '@mms/db';
import { JobProducer } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { PeriodicPass } from './periodic-pass';

const SWEEP_BATCH = 200;

/** An outbox row as the relay hands it to Redis. */
export type OutboxDispatch = Pick<OutboxEntry, 'id' | 'jobName' | 'payload'>;

/**
 * Moves outbox rows into BullMQ. The request that wrote a row dispatches it right after its
 * commit; the sweeper picks up whatever that missed (Redis down, process killed between commit and
 * enqueue), in batches locked with SKIP LOCKED so gateway replicas never contend. A row is deleted
 * only after Redis took the job; the job id is the tracking id, so a row sent twice is one job.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly sweeper: PeriodicPass;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly producer: JobProducer,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.sweeper = new PeriodicPass(config.OUTBOX_SWEEP_INTERVAL_MS, () => this.sweep());
  }

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }

  /**
   * Best effort, right after the commit that wrote the rows: their jobs go to Redis in one round
   * trip per job name, then the rows are deleted in one statement. A failure leaves the rows for
   * the sweeper and never fails the request that wrote them.
   */
  async dispatch(entries: readonly OutboxDispatch[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      const byName = new Map<JobName, unknown[]>();
      for (const entry of entries) {
        if (!isJobName(entry.jobName)) throw new Error(`outbox ${entry.id}: unknown job name ${entry.jobName}`);
        const payloads = byName.get(entry.jobName) ?? [];
        payloads.push(entry.payload);
        byName.set(entry.jobName, payloads);
      }
      for (const [name, payloads] of byName) {
        await this.producer.enqueueMany(name, payloads.map((payload) => parseJobPayload(name, payload)));
      }
      await this.pool.query('DELETE FROM outbox WHERE id = ANY($1::int[])', [entries.map((entry) => entry.id)]);
    } catch (error) {
      this.logger.warn(`${entries.length} outbox row(s) left for the sweeper: ${describe(error)}`);
    }
  }

  dispatchNow(entry: OutboxDispatch): Promise<void> {
    return this.dispatch([entry]);
  }

  /** One sweep; returns how many rows it dispatched. Runs one at a time per process. */
  sweepOnce(): Promise<number> {
    return this.sweeper.runOnce();
  }

  private async sweep(): Promise<number> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const due = await tx.$queryRaw<OutboxEntry[]>`
          SELECT id, queue, job_name AS "jobName", job_id AS "jobId", payload, created_at AS "createdAt",
                 dispatched_at AS "dispatchedAt", attempts, last_error AS "lastError"
          FROM outbox
          WHERE created_at <= now() - make_interval(secs => ${this.config.OUTBOX_SWEEP_MIN_AGE_MS / 1000})
          ORDER BY id
          LIMIT ${SWEEP_BATCH}
          FOR UPDATE SKIP LOCKED`;
        const sent: number[] = [];
        for (const entry of due) {
          try {
            await this.enqueue(entry);
            sent.push(entry.id);
          } catch (error) {
            await tx.outboxEntry.update({
              where: { id: entry.id },
              data: { attempts: { increment: 1 }, lastError: describe(error).slice(0, 500) },
            });
          }
        }
        if (sent.length > 0) {
          await tx.outboxEntry.deleteMany({ where: { id: { in: sent } } });
          this.logger.log(`outbox sweep dispatched ${sent.length} job(s)`);
        }
        return sent.length;
      });
    } catch (error) {
      this.logger.warn(`outbox sweep failed: ${describe(error)}`);
      return 0;
    }
  }

  private async enqueue(entry: OutboxEntry): Promise<void> {
    if (!isJobName(entry.jobName)) throw new Error(`outbox ${entry.id}: unknown job name ${entry.jobName}`);
    await this.producer.enqueue(entry.jobName, parseJobPayload(entry.jobName, entry.payload));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
