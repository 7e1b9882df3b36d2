import { z } from 'zod';
import { ErrorInfo, type ErrorCode } from './error-catalogue';
import { InvalidJobPayloadError, describeIssues } from './queues';
import { dropNonXmlChars } from './xml-escape';

/**
 * Sends from our own services (ticketing, CRM) without XML: libs/send-client puts them on the
 * `internal-send` queue, the gateway runs them through the partner API's own accept use case
 * (same checks, error precedence, credits, tracking ids). docs/internal-send.md.
 */

/** Message patterns of the internal send transport: `client.send(pattern, request)` or `client.emit(...)`. */
export const InternalSendPattern = {
  SendBarcode: 'sendMMSBarcode',
} as const;
export type InternalSendPattern = (typeof InternalSendPattern)[keyof typeof InternalSendPattern];

/** Text the partner API could carry: no characters XML cannot (control characters are E108 there). */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => dropNonXmlChars(value) === value, 'control characters are not allowed');

/** Integer ids as the API gives them; which exist is for the accept checks to say (E241, E632, E714). */
const apiId = z.number().int().min(0).max(999_999_999);

export const sendCredentialsSchema = z.union([
  z.object({ apiKey: text(200).min(1) }).strict(),
  /** Legacy USER + md5(PASS), where the account enables it. */
  z.object({ user: text(200).min(1), passMd5: text(64).min(1) }).strict(),
]);

/**
 * One sendMMSBarcode, typed. `idempotencyKey` names the send: it is the job id, so sending again
 * with the same key (a retry after a timeout, a restarted caller) is the same send and gets the
 * same result while the first is kept (docs/internal-send.md), never a second message.
 */
export const sendBarcodeRequestSchema = z
  .object({
    idempotencyKey: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'letters, digits, _, . and - only (1-128)'),
    credentials: sendCredentialsSchema,
    mmsId: apiId,
    to: text(2000),
    from: text(32),
    /** Left out: the template's default database, as in the API. */
    databaseId: apiId.optional(),
    barcodeId: text(4096),
    campaignRef: apiId.optional(),
    customSubject: text(1000).optional(),
    customTexts: z
      .array(z.object({ slide: z.number().int().min(1).max(99), value: text(4096) }).strict())
      .max(64)
      .optional(),
    /** DATA fields, merged into slide text as {{NAME}} (names are upper-cased as the API does). */
    data: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'not a field name'), text(4096))
      .refine((fields) => Object.keys(fields).length <= 100, 'at most 100 fields')
      .optional(),
    device: text(200).optional(),
  })
  .strict();

export type SendBarcodeRequest = z.infer<typeof sendBarcodeRequestSchema>;
export type SendCredentials = SendBarcodeRequest['credentials'];

const errorCodeSchema = z.enum(Object.keys(ErrorInfo) as [ErrorCode, ...ErrorCode[]]);

/**
 * What the gateway made of a send, stored as the job's return value: accepted with the tracking
 * id, or refused with the partner API's error code and text. A refusal is a completed job.
 */
export const sendBarcodeOutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('accepted'), trackingId: z.string().min(1), mmsId: z.number().int(), to: z.string() }).strict(),
  z.object({ status: z.literal('refused'), errorCode: errorCodeSchema, errorInfo: z.string() }).strict(),
]);

export type SendBarcodeOutcome = z.infer<typeof sendBarcodeOutcomeSchema>;
export type SendBarcodeAccepted = Extract<SendBarcodeOutcome, { status: 'accepted' }>;
/** What `client.send(InternalSendPattern.SendBarcode, request)` emits. */
export type SendBarcodeResult = Omit<SendBarcodeAccepted, 'status'>;

/** `send` waits for the outcome; `emit` only queues it (fire and forget). */
export const internalSendJobSchema = z.object({ kind: z.enum(['send', 'emit']), request: sendBarcodeRequestSchema }).strict();
export type InternalSendJob = z.infer<typeof internalSendJobSchema>;

export function isInternalSendPattern(name: string): name is InternalSendPattern {
  return Object.values<string>(InternalSendPattern).includes(name);
}

/** Checks an internal-send job as it comes off Redis: its name is the pattern. */
export function parseInternalSendJob(name: string, data: unknown): InternalSendJob & { readonly pattern: InternalSendPattern } {
  if (!isInternalSendPattern(name)) throw new InvalidJobPayloadError(name, 'not an internal send pattern');
  const result = internalSendJobSchema.safeParse(data);
  if (!result.success) throw new InvalidJobPayloadError(name, describeIssues(result.error));
  return { ...result.data, pattern: name };
}

/** The job id of a send: its idempotency key, so the same send queued twice is one job. */
export function internalSendJobId(idempotencyKey: string): string {
  return `send-${idempotencyKey}`;
}
