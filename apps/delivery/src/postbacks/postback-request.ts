import { createHash, createHmac } from 'node:crypto';
import {
  MessageStatus,
  PostbackCode,
  PostbackNotice,
  PostbackStatus,
  renderPostback,
  renderPostbackBundle,
  spidFor,
} from '@mms/contracts';
import type { PostbackForm } from '@mms/db';
import type { ClaimedPostback } from './postback.repository';

/** Who is calling, for partners' logs and firewalls. */
export const POSTBACK_USER_AGENT = 'mmsgw-postbacks/1.0';

const N102_STATUS: Readonly<Record<string, PostbackStatus>> = {
  [MessageStatus.Delivered]: PostbackStatus.Delivered,
  [MessageStatus.Expired]: PostbackStatus.Expired,
  [MessageStatus.Rejected]: PostbackStatus.Rejected,
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** The document's fields for a claimed postback: the message as the API answer gave it, the step's facts. */
export function noticeOf(postback: ClaimedPostback): PostbackNotice {
  const common = {
    mmsId: postback.templateId,
    to: postback.toNumber,
    trackingId: postback.trackingId,
    timestamp: postback.occurredAt,
  };
  const spid = spidFor(postback.toCountry, postback.routeCarrier);
  const detail = postback.detail;
  switch (postback.code) {
    case PostbackCode.Sent:
      return { ...common, code: postback.code, status: PostbackStatus.Sent, sentAs: 'MMS', spid };
    case PostbackCode.DeliveryReport:
      return {
        ...common,
        code: postback.code,
        status: N102_STATUS[String(detail['status'])] ?? PostbackStatus.Delivered,
        sentAs: 'MMS',
        spid,
        handset: text(detail['handset']) ?? postback.handset ?? undefined,
        aggregatorId: text(detail['mmscMessageId']) ?? postback.carrierMessageId ?? undefined,
      };
    case PostbackCode.Failed:
      return {
        ...common,
        code: postback.code,
        status: PostbackStatus.Failed,
        statusDetails: text(detail['statusDetails']) ?? text(detail['reason']) ?? 'The message could not be sent',
      };
  }
}

/** The body and headers of one attempt. */
export interface PostbackPayload {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * One request for the claimed notices (a bundle when more than one), in the account's form:
 * the raw text/xml body (the docs), or the form field `xml` / `XML` the PHP SDK reads. Signed:
 * X-Postback-Signature is `v1=` + hex HMAC-SHA256(secret, "<X-Postback-Timestamp>.<body bytes>").
 * The Idempotency-Key is the notice's own key, or for a bundle one derived from its notices' keys,
 * so a repeat of the same request carries the same key. X-Request-Id is the id of the partner
 * request that made the message (a bundle's: each distinct one, comma-separated).
 */
export function buildPostbackPayload(
  claimed: readonly ClaimedPostback[],
  account: { readonly form: PostbackForm; readonly secret: string },
  now: Date,
): PostbackPayload {
  const notices = claimed.map(noticeOf);
  const xml = notices.length === 1 ? renderPostback(notices[0] as PostbackNotice) : renderPostbackBundle(notices);
  const [contentType, body] =
    account.form === 'RAW_BODY'
      ? ['text/xml; charset=utf-8', xml]
      : ['application/x-www-form-urlencoded', new URLSearchParams({ [account.form === 'FORM_FIELD_LOWER' ? 'xml' : 'XML']: xml }).toString()];
  const bytes = Buffer.from(body, 'utf8');
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const requestIds = [...new Set(claimed.flatMap((c) => (c.requestId ? [c.requestId] : [])))];
  return {
    body: bytes,
    headers: {
      'content-type': contentType,
      'user-agent': POSTBACK_USER_AGENT,
      'idempotency-key': idempotencyKeyOf(claimed),
      'x-postback-timestamp': timestamp,
      'x-postback-signature': `v1=${signPostback(account.secret, timestamp, bytes)}`,
      ...(requestIds.length === 0 ? {} : { 'x-request-id': requestIds.join(',') }),
    },
  };
}

export function signPostback(secret: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

function idempotencyKeyOf(claimed: readonly ClaimedPostback[]): string {
  if (claimed.length === 1) return (claimed[0] as ClaimedPostback).idempotencyKey;
  const digest = createHash('sha256')
    .update(claimed.map((c) => c.idempotencyKey).join(','))
    .digest('hex');
  return `bundle-${digest.slice(0, 32)}`;
}
