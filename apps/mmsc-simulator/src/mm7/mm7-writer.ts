import { escapeXml } from '../xml/xml';
import { MmStatus, SOAP_ENVELOPE_NS, mm7Release, statusText } from './mm7-constants';
import { Mm7Address } from './submit-req.validator';

/**
 * The MM7 messages the simulator writes, in the qualified form of the examples (NOTES.md: parse
 * by local name, write qualified): `env:` for SOAP 1.1, the MM7 element in a default namespace,
 * the TransactionID header entry prefixed `mm7:` with env:mustUnderstand="1".
 */

export interface Mm7Target {
  readonly namespace: string;
  readonly version: string;
}

export interface Mm7StatusValue {
  readonly code: number;
  readonly text?: string;
  readonly details?: string;
}

function envelope(dialect: Mm7Target, transactionId: string | null, body: string): string {
  const header =
    transactionId === null
      ? ''
      : `  <env:Header>\n    <mm7:TransactionID xmlns:mm7="${escapeXml(dialect.namespace)}" env:mustUnderstand="1">${escapeXml(transactionId)}</mm7:TransactionID>\n  </env:Header>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="${SOAP_ENVELOPE_NS}">\n${header}  <env:Body>\n${body}  </env:Body>\n</env:Envelope>\n`;
}

/** TS 23.140 statusType: StatusCode, StatusText, Details (optional). */
function status(value: Mm7StatusValue): string {
  const details = value.details === undefined || value.details === '' ? '' : `<Details>${escapeXml(value.details)}</Details>`;
  return `<Status><StatusCode>${value.code}</StatusCode><StatusText>${escapeXml(value.text ?? statusText(value.code))}</StatusText>${details}</Status>`;
}

/** MM7_submit.RES (§8.7.1): MessageID only when the MMSC took the message. */
export function submitRsp(dialect: Mm7Target, transactionId: string | null, result: Mm7StatusValue, messageId: string | null): string {
  const id = messageId === null ? '' : `      <MessageID>${escapeXml(messageId)}</MessageID>\n`;
  return envelope(
    dialect,
    transactionId,
    `    <SubmitRsp xmlns="${escapeXml(dialect.namespace)}">\n      <MM7Version>${escapeXml(dialect.version)}</MM7Version>\n      ${status(result)}\n${id}    </SubmitRsp>\n`,
  );
}

/**
 * A SOAP 1.1 Fault (§4.4) whose detail holds MM7_RS_error.RES (TS 23.140 §8.7.7: RSErrorRsp),
 * for requests the MMSC cannot answer with their own response type.
 */
export function rsErrorFault(
  dialect: Mm7Target,
  transactionId: string | null,
  result: Mm7StatusValue,
  faultCode: 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand',
): string {
  const text = result.text ?? statusText(result.code);
  return envelope(
    dialect,
    transactionId,
    `    <env:Fault>\n      <faultcode>env:${faultCode}</faultcode>\n      <faultstring>${escapeXml(text)}</faultstring>\n      <detail>\n        <RSErrorRsp xmlns="${escapeXml(dialect.namespace)}">\n          <MM7Version>${escapeXml(dialect.version)}</MM7Version>\n          ${status(result)}\n        </RSErrorRsp>\n      </detail>\n    </env:Fault>\n`,
  );
}

/** SOAP 1.1 §4.4.1: Client for the sender's errors, Server for the MMSC's. */
export function faultCodeFor(code: number): 'Client' | 'Server' {
  return code >= 3000 && code < 4000 ? 'Server' : code === 4000 || code === 4005 || code === 4006 ? 'Server' : 'Client';
}

export interface DeliveryReport {
  readonly dialect: Mm7Target;
  readonly transactionId: string;
  readonly relayServerId: string;
  readonly messageId: string;
  readonly recipient: Mm7Address;
  readonly sender: Mm7Address;
  readonly date: Date;
  readonly mmStatus: MmStatus;
  readonly statusText: string;
  /** UAProf of the handset that retrieved the message (REL-6 UACapabilities). */
  readonly uaProf: string | null;
}

function address(value: Mm7Address): string {
  return `<${value.kind}>${escapeXml(value.value)}</${value.kind}>`;
}

/** xs:dateTime in UTC without milliseconds, as the examples write it. */
export function xsDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * MM7_delivery_report.REQ (§8.7.5): MM7Version, MMSRelayServerID, MessageID, Recipient, Sender,
 * Date, MMStatus, StatusText, then UACapabilities, which REL-6 added (left out for REL-5 peers,
 * whose schema has no such element).
 */
export function deliveryReportReq(report: DeliveryReport): string {
  const ua =
    report.uaProf !== null && mm7Release(report.dialect.namespace) === 6
      ? `      <UACapabilities UAProf="${escapeXml(report.uaProf)}" TimeStamp="${xsDateTime(report.date)}"/>\n`
      : '';
  return envelope(
    report.dialect,
    report.transactionId,
    `    <DeliveryReportReq xmlns="${escapeXml(report.dialect.namespace)}">\n` +
      `      <MM7Version>${escapeXml(report.dialect.version)}</MM7Version>\n` +
      `      <MMSRelayServerID>${escapeXml(report.relayServerId)}</MMSRelayServerID>\n` +
      `      <MessageID>${escapeXml(report.messageId)}</MessageID>\n` +
      `      <Recipient>${address(report.recipient)}</Recipient>\n` +
      `      <Sender>${address(report.sender)}</Sender>\n` +
      `      <Date>${xsDateTime(report.date)}</Date>\n` +
      `      <MMStatus>${report.mmStatus}</MMStatus>\n` +
      `      <StatusText>${escapeXml(report.statusText)}</StatusText>\n` +
      ua +
      `    </DeliveryReportReq>\n`,
  );
}
