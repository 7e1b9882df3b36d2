import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { currentRequestId } from '@mms/config';
import { JobName, PartnerApiError, QueueName } from '@mms/contracts';
import { AcceptOutcome, NewMessage, PG_POOL, acceptMessages } from '@mms/db';
import { MicroBatcher } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { OutboxDispatch, OutboxRelay } from '../outbox/outbox.relay';

/** Hand-offs waiting for Redis beyond which a commit waits for its own (a slow Redis slows accepts). */
const HAND_OFF_BACKLOG = 5000;
/** Jobs per addBulk. */
const HAND_OFF_BATCH = 1000;

/**
 * Group commit of accepted messages, on the fleet's MicroBatcher (libs/queue). A request whose
 * checks passed waits for the next commit: an idle gateway commits it in the next turn of the
 * event loop; while ACCEPT_COMMITS_IN_FLIGHT commits run, requests gather and the next commit
 * takes them all (up to ACCEPT_BATCH_MAX) in one statement: credits, messages, events, outbox
 * rows (libs/db acceptMessages). So one account's burst is a few statements a second on its
 * account row instead of a queue of transactions on it, and Success is still answered only after
 * the message is committed. After the answer, the jobs of every batch committed meanwhile go to
 * Redis in one round trip, on a batcher of their own so that commits never wait for Redis, and
 * their outbox rows are deleted; what that misses the outbox sweeper takes.
 */
@Injectable()
export class AcceptCommitter implements OnApplicationShutdown {
  private readonly commits: MicroBatcher<NewMessage, AcceptOutcome>;
  private readonly handOffs: MicroBatcher<OutboxDispatch, void>;
  /** Hand-offs not yet done: shutdown waits for them. */
  private readonly handingOff = new Set<Promise<unknown>>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    outbox: OutboxRelay,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.commits = new MicroBatcher((batch) => this.commitBatch(batch), {
      maxBatch: config.ACCEPT_BATCH_MAX,
      maxInFlight: config.ACCEPT_COMMITS_IN_FLIGHT,
    });
    // The relay logs a failed hand-off and leaves its rows to the sweeper: it never rejects.
    this.handOffs = new MicroBatcher<OutboxDispatch, void>(
      async (entries) => {
        await outbox.dispatch(entries);
        return entries.map(() => undefined);
      },
      { maxBatch: HAND_OFF_BATCH },
    );
  }

  /**
   * Resolves with the tracking id once the message is committed; E713 when the account's credits
   * ran out. The message keeps the request id of the work committing it (the partner request's
   * log context) unless it names one itself.
   */
  async commit(message: NewMessage): Promise<string> {
    const outcome = await this.commits.call(message.requestId ? message : { ...message, requestId: currentRequestId() ?? null });
    if (!outcome.accepted) throw new PartnerApiError('E713');
    return outcome.trackingId;
  }

  /** Waits for every hand-off in flight (shutdown: no accepted message left half-done). */
  async onApplicationShutdown(): Promise<void> {
    while (this.handingOff.size > 0) await Promise.all([...this.handingOff]);
  }

  private async commitBatch(batch: readonly NewMessage[]): Promise<AcceptOutcome[]> {
    const outcomes = await acceptMessages(this.pool, batch, { queue: QueueName.Barcode, jobName: JobName.RenderBarcode });
    const entries = outcomes.flatMap((o): OutboxDispatch[] =>
      o.accepted ? [{ id: o.outboxId, jobName: JobName.RenderBarcode, payload: { trackingId: o.trackingId } }] : [],
    );
    if (entries.length > 0) {
      const handOff = Promise.all(entries.map((entry) => this.handOffs.call(entry)));
      this.handingOff.add(handOff);
      void handOff.finally(() => this.handingOff.delete(handOff));
      // A backlog means Redis is slow: this commit's slot waits for its own hand-off.
      if (this.handOffs.waiting > HAND_OFF_BACKLOG) await handOff;
    }
    return outcomes;
  }
}
