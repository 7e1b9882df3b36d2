import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobName, jobPayloadSchemas } from '@mms/contracts';
import { PG_POOL, SqlClient, markMessageFailed } from '@mms/db';
import { FleetCounters } from './fleet-counters';
import { OutboxDispatcher } from './outbox-dispatcher';

/**
 * The E101 STATUSDETAILS: a permanent failure's own message is about the content (it does not
 * fit the handset, the template lost its image...) and is the partner's to read; retries that ran
 * out failed on our side or the carrier's (connections, addresses) and say only that.
 */
export function partnerReason(error: Error, stage: string, attempts: number): string {
  if (error.name === 'UnrecoverableError') return error.message;
  const step = stage === 'barcode' ? 'the barcode could not be made' : 'the carrier did not take the message';
  return `${step} after ${attempts} attempts`;
}

/**
 * What a worker does when a message job failed for good: the message is marked FAILED (the
 * ledger writes its E101 postback in the same statement) and the postback job goes to Redis at
 * once. Only a well-formed job speaks for its message: a malformed one must not fail a real one.
 */
@Injectable()
export class MessageFailures {
  private readonly logger = new Logger(MessageFailures.name);

  constructor(
    @Inject(PG_POOL) private readonly db: SqlClient,
    private readonly dispatcher: OutboxDispatcher,
    private readonly counters: FleetCounters,
  ) {}

  /** Called from a processor's `failed` event; never throws (it is logged). */
  async onJobFailed(job: Job, error: Error, jobName: typeof JobName.RenderBarcode | typeof JobName.SubmitMms, stage: string): Promise<void> {
    const final = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    this.logger.warn(`${stage} ${job.id} failed (attempt ${job.attemptsMade}${final ? ', final' : ''}): ${error.message}`);
    const payload = jobPayloadSchemas[jobName].safeParse(job.data);
    if (!final || job.name !== jobName || !payload.success) return;
    try {
      await this.markFailed(payload.data.trackingId, stage, error, job.attemptsMade);
    } catch (e) {
      this.logger.error(`could not mark ${job.id} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * Marks the message of a job that failed for good FAILED, counts it and hands its E101 to Redis;
   * true when the message moved (false: it was already past RENDERED, or failed). Throws when the
   * database does. The gateway's stuck-message reconciler calls it for a failure no worker recorded.
   */
  async markFailed(trackingId: string, stage: string, error: Error, attempts: number): Promise<boolean> {
    const recorded = await markMessageFailed(this.db, trackingId, stage, error.message, partnerReason(error, stage, attempts));
    if (recorded.moved.size > 0) await this.counters.add('final-statuses', ['FAILED']);
    await this.dispatcher.dispatch(recorded.announced);
    return recorded.moved.size > 0;
  }
}
