import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { multipartParts } from '../common/multipart';

/** What an MM7 DeliveryReportReq (3GPP TS 23.140 §8.7.5) tells us. */
export interface DeliveryReportFields {
  readonly transactionId: string | undefined;
  readonly mmscMessageId: string;
  readonly recipient: string | undefined;
  readonly sender: string | undefined;
  readonly mmStatus: string;
  readonly statusText: string | undefined;
  readonly handset: string | undefined;
  readonly reportedAt: Date | undefined;
  /** The MM7Version the MMSC wrote: the answer is given in the same release. */
  readonly mm7Version: string | undefined;
}

export class InvalidDeliveryReportError extends Error {}

const parser = new XMLParser({
  // UACapabilities carries the handset as its UAProf attribute (TS 23.140 §8.7.5).
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true, // MMSCs write default-namespace and prefixed dialects: read by local name
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

/** The SOAP envelope of a request: the body itself, or the first XML part of a multipart one. */
export function soapEnvelopeOf(body: string, contentType: string): string {
  if (!/^multipart\//i.test(contentType.trim())) return body;
  const parts = multipartParts(body, contentType);
  if (parts === null) throw new InvalidDeliveryReportError('not a well-formed multipart body');
  const soap = parts.find((part) => /content-type:\s*(text|application)\/(soap\+)?xml/i.test(part.headers));
  if (soap === undefined) throw new InvalidDeliveryReportError('no SOAP part in the multipart body');
  return soap.body.trim();
}

export function parseDeliveryReport(envelopeXml: string): DeliveryReportFields {
  if (/<!DOCTYPE|<!ENTITY/i.test(envelopeXml)) throw new InvalidDeliveryReportError('DOCTYPE is not allowed');
  if (XMLValidator.validate(envelopeXml) !== true) throw new InvalidDeliveryReportError('the SOAP envelope is not well-formed XML');
  const document: unknown = parser.parse(envelopeXml);
  const envelope = field(document, 'Envelope');
  const report = field(field(envelope, 'Body'), 'DeliveryReportReq');
  if (report === undefined) throw new InvalidDeliveryReportError('no DeliveryReportReq in the SOAP body');
  const mmscMessageId = text(field(report, 'MessageID'));
  const mmStatus = text(field(report, 'MMStatus'));
  if (mmscMessageId === undefined || mmStatus === undefined) {
    throw new InvalidDeliveryReportError('DeliveryReportReq needs MessageID and MMStatus');
  }
  const date = text(field(report, 'Date'));
  const reportedAt = date === undefined ? undefined : new Date(date);
  const capabilities = field(report, 'UACapabilities');
  return {
    transactionId: text(field(field(envelope, 'Header'), 'TransactionID')),
    mmscMessageId,
    recipient: address(field(report, 'Recipient')),
    sender: address(field(report, 'Sender')),
    mmStatus,
    statusText: text(field(report, 'StatusText')),
    handset: text(field(capabilities, '@UAProf')) ?? text(field(capabilities, 'UAProf')) ?? text(capabilities),
    reportedAt: reportedAt !== undefined && !Number.isNaN(reportedAt.getTime()) ? reportedAt : undefined,
    mm7Version: text(field(report, 'MM7Version')),
  };
}

function address(value: unknown): string | undefined {
  const raw = text(field(value, 'Number')) ?? text(field(value, 'ShortCode')) ?? text(field(value, 'RFC2822Address'));
  return raw?.replace(/^\+/, '');
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  // An element with attributes comes as an object holding its text under '#text'.
  return typeof value === 'object' && value !== null ? text((value as Record<string, unknown>)['#text']) : undefined;
}
