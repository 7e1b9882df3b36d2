import type { Presentation } from '../content/presentation';
import type { Mm7Address, Recipient } from '../mm7/submit-req.validator';

export interface StoredPart {
  readonly index: number;
  /** The part's media type as we serve it (`type/subtype`, with its charset if any). */
  readonly contentType: string;
  readonly essence: string;
  readonly charset: string | null;
  readonly contentId: string | null;
  readonly contentLocation: string | null;
  readonly body: Buffer;
}

export type DeliveryReportState = 'not-requested' | 'off' | 'scheduled' | 'sending' | 'delivered' | 'failed' | 'cancelled';

/** One DeliveryReportReq (one per recipient) and what became of it. */
export interface DeliveryReportRecord {
  readonly recipient: Recipient;
  state: DeliveryReportState;
  mmStatus: string | null;
  transactionId: string | null;
  attempts: number;
  /** HTTP status of the last answer, and the StatusCode in its DeliveryReportRsp. */
  httpStatus: number | null;
  statusCode: number | null;
  error: string | null;
  lastAttemptAt: Date | null;
}

/** A SubmitReq as the simulator received it, accepted or refused. */
export interface StoredMessage {
  readonly id: string;
  readonly receivedAt: Date;
  readonly transactionId: string | null;
  /** The MessageID of our SubmitRsp (null when refused). */
  readonly messageId: string | null;
  readonly status: 'accepted' | 'rejected';
  readonly statusCode: number;
  readonly statusText: string;
  readonly details: string | null;
  /** Which injected failure decided the answer, if one did. */
  readonly injected: 'status' | 'percent' | 'timeout' | null;
  /** Another accepted SubmitReq had the same TransactionID before. */
  readonly repeat: boolean;
  readonly repeatOf: string | null;
  readonly mm7Version: string | null;
  readonly mm7Namespace: string | null;
  readonly dialect: string | null;
  readonly operation: string | null;
  readonly vaspId: string | null;
  readonly vasId: string | null;
  readonly sender: Mm7Address | null;
  readonly recipients: readonly Recipient[];
  readonly subject: string | null;
  readonly messageClass: string | null;
  readonly priority: string | null;
  readonly serviceCode: string | null;
  readonly linkedId: string | null;
  readonly deliveryReportRequested: boolean | null;
  readonly allowAdaptations: boolean | null;
  readonly contentType: string | null;
  readonly contentBytes: number;
  readonly parts: readonly StoredPart[];
  readonly presentation: Presentation;
  readonly soapXml: string | null;
  readonly warnings: readonly string[];
  readonly deliveryReports: DeliveryReportRecord[];
}

/** The JSON of GET /api/messages (FIXED-POINTS.md), plus the simulator's own fields after them. */
export function messageSummary(message: StoredMessage) {
  return {
    id: message.id,
    transactionId: message.transactionId,
    messageId: message.messageId,
    receivedAt: message.receivedAt.toISOString(),
    from: message.sender?.value ?? null,
    to: message.recipients.map((r) => r.value).join(', '),
    subject: message.subject,
    status: message.status,
    parts: message.parts.map((p) => ({ index: p.index, contentType: p.contentType, contentId: p.contentId, size: p.body.length })),
    statusCode: message.statusCode,
    statusText: message.statusText,
    details: message.details,
    injected: message.injected,
    repeat: message.repeat,
    repeatOf: message.repeatOf,
    recipients: message.recipients,
    mm7Version: message.mm7Version,
    mm7Namespace: message.mm7Namespace,
    dialect: message.dialect,
    messageClass: message.messageClass,
    deliveryReportRequested: message.deliveryReportRequested,
    allowAdaptations: message.allowAdaptations,
    contentBytes: message.contentBytes,
    warnings: message.warnings,
    deliveryReports: message.deliveryReports.map((r) => ({
      recipient: r.recipient.value,
      state: r.state,
      mmStatus: r.mmStatus,
      transactionId: r.transactionId,
      attempts: r.attempts,
      httpStatus: r.httpStatus,
      statusCode: r.statusCode,
      error: r.error,
      lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
    })),
  };
}

export type MessageSummary = ReturnType<typeof messageSummary>;
