import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobName, isJobName, parseJobPayload } from '@mms/contracts';
import { OutboxRow, PG_POOL, SqlClient } from '@mms/db';
import { JobProducer } from './job-producer';

/**
 * Hands outbox rows to BullMQ right after the commit that wrote them: their jobs go to Redis in
 * one round trip per job name, then the rows are deleted in one statement. A failure leaves the
 * rows for the gateway's outbox sweeper and never fails the work that wrote them. Every process
 * that records steps uses it (the gateway for accepts, the workers for the postbacks their steps
 * announce); job ids are deterministic, so a row sent twice is one job.
 */
@Injectable()
export class OutboxDispatcher {
  private readonly logger = new Logger(OutboxDispatcher.name);

  constructor(
    @Inject(PG_POOL) private readonly db: SqlClient,
    private readonly producer: JobProducer,
  ) {}

  /** Returns the error that left the rows for the sweeper, if any. */
  async dispatch(entries: readonly OutboxRow[]): Promise<string | undefined> {
    if (entries.length === 0) return undefined;
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
      await this.db.query('DELETE FROM outbox WHERE id = ANY($1::int[])', [entries.map((entry) => entry.id)]);
      return undefined;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`${entries.length} outbox row(s) left for the sweeper: ${reason}`);
      return reason;
    }
  }
}
