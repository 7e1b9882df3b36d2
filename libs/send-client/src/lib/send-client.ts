import type { EventEmitter } from 'node:events';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { Queue, QueueEvents } from 'bullmq';
import type { Observable } from 'rxjs';
import { InternalSendPattern, QueueName, SendBarcodeRequest, SendBarcodeResult } from '@mms/contracts';
import { redisOptionsFrom, withTimeout } from '@mms/queue';
import { SendClientClosedError, SendNotQueuedError, SendTimeoutError } from './send-errors';
import { SendJob, packetOfFailure, packetOfOutcome, sendJobOf } from './send-packets';
import { sendJobOptions } from './send-job-options';

export interface SendClientOptions {
  readonly redisUrl: string;
  /** The fleet's BullMQ prefix (QUEUE_PREFIX): the gateway works the queue under the same one. */
  readonly prefix: string;
  /** How long `send` waits for the outcome before SendTimeoutError (the send stays queued). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Handing a job to Redis never hangs the caller longer than this. */
const ENQUEUE_TIMEOUT_MS = 2000;
/** A waiting send also looks at its job this often, in case its completion event went by unseen. */
const RECHECK_MS = 3000;

/**
 * The client side of the internal send transport (the gateway's InternalSendServer is the server):
 * a Nest ClientProxy whose messages are BullMQ jobs on the `internal-send` queue.
 *
 * - `send(InternalSendPattern.SendBarcode, request)` queues the send and emits its result
 *   ({ trackingId, mmsId, to }) once the gateway accepted it, or fails with SendRefusedError
 *   carrying the API's error code; SendTimeoutError when no gateway answered within `timeoutMs`
 *   (the send stays queued). Each subscription delivers one outcome, once.
 * - `emit(...)` only queues it: completes once Redis has the job.
 *
 * Durable: the job waits in Redis while no gateway runs and is accepted when one comes back. The
 * request's idempotency key is the job id, so sending again with the same key (after a timeout,
 * a crash) is the same send: it gets the first one's outcome while that is kept (a day).
 */
export class InternalSendClient extends ClientProxy {
  private queue: Queue | undefined;
  private events: QueueEvents | undefined;
  /** Cancels each send waiting for its outcome (close ends them). */
  private readonly waiting = new Set<() => void>();

  constructor(private readonly options: SendClientOptions) {
    super();
  }

  /** Typed `send` of one barcode MMS. */
  sendBarcode(request: SendBarcodeRequest): Observable<SendBarcodeResult> {
    return this.send<SendBarcodeResult, SendBarcodeRequest>(InternalSendPattern.SendBarcode, request);
  }

  /** Typed `emit`: queued, fire and forget (the outcome is kept with the job). */
  queueBarcode(request: SendBarcodeRequest): Observable<undefined> {
    return this.emit<undefined, SendBarcodeRequest>(InternalSendPattern.SendBarcode, request);
  }

  /** Creates the connections; never waits for Redis (a send does, within its timeout). */
  async connect(): Promise<void> {
    if (this.queue !== undefined) return;
    const { redisUrl, prefix } = this.options;
    this.queue = new Queue(QueueName.InternalSend, { connection: redisOptionsFrom(redisUrl, 'producer'), prefix });
    // Connection errors reach each send as SendNotQueuedError or SendTimeoutError; not logged per reconnect.
    this.queue.on('error', () => undefined);
    this.events = new QueueEvents(QueueName.InternalSend, { connection: redisOptionsFrom(redisUrl, 'worker'), prefix });
    this.events.on('error', () => undefined);
    this.events.setMaxListeners(0); // two listeners per waiting send, each on its own job's event names
  }

  /** Ends every send still waiting (SendClientClosedError; they stay queued), then the connections. */
  async close(): Promise<void> {
    for (const cancel of this.waiting) cancel();
    const { queue, events } = this;
    this.queue = undefined;
    this.events = undefined;
    await Promise.all([events?.close(), queue?.close()]);
  }

  unwrap<T>(): T {
    return { queue: this.queue, events: this.events } as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let job: SendJob;
    try {
      job = sendJobOf(packet.pattern, packet.data, 'send');
    } catch (error) {
      callback({ err: error });
      return () => undefined;
    }
    const { queue, events: queueEvents } = this.connection();
    // QueueEvents also emits `completed:<job id>` and `failed:<job id>`, outside its typed listener map.
    const events = queueEvents as unknown as EventEmitter;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let settled = false;
    const onCompleted = ({ returnvalue }: { returnvalue: unknown }) => finish(packetOfOutcome(returnvalue));
    const onFailed = ({ failedReason }: { failedReason: string }) => finish(packetOfFailure(failedReason));
    const timer = setTimeout(() => finish({ err: new SendTimeoutError(job.idempotencyKey, timeoutMs) }), timeoutMs);
    const recheck = setInterval(() => void this.outcomeOf(queue, job.jobId).then((found) => found && finish(found), () => undefined), RECHECK_MS);
    const stop = () => {
      settled = true;
      clearTimeout(timer);
      clearInterval(recheck);
      events.off(`completed:${job.jobId}`, onCompleted);
      events.off(`failed:${job.jobId}`, onFailed);
      this.waiting.delete(cancel);
    };
    // The outcome is delivered once: whichever of event, recheck, timeout or close comes first.
    const finish = (result: WritePacket) => {
      if (settled) return;
      stop();
      callback(result);
    };
    const cancel = () => finish({ err: new SendClientClosedError(job.idempotencyKey) });
    this.waiting.add(cancel);
    events.on(`completed:${job.jobId}`, onCompleted);
    events.on(`failed:${job.jobId}`, onFailed);

    void (async () => {
      try {
        await this.enqueue(queue, job);
      } catch (error) {
        return finish({ err: new SendNotQueuedError(job.idempotencyKey, error instanceof Error ? error.message : String(error)) });
      }
      // Listening before looking: an outcome that came before the listener (an earlier send with
      // this key) is found by the look; one after it, by the listener.
      await queueEvents.waitUntilReady();
      const found = await this.outcomeOf(queue, job.jobId);
      if (found !== undefined) finish(found);
    })().catch(() => undefined); // the recheck and the timeout still settle it
    // Unsubscribing stops waiting; the send itself stays queued.
    return stop;
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    const job = sendJobOf(packet.pattern, packet.data, 'emit');
    try {
      await this.enqueue(this.connection().queue, job);
    } catch (error) {
      throw new SendNotQueuedError(job.idempotencyKey, error instanceof Error ? error.message : String(error));
    }
    return undefined as T;
  }

  private connection(): { queue: Queue; events: QueueEvents } {
    if (this.queue === undefined || this.events === undefined) throw new Error('internal send client is closed');
    return { queue: this.queue, events: this.events };
  }

  /** Adds the job; a job with this id already known to Redis is left as it is (same send). */
  private async enqueue(queue: Queue, job: SendJob): Promise<void> {
    await withTimeout(queue.add(job.name, job.data, sendJobOptions(job.jobId)), ENQUEUE_TIMEOUT_MS, `queue send ${job.idempotencyKey}`);
  }

  /** The outcome of a finished job, or undefined while it is not finished. */
  private async outcomeOf(queue: Queue, jobId: string): Promise<WritePacket | undefined> {
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') return undefined;
    const job = await queue.getJob(jobId);
    if (job === undefined) return undefined;
    return state === 'completed' ? packetOfOutcome(job.returnvalue) : packetOfFailure(job.failedReason);
  }
}
