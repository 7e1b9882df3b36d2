import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DatabaseError, type Pool } from 'pg';
import { currentRequestId } from '@mms/config';
import { JobName, PartnerApiError, QueueName } from '@mms/contracts';
import { AcceptOutcome, NewMessage, PG_POOL, acceptMessages, withdrawAccepts } from '@mms/db';
import { MicroBatcher } from '@mms/queue';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { OutboxDispatch, OutboxRelay } from '../outbox/outbox.relay';

/** Hand-offs waiting for Redis beyond which a commit waits for its own (a slow Redis slows accepts). */
const HAND_OFF_BACKLOG = 5000;
/** Jobs per addBulk. */
const HAND_OFF_BATCH = 1000;
/** How often commits in doubt are tried again while the database is away. */
const IN_DOUBT_RETRY_MS = 250;
/** How far back the ACCEPTED events of a commit in doubt are looked for (clock skew, long outages). */
const IN_DOUBT_LOOKBACK_MS = 10 * 60_000;

/**
 * Whether a failed commit may nevertheless have committed: the statement left this process and
 * the connection broke before its answer came back. An answer from the server (an SQLSTATE) means
 * it rolled back, and a connection never made sent nothing.
 */
export function commitOutcomeUnknown(error: unknown): boolean {
  if (error instanceof DatabaseError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return false;
  const message = error instanceof Error ? error.message : String(error);
  return !/timeout exceeded when trying to connect|Connection terminated due to connection timeout|Cannot use a pool after calling end/i.test(message);
}

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
  private readonly logger = new Logger(AcceptCommitter.name);
  private readonly commits: MicroBatcher<NewMessage, AcceptOutcome>;
  private readonly handOffs: MicroBatcher<OutboxDispatch, void>;
  /** Hand-offs not yet done: shutdown waits for them. */
  private readonly handingOff = new Set<Promise<unknown>>();
  /** Tokens of commits answered E503 whose outcome was lost, with when they were sent. */
  private readonly inDoubt = new Map<string, number>();
  private inDoubtTimer: NodeJS.Timeout | undefined;
  private closed = false;

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

  /** Waits for every hand-off in flight (shutdown: no accepted message left half-done); withdraws commits in doubt once more. */
  async onApplicationShutdown(): Promise<void> {
    while (this.handingOff.size > 0) await Promise.all([...this.handingOff]);
    this.closed = true;
    clearTimeout(this.inDoubtTimer);
    if (this.inDoubt.size > 0) await this.withdrawInDoubt();
    if (this.inDoubt.size > 0) {
      this.logger.error(
        `stopping with ${this.inDoubt.size} commit(s) in doubt not withdrawn (the database is away): messages they stored may go out although their partners were answered E503; ACCEPTED events with detail.commit in ${[...this.inDoubt.keys()].join(', ')}`,
      );
    }
  }

  /** Commits answered E503 whose outcome is not known yet (tests, readiness details). */
  get commitsInDoubt(): number {
    return this.inDoubt.size;
  }

  private async commitBatch(batch: readonly NewMessage[]): Promise<AcceptOutcome[]> {
    const token = randomUUID();
    const sentAt = Date.now();
    let outcomes: AcceptOutcome[];
    try {
      outcomes = await acceptMessages(this.pool, batch, { queue: QueueName.Barcode, jobName: JobName.RenderBarcode }, token);
    } catch (error) {
      // The partners get E503 (not accepted): whatever this commit stored must not go out.
      if (commitOutcomeUnknown(error)) this.holdInDoubt(token, sentAt);
      throw error;
    }
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

  private holdInDoubt(token: string, sentAt: number): void {
    this.inDoubt.set(token, sentAt);
    this.logger.warn(`commit ${token} lost its database connection before its outcome came back: answered E503, its messages will be withdrawn if it committed`);
    this.scheduleWithdrawal();
  }

  /** The next try; none once shut down (the pool is gone), and never what keeps the process alive. */
  private scheduleWithdrawal(): void {
    if (this.closed || this.inDoubtTimer !== undefined) return;
    this.inDoubtTimer = setTimeout(() => void this.withdrawInDoubt(), IN_DOUBT_RETRY_MS);
    this.inDoubtTimer.unref();
  }

  /** Tries the withdrawal of every commit in doubt; retries while the database is away. */
  private async withdrawInDoubt(): Promise<void> {
    this.inDoubtTimer = undefined;
    const tokens = [...this.inDoubt.keys()];
    if (tokens.length === 0) return;
    try {
      const since = new Date(Math.min(...this.inDoubt.values()) - IN_DOUBT_LOOKBACK_MS);
      const { withdrawn, tooLate } = await withdrawAccepts(this.pool, tokens, since);
      for (const token of tokens) this.inDoubt.delete(token);
      if (withdrawn.length > 0) this.logger.warn(`withdrew ${withdrawn.length} message(s) of commits answered E503: ${withdrawn.join(', ')}`);
      if (tooLate.length > 0) this.logger.error(`${tooLate.length} message(s) of commits answered E503 had already been sent: ${tooLate.join(', ')}`);
    } catch {
      // Still away: the next try comes soon.
      this.scheduleWithdrawal();
    }
  }
}
