import type { WritePacket } from '@nestjs/microservices';
import {
  InternalSendJob,
  InternalSendPattern,
  SendBarcodeResult,
  describeIssues,
  errorInfoFor,
  internalSendJobId,
  isInternalSendPattern,
  sendBarcodeOutcomeSchema,
  sendBarcodeRequestSchema,
} from '@mms/contracts';
import { InvalidSendError, SendRefusedError } from './send-errors';

/** What goes on the queue for one send: the pattern as job name, the idempotency key as job id. */
export interface SendJob {
  readonly name: InternalSendPattern;
  readonly jobId: string;
  readonly idempotencyKey: string;
  readonly data: InternalSendJob;
}

/**
 * The job of a `send` or an `emit`, checked against the contract before it leaves the process
 * (the gateway checks it again as it comes off Redis). InvalidSendError when it is no send.
 */
export function sendJobOf(pattern: unknown, data: unknown, kind: InternalSendJob['kind']): SendJob {
  if (typeof pattern !== 'string' || !isInternalSendPattern(pattern)) {
    throw new InvalidSendError(`unknown pattern ${typeof pattern === 'string' ? pattern : typeof pattern}`);
  }
  const parsed = sendBarcodeRequestSchema.safeParse(data);
  if (!parsed.success) throw new InvalidSendError(describeIssues(parsed.error));
  const { idempotencyKey } = parsed.data;
  return { name: pattern, jobId: internalSendJobId(idempotencyKey), idempotencyKey, data: { kind, request: parsed.data } };
}

/**
 * A completed job's return value as the answer of `send`: the result when accepted (one value,
 * then complete), a SendRefusedError with the API's code when refused.
 */
export function packetOfOutcome(returnValue: unknown): WritePacket<SendBarcodeResult> {
  const outcome = sendBarcodeOutcomeSchema.safeParse(returnValue);
  if (!outcome.success) return { err: internalError(`unreadable outcome: ${describeIssues(outcome.error)}`) };
  if (outcome.data.status === 'refused') return { err: new SendRefusedError(outcome.data.errorCode, outcome.data.errorInfo) };
  const { trackingId, mmsId, to } = outcome.data;
  return { response: { trackingId, mmsId, to }, isDisposed: true };
}

/** A job failed for good (retries exhausted, or a payload the gateway refused): E503, as the XML API answers. */
export function packetOfFailure(failedReason: string | undefined): WritePacket<never> {
  return { err: internalError(failedReason ?? 'the job failed') };
}

function internalError(detail: string): SendRefusedError {
  return new SendRefusedError('E503', errorInfoFor('E503'), detail);
}
