import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { isJobName, parseJobPayload } from '@mms/contracts';
import { OutboxRow, PG_POOL } from '@mms/db';
import { OutboxDispatcher, PeriodicPass } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';

const SWEEP_BATCH = 500;
/** Claims per sweep at most, so one pass cannot run for ever behind a flood. */
const SWEEP_MAX_ROUNDS = 20;
/** A claimed row not deleted within this is claimed again (its hand-off died or failed). */
const SWEEP_LEASE_SECONDS = 30;

/** An outbox row as the relay hands it to Redis. */
export type OutboxDispatch = OutboxRow;

/**
 * Moves outbox rows into BullMQ. The request that wrote a row dispatches it right after its
 * commit; the sweeper picks up whatever that missed (Redis down, process killed between commit and
 * enqueue), claiming rows with SKIP LOCKED and a lease so gateway replicas never contend. A row is
 * deleted only after Redis took the job; the job id is the tracking id, so a row sent twice is one
 * job.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly sweeper: PeriodicPass;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly dispatcher: OutboxDispatcher,
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

  /** Best effort, right after the commit that wrote the rows (OutboxDispatcher). Returns the error, if any. */
  dispatch(entries: readonly OutboxDispatch[]): Promise<string | undefined> {
    return this.dispatcher.dispatch(entries);
  }

  async dispatchNow(entry: OutboxDispatch): Promise<void> {
    await this.dispatch([entry]);
  }

  /** One sweep; returns how many rows it dispatched. Runs one at a time per process. */
  sweepOnce(): Promise<number> {
    return this.sweeper.runOnce();
  }

  /**
   * Claims due rows (old enough, not claimed within the lease) with a short statement of its own,
   * so no transaction is ever held across Redis calls, then hands them over like the fast path.
   * A claimed row that was not deleted (Redis down, the process killed) is claimed again once its
   * lease ran out. A row that can never be a job (unknown name, bad payload) is set aside with
   * the reason, so it cannot block the rows behind it. Drains until a claim comes back short.
   */
  private async sweep(): Promise<number> {
    let sent = 0;
    try {
      for (let round = 0; round < SWEEP_MAX_ROUNDS; round += 1) {
        const { rows } = await this.pool.query<OutboxDispatch>(
          `UPDATE outbox o SET dispatched_at = (now() AT TIME ZONE 'UTC'), attempts = o.attempts + 1
           WHERE o.id IN (
             SELECT id FROM outbox
             WHERE created_at <= (now() AT TIME ZONE 'UTC') - make_interval(secs => $1)
               AND (dispatched_at IS NULL OR dispatched_at <= (now() AT TIME ZONE 'UTC') - make_interval(secs => $2))
             ORDER BY id LIMIT $3
             FOR UPDATE SKIP LOCKED)
           RETURNING o.id, o.job_name AS "jobName", o.payload`,
          [this.config.OUTBOX_SWEEP_MIN_AGE_MS / 1000, SWEEP_LEASE_SECONDS, SWEEP_BATCH],
        );
        const usable: OutboxDispatch[] = [];
        for (const row of rows) {
          const problem = unusable(row);
          if (problem === undefined) usable.push(row);
          else await this.setAside(row.id, problem);
        }
        const error = await this.dispatch(usable);
        if (error !== undefined) {
          await this.pool.query('UPDATE outbox SET last_error = $2 WHERE id = ANY($1::int[])', [usable.map((row) => row.id), error.slice(0, 500)]);
          break;
        }
        sent += usable.length;
        if (rows.length < SWEEP_BATCH) break;
      }
    } catch (error) {
      this.logger.warn(`outbox sweep failed: ${describe(error)}`);
    }
    if (sent > 0) this.logger.log(`outbox sweep dispatched ${sent} job(s)`);
    return sent;
  }

  private async setAside(id: number, problem: string): Promise<void> {
    this.logger.error(`outbox ${id} set aside, it can never be a job: ${problem}`);
    await this.pool.query(`UPDATE outbox SET dispatched_at = 'infinity', last_error = $2 WHERE id = $1`, [id, problem.slice(0, 500)]);
  }
}

/** Why a row can never become a job, or undefined when it can. */
function unusable(row: OutboxDispatch): string | undefined {
  if (!isJobName(row.jobName)) return `unknown job name ${row.jobName}`;
  try {
    parseJobPayload(row.jobName, row.payload);
    return undefined;
  } catch (error) {
    return describe(error);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
