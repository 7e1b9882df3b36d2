import { createHash } from 'node:crypto';
import { escapeXml } from '@mms/contracts';
import { NumberPrefix, numberAddress, shortCodeAddress } from './address';
import { writeEnvelope } from './envelope';
import { Mm7Version, releaseFor } from './releases';

const CRLF = '\r\n';

/** What one SubmitReq says: who to, from which code, and the MMS content as one MIME entity. */
export interface SubmitReqFields {
  /** Our id for the submission; an MMSC can spot a resubmission of the same message by it. */
  readonly transactionId: string;
  readonly senderShortCode: string;
  /** International, without `+`: the connector's prefix is added here. */
  readonly recipient: string;
  readonly subject: string;
  /** The MMS itself: a multipart/related entity with the SMIL first. */
  readonly content: { readonly contentType: string; readonly body: Buffer };
}

/** How a connector's MMSC wants its SubmitReq. */
export interface SubmitReqDialect {
  readonly version: Mm7Version;
  readonly vaspId: string;
  readonly vasId: string;
  readonly numberPrefix: NumberPrefix;
}

export interface SubmitReqMessage {
  readonly contentType: string;
  readonly body: Buffer;
  readonly transactionId: string;
}

/**
 * An MM7 SubmitReq (3GPP TS 23.140 §8.7.1) as one HTTP body: multipart/related with the SOAP
 * envelope first (TransactionID header, mustUnderstand) and the MMS content as an attachment the
 * Content element references by `cid:`. Children in the schema's fixed order. Ids and boundary
 * derive from the content, so the same message at the same time is the same bytes.
 */
export function buildSubmitReq(fields: SubmitReqFields, dialect: SubmitReqDialect, timestamp: Date): SubmitReqMessage {
  const release = releaseFor(dialect.version);
  const { transactionId, content } = fields;
  const digest = createHash('sha256').update(content.body).update(transactionId).digest('hex').slice(0, 20);
  const soapId = `soap-${digest}@mmsgw`;
  const contentId = `mms-${digest}@mmsgw`;
  const boundary = `==MM7-${digest}`;
  const envelope = writeEnvelope(release, transactionId, [
    `<SubmitReq xmlns="${release.namespace}">`,
    `  <MM7Version>${release.version}</MM7Version>`,
    '  <SenderIdentification>',
    `    <VASPID>${escapeXml(dialect.vaspId)}</VASPID>`,
    `    <VASID>${escapeXml(dialect.vasId)}</VASID>`,
    `    <SenderAddress>${shortCodeAddress(fields.senderShortCode)}</SenderAddress>`,
    '  </SenderIdentification>',
    '  <Recipients>',
    `    <To>${numberAddress(fields.recipient, dialect.numberPrefix)}</To>`,
    '  </Recipients>',
    '  <MessageClass>Informational</MessageClass>',
    `  <TimeStamp>${timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z')}</TimeStamp>`,
    '  <DeliveryReport>true</DeliveryReport>',
    `  <Subject>${escapeXml(fields.subject)}</Subject>`,
    // The barcode is sized to scan: ask the MMSC not to resample it (it may ignore this).
    `  <Content href="cid:${contentId}" allowAdaptations="false"/>`,
    '</SubmitReq>',
  ]);
  const head =
    `--${boundary}${CRLF}` +
    `Content-Type: text/xml; charset="utf-8"${CRLF}` +
    `Content-Transfer-Encoding: 8bit${CRLF}` +
    `Content-ID: <${soapId}>${CRLF}${CRLF}` +
    envelope +
    CRLF +
    `--${boundary}${CRLF}` +
    `Content-Type: ${content.contentType}${CRLF}` +
    `Content-ID: <${contentId}>${CRLF}${CRLF}`;
  const tail = `${CRLF}--${boundary}--${CRLF}`;
  return {
    contentType: `multipart/related; boundary="${boundary}"; type="text/xml"; start="<${soapId}>"`,
    body: Buffer.concat([Buffer.from(head, 'utf8'), content.body, Buffer.from(tail, 'utf8')]),
    transactionId,
  };
}
