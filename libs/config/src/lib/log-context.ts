import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What every log line of one unit of work carries: the partner request's id, in the gateway for
 * the request, in a worker for a job of the message that request made (loaded with the message).
 * The logger (createLogger) adds it to each line written while the work runs.
 */
export interface LogContext {
  requestId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` in a log context of its own: lines logged by it and what it awaits carry `context`. */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/** The context of the work running now, if any. */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}

/** The request id of the work running now, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * Names the request of the work running now, once it is known (a job learns it with its
 * message): the lines logged from here on, in this unit of work, carry it. No-op outside one.
 */
export function setLogRequestId(requestId: string | null | undefined): void {
  const context = storage.getStore();
  if (context !== undefined && requestId) context.requestId = requestId;
}

/**
 * Runs `work` outside any log context: for work done on behalf of many (a batch of jobs or
 * requests), whose lines must not carry the id of whichever one happened to start it.
 */
export function outsideLogContext<T>(work: () => T): T {
  return storage.exit(work);
}

/** What a partner may send as X-Request-Id and have us keep: a short token, nothing that needs escaping. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** Seven digits or more and nothing else could be a phone number, which no log line may show. */
const PHONE_LIKE = /^[0-9]{7,}$/;

/**
 * The request id of an HTTP request: the partner's `X-Request-Id` when it is a sane token (up to
 * 64 letters, digits, `.`, `_`, `:` or `-`, not a bare number that could be a phone's), so the
 * partner can find our side of a request it logged; otherwise (absent, repeated, too long, odd
 * characters) a fresh UUID.
 */
export function requestIdFrom(header: string | readonly string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) && !PHONE_LIKE.test(header) ? header : randomUUID();
}
