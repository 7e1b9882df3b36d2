import { Logger } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { Job, Worker } from 'bullmq';
import { lastValueFrom } from 'rxjs';
import { withLogContext } from '@mms/config';
import { InternalSendPattern, QueueName, parseInternalSendJob } from '@mms/contracts';
import { PermanentJobError, redisOptionsFrom, sortJobFailure } from '@mms/queue';

/** Binds handlers to this transport: `@MessagePattern(pattern, INTERNAL_SEND_TRANSPORT)`. */
export const INTERNAL_SEND_TRANSPORT = Symbol('internal-send');

export interface InternalSendServerOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly concurrency: number;
}

/** What a handler gets besides the request: the job, for its id and attempts. */
export class InternalSendContext extends BaseRpcContext<[Job]> {
  getJob(): Job {
    return this.args[0];
  }
}

/**
 * The server side of the internal send transport (libs/send-client is the client): a BullMQ
 * worker on the `internal-send` queue that hands each job to the Nest handler of its pattern,
 * a @MessagePattern one for `send`, an @EventPattern one (or else the message one) for `emit`,
 * and stores what the handler returns as the job's return value, where the client's `send` finds
 * it. A handler's error fails the attempt so BullMQ retries it; a payload that is not a send, or
 * a pattern without a handler, fails the job for good.
 *
 * The queue is the durability: a send made while no gateway runs waits there until one does.
 */
export class InternalSendServer extends Server implements CustomTransportStrategy {
  private readonly eventHandlers = new Map<string, MessageHandler>();
  private readonly log = new Logger('InternalSendServer');
  private worker: Worker | undefined;
  private connected = false;
  private lastErrorLogged = 0;

  constructor(private readonly options: InternalSendServerOptions) {
    super();
    this.transportId = INTERNAL_SEND_TRANSPORT;
  }

  /** Event handlers are kept apart, so one pattern can have a message and an event handler. */
  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    if (!isEventHandler) return super.addHandler(pattern, callback, false, extras);
    callback.isEventHandler = true;
    callback.extras = extras;
    this.eventHandlers.set(this.normalizePattern(pattern as string), callback);
  }

  /**
   * Starts the worker without waiting for Redis (the gateway serves partners without it); jobs
   * are taken once it is reachable. Refuses to start when a pattern has no handler.
   */
  listen(callback: (error?: unknown) => void): void {
    const unhandled = Object.values(InternalSendPattern).filter((pattern) => !this.messageHandlers.has(pattern));
    if (unhandled.length > 0) return callback(new Error(`internal send: no @MessagePattern handler for ${unhandled.join(', ')}`));
    this.worker = new Worker(QueueName.InternalSend, (job) => this.handle(job), {
      connection: redisOptionsFrom(this.options.redisUrl, 'worker'),
      prefix: this.options.prefix,
      concurrency: this.options.concurrency,
    });
    this.worker.on('error', (error) => this.reportError(error));
    this.worker.waitUntilReady().then(
      () => (this.connected = true),
      () => undefined,
    );
    this.worker.on('failed', (job, error) => {
      if (job !== undefined) this.log.warn(`${job.id}: attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1} failed: ${error.message}`);
    });
    callback();
  }

  /**
   * Lets the jobs in hand finish, then disconnects. A worker that never reached Redis has no jobs
   * and would wait for Redis to close gracefully: it is closed at once.
   */
  async close(): Promise<void> {
    await this.worker?.close(!this.connected);
    this.worker = undefined;
  }

  on(): never {
    throw new Error('internal send: no server events to listen to');
  }

  unwrap<T>(): T {
    return this.worker as T;
  }

  /**
   * One job: the handler's outcome becomes its return value; a permanent failure is BullMQ's
   * UnrecoverableError. The job id is the send's request id: its log lines and its message carry it.
   */
  handle(job: Job): Promise<unknown> {
    return withLogContext({ requestId: job.id }, async () => {
      try {
        const { kind, pattern, request } = parseInternalSendJob(job.name, job.data);
        const handler = (kind === 'emit' ? this.eventHandlers.get(pattern) : undefined) ?? this.messageHandlers.get(pattern);
        if (handler === undefined) throw new PermanentJobError(`no handler for ${kind} ${pattern}`);
        const result = await handler(request, new InternalSendContext([job]));
        return await lastValueFrom(this.transformToObservable(result), { defaultValue: null });
      } catch (error) {
        throw sortJobFailure(asError(error));
      }
    });
  }

  private reportError(error: Error): void {
    // A Redis outage repeats its error at every reconnect: once a minute is enough.
    if (Date.now() - this.lastErrorLogged < 60_000) return;
    this.lastErrorLogged = Date.now();
    this.log.warn(`internal-send worker: ${error.message}`);
  }
}

/**
 * Nest's RPC exception filter turns a handler's error into `{ status: 'error', message }` (having
 * logged it): made an Error again, so the job's failedReason says something.
 */
export function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') return new Error(error.message);
  return new Error(String(error));
}
