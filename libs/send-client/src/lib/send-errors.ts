import { RpcException } from '@nestjs/microservices';
import type { ErrorCode } from '@mms/contracts';

/**
 * The gateway refused the send with the partner API's error code and text (error catalogue):
 * E713 no credits, E241 no such MMSID, E104 a wrong key... A send whose job failed for good
 * (retries exhausted) is refused E503, as the XML API answers an internal error. Nothing was
 * accepted and no credit taken.
 */
export class SendRefusedError extends RpcException {
  constructor(
    readonly errorCode: ErrorCode,
    readonly errorInfo: string,
    /** Why the gateway could not process it (E503 only). */
    readonly detail?: string,
  ) {
    super({ errorCode, errorInfo });
    this.name = 'SendRefusedError';
    this.message = `${errorCode} ${errorInfo}${detail === undefined ? '' : ` (${detail})`}`;
  }

  override getError(): { errorCode: ErrorCode; errorInfo: string } {
    return { errorCode: this.errorCode, errorInfo: this.errorInfo };
  }
}

/**
 * No outcome within the client's timeout (no gateway running, a long backlog). The send stays
 * queued and is still worked; its outcome is kept with its job: send again with the same
 * idempotency key to get it (never a second message).
 */
export class SendTimeoutError extends RpcException {
  constructor(
    readonly idempotencyKey: string,
    timeoutMs: number,
  ) {
    super(`no outcome for send ${idempotencyKey} within ${timeoutMs} ms: it stays queued; send again with the same idempotency key for its outcome`);
    this.name = 'SendTimeoutError';
  }
}

/**
 * The send could not be handed to Redis (unreachable, or too slow to answer). It may not be
 * queued: send again with the same idempotency key (a send that did reach the queue is not doubled).
 */
export class SendNotQueuedError extends RpcException {
  constructor(
    readonly idempotencyKey: string,
    reason: string,
  ) {
    super(`send ${idempotencyKey} not queued: ${reason}`);
    this.name = 'SendNotQueuedError';
  }
}

/** The request is not a send (fails the contract's schema) or the pattern is unknown: fix the caller. */
export class InvalidSendError extends RpcException {
  constructor(problem: string) {
    super(`invalid internal send: ${problem}`);
    this.name = 'InvalidSendError';
  }
}

/** The client was closed while the send waited for its outcome; the send stays queued. */
export class SendClientClosedError extends RpcException {
  constructor(readonly idempotencyKey: string) {
    super(`client closed before send ${idempotencyKey} had an outcome: it stays queued`);
    this.name = 'SendClientClosedError';
  }
}
