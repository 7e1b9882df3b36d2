import { createHash } from 'node:crypto';
import { escapeXml } from '@mms/contracts';
import type { ComposedMms } from '../../compose/mms';
import { renderMultipartRelated } from '../../compose/mime';
import { MM7_NAMESPACES, Mm7Connector } from './mm7-connector';

const CRLF = '\r\n';
const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';


export interface SubmitReqMessage {
  readonly contentType: string;
  readonly body: Buffer;
  readonly transactionId: string;
}

/**
 * An MM7 SubmitReq (3GPP TS 23.140 §8.7.1) as one HTTP body: multipart/related with the SOAP
 * envelope first (TransactionID header, mustUnderstand) and the MMS content as a multipart/related
 * attachment the Content element references by `cid:`. Children in the schema's fixed order.
 * The TransactionID is the tracking id, so an MMSC can spot a resubmission of the same message.
 */
export function buildSubmitReq(mms: ComposedMms, connector: Mm7Connector, timestamp: Date): SubmitReqMessage {
  const ns = MM7_NAMESPACES[connector.version];
  const transactionId = mms.trackingId;
  const content = renderMultipartRelated(mms);
  const digest = createHash('sha256').update(content.body).update(transactionId).digest('hex').slice(0, 20);
  const soapId = `soap-${digest}@mmsgw`;
  const contentId = `mms-${digest}@mmsgw`;
  const boundary = `==MM7-${digest}`;
  const number = `${connector.numberPrefix}${mms.to}`;

  const envelope = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<env:Envelope xmlns:env="${SOAP_ENV}">`,
    '  <env:Header>',
    `    <mm7:TransactionID xmlns:mm7="${ns}" env:mustUnderstand="1">${escapeXml(transactionId)}</mm7:TransactionID>`,
    '  </env:Header>',
    '  <env:Body>',
    `    <SubmitReq xmlns="${ns}">`,
    `      <MM7Version>${connector.version}</MM7Version>`,
    '      <SenderIdentification>',
    `        <VASPID>${escapeXml(connector.vaspId)}</VASPID>`,
    `        <VASID>${escapeXml(connector.vasId)}</VASID>`,
    `        <SenderAddress><ShortCode>${escapeXml(mms.from)}</ShortCode></SenderAddress>`,
    '      </SenderIdentification>',
    '      <Recipients>',
    `        <To><Number>${escapeXml(number)}</Number></To>`,
    '      </Recipients>',
    '      <MessageClass>Informational</MessageClass>',
    `      <TimeStamp>${timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z')}</TimeStamp>`,
    '      <DeliveryReport>true</DeliveryReport>',
    `      <Subject>${escapeXml(mms.subject)}</Subject>`,
    // The barcode is sized to scan: ask the MMSC not to resample it (it may ignore this).
    `      <Content href="cid:${contentId}" allowAdaptations="false"/>`,
    '    </SubmitReq>',
    '  </env:Body>',
    '</env:Envelope>',
  ].join(CRLF);

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
