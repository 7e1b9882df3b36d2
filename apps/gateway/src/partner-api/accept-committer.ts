import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { JobName, PartnerApiError, QueueName } from '@mms/contracts';
import { AcceptOutcome, NewMessage, PG_POOL, acceptMessages } from '@mms/db';
import { GATEWAY_CONFIG, GatewayConfig } from '../config/gateway.config';
import { OutboxDispatch, OutboxRelay } from '../outbox/outbox.relay';

/** Hand-offs waiting for Redis beyond which new commits wait for them (a slow Redis slows accepts). */
const HAND_OFF_BACKLOG = 5000;
/** Jobs per addBulk. */
const HAND_OFF_BATCH = 1000;

interface Waiting {
  readonly message: NewMessage;
  readonly resolve: (trackingId: string) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit of accepted messages. A request whose checks passed waits here for the next
 * commit: when no commit is running, its own starts at once (an idle gateway adds no delay);
 * while ACCEPT_COMMITS_IN_FLIGHT commits run, requests gather and the next commit takes all of
 * them (up to ACCEPT_BATCH_MAX) in one statement: credits, messages, events, outbox rows
 * (libs/db acceptMessages). So one account's burst is a few statements a second on its account
 * row instead of a queue of transactions on it, and Success is still answered only after the
 * message is committed. After the answer, the jobs of every batch committed meanwhile go to
 * Redis in one round trip, on their own pipeline so that commits never wait for Redis, and their
 * outbox rows are deleted; what that misses the outbox sweeper takes.
 */
@Injectable()
export class AcceptCommitter implements OnApplicationShutdown {
  private readonly logger = new Logger(AcceptCommitter.name);
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private readonly idle = new Set<Promise<void>>();
  private handOffs: OutboxDispatch[] = [];
  private handingOff: Promise<void> | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly outbox: OutboxRelay,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Resolves with the tracking id once the message is committed; E713 when the account's credits ran out. */
  commit(message: NewMessage): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.waiting.push({ message, resolve, reject });
      this.next();
    });
  }

  /** Waits for every commit and hand-off in flight (shutdown: no accepted message left half-done). */
  async onApplicationShutdown(): Promise<void> {
    while (this.idle.size > 0 || this.handingOff !== undefined) await Promise.all([...this.idle, this.handingOff]);
  }

  private next(): void {
    while (this.waiting.length > 0 && this.inFlight < this.config.ACCEPT_COMMITS_IN_FLIGHT) {
      const batch = this.waiting.splice(0, this.config.ACCEPT_BATCH_MAX);
      this.inFlight += 1;
      const run = this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.idle.delete(run);
        this.next();
      });
      this.idle.add(run);
    }
  }

  private async run(batch: readonly Waiting[]): Promise<void> {
    if (this.handOffs.length > HAND_OFF_BACKLOG) await this.handingOff;
    let outcomes: AcceptOutcome[];
    try {
      outcomes = await acceptMessages(
        this.pool,
        batch.map((w) => w.message),
        { queue: QueueName.Barcode, jobName: JobName.RenderBarcode },
      );
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    const accepted: OutboxDispatch[] = [];
    outcomes.forEach((outcome, index) => {
      const w = batch[index] as Waiting;
      if (!outcome.accepted) {
        w.reject(new PartnerApiError('E713'));
        return;
      }
      w.resolve(outcome.trackingId);
      accepted.push({ id: outcome.outboxId, jobName: JobName.RenderBarcode, payload: { trackingId: outcome.trackingId } });
    });
    if (batch.length > 1) this.logger.debug(`committed ${batch.length} accepts in one statement`);
    this.handOff(accepted);
  }

  private handOff(entries: readonly OutboxDispatch[]): void {
    this.handOffs.push(...entries);
    this.startDrain();
  }

  /** One drain at a time, until nothing is left; one that ends starts the next if entries came meanwhile. */
  private startDrain(): void {
    if (this.handingOff !== undefined || this.handOffs.length === 0) return;
    this.handingOff = this.drainHandOffs().finally(() => {
      this.handingOff = undefined;
      this.startDrain();
    });
  }

  private async drainHandOffs(): Promise<void> {
    while (this.handOffs.length > 0) await this.outbox.dispatch(this.handOffs.splice(0, HAND_OFF_BATCH));
  }
}
