import { dropNonXmlChars, escapeXmlText } from './xml-escape';

/** The notices of sendMMSBarcode (skycore/API.md, Postbacks). */
export const PostbackCode = { Sent: 'N101', DeliveryReport: 'N102', Failed: 'E101' } as const;
export type PostbackCode = (typeof PostbackCode)[keyof typeof PostbackCode];

export const PostbackStatus = {
  Sent: 'Message Sent',
  Delivered: 'Message Sent/Delivered',
  Expired: 'Message Sent/Expired',
  Rejected: 'Message Sent/Rejected',
  Failed: 'Message Failed',
} as const;
export type PostbackStatus = (typeof PostbackStatus)[keyof typeof PostbackStatus];

/** One notice's fields, as the document carries them (postback.xsd). */
export interface PostbackNotice {
  readonly code: PostbackCode;
  readonly status: PostbackStatus;
  /** N101, N102: `MMS` (we never degrade to SMS). */
  readonly sentAs?: 'MMS' | 'SMS';
  /** The template, as the API answer's MMSID. */
  readonly mmsId: number;
  /** As the API answer gave it: international, digits only. */
  readonly to: string;
  readonly trackingId: string;
  readonly spid?: string;
  /** When it happened. */
  readonly timestamp: Date;
  /** N102: the handset the carrier reported. */
  readonly handset?: string;
  /** N102: the carrier's id of the message. */
  readonly aggregatorId?: string;
  /** E101: why it could not be sent. */
  readonly statusDetails?: string;
}

/** ISO 8601 with its offset, as the docs print it (2011-08-02T07:21:04-04:00): ours are UTC. */
export function postbackTimestamp(at: Date): string {
  return `${at.toISOString().slice(0, 19)}+00:00`;
}

/** A token element (xs:token): whitespace collapsed; left out when nothing is left. */
function tokenElement(name: string, value: string | undefined): string {
  const token = value === undefined ? undefined : dropNonXmlChars(value).replace(/\s+/g, ' ').trim();
  return token === undefined || token === '' ? '' : `  <${name}>${escapeXmlText(token)}</${name}>\n`;
}

function noticeBody(notice: PostbackNotice): string {
  const details = notice.statusDetails === undefined ? undefined : dropNonXmlChars(notice.statusDetails);
  return (
    tokenElement('ORIGIN', 'MMS_MT') +
    tokenElement('CODE', notice.code) +
    tokenElement('SENTAS', notice.sentAs) +
    tokenElement('STATUS', notice.status) +
    tokenElement('MMSID', String(notice.mmsId)) +
    tokenElement('TO', notice.to) +
    tokenElement('TRACKINGID', notice.trackingId) +
    tokenElement('SPID', notice.spid) +
    tokenElement('TIMESTAMP', postbackTimestamp(notice.timestamp)) +
    tokenElement('HANDSET', notice.handset) +
    tokenElement('AGGREGATORID', notice.aggregatorId) +
    (details === undefined || details === '' ? '' : `  <STATUSDETAILS>${escapeXmlText(details)}</STATUSDETAILS>\n`)
  );
}

/** One notice, laid out as the docs' example (element order and declaration included). */
export function renderPostback(notice: PostbackNotice): string {
  return `<?xml version='1.0'?>\n<POSTBACK>\n${noticeBody(notice)}</POSTBACK>\n`;
}

/** Pending notices in one request, oldest first, under POSTBACKS (postback.xsd). */
export function renderPostbackBundle(notices: readonly PostbackNotice[]): string {
  const inner = notices.map((notice) => `<POSTBACK>\n${noticeBody(notice)}</POSTBACK>\n`).join('');
  return `<?xml version='1.0'?>\n<POSTBACKS>\n${inner}</POSTBACKS>\n`;
}
