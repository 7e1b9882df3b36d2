import { createHash } from 'node:crypto';
import { ComposedMms, MmsPart } from './mms';

const CRLF = '\r\n';

/** A boundary that cannot occur in the parts: derived from their digest. */
export function boundaryFor(parts: readonly MmsPart[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part.body);
  return `==MMS-${hash.digest('hex').slice(0, 24)}`;
}

/** RFC 2047 encoded-word for non-ASCII header values (subjects with accents, emoji). */
export function encodeHeaderValue(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, 'utf8').toString('base64')}?=`;
}

function base64Lines(body: Buffer): string {
  return (body.toString('base64').match(/.{1,76}/g) ?? []).join(CRLF);
}

/**
 * The MMS content as one multipart/related entity (RFC 2387) with the SMIL part as its start:
 * the body an MM7 SubmitReq attaches, and what the outbox writes. Text parts go as 8bit UTF-8,
 * everything else as base64.
 */
export function renderMultipartRelated(mms: ComposedMms): { contentType: string; body: Buffer } {
  const boundary = boundaryFor(mms.parts);
  const start = mms.parts[0];
  if (start === undefined) throw new Error('an MMS needs at least its SMIL part');
  const chunks: string[] = [];
  for (const part of mms.parts) {
    const textual = part.contentType.startsWith('text/') || part.contentType.startsWith('application/smil');
    chunks.push(
      `--${boundary}${CRLF}` +
        `Content-Type: ${part.contentType}${CRLF}` +
        `Content-ID: <${part.contentId}>${CRLF}` +
        `Content-Location: ${part.location}${CRLF}` +
        `Content-Transfer-Encoding: ${textual ? '8bit' : 'base64'}${CRLF}${CRLF}` +
        (textual ? part.body.toString('utf8') : base64Lines(part.body)) +
        CRLF,
    );
  }
  chunks.push(`--${boundary}--${CRLF}`);
  return {
    contentType: `multipart/related; boundary="${boundary}"; type="application/smil"; start="<${start.contentId}>"`,
    body: Buffer.from(chunks.join(''), 'utf8'),
  };
}

/** A whole MIME message (headers + the multipart body), as the outbox stores it. */
export function renderMimeMessage(mms: ComposedMms): Buffer {
  const content = renderMultipartRelated(mms);
  const headers =
    `MIME-Version: 1.0${CRLF}` +
    `From: ${mms.from}${CRLF}` +
    `To: ${mms.to}${CRLF}` +
    `Subject: ${encodeHeaderValue(mms.subject)}${CRLF}` +
    `X-Tracking-Id: ${mms.trackingId}${CRLF}` +
    `Content-Type: ${content.contentType}${CRLF}${CRLF}`;
  return Buffer.concat([Buffer.from(headers, 'utf8'), content.body]);
}
