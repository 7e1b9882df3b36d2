import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { type XmlStructureLimits, escapeXml, xmlStructureProblem } from '@mms/contracts';
import { Mm7Release, SOAP_ENV_NAMESPACE } from './releases';

const CRLF = '\r\n';

/** A document that is not a readable MM7 SOAP envelope; the message names the problem. */
export class Mm7ReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Mm7ReadError';
  }
}

/** What every MM7 envelope carries, read by local name. */
export interface Mm7Envelope {
  readonly transactionId: string | undefined;
  /** The SOAP Body's children by local name (`SubmitRsp`, `DeliveryReportReq`, `Fault`...). */
  readonly body: Readonly<Record<string, unknown>>;
}

const parser = new XMLParser({
  // Attributes matter in a few places (UACapabilities' UAProf, Content's href).
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // MMSCs write default-namespace, prefixed and mixed dialects: read everything by local name.
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

/**
 * Structural limits of an MM7 envelope we read (a DeliveryReportReq, an MMSC's answer or Fault):
 * the largest has a few dozen elements, 7 levels deep (Envelope, Body, Fault, detail, RSErrorRsp,
 * Status, StatusCode). Anything far past that was built to exhaust the parser.
 */
export const MM7_XML_LIMITS: XmlStructureLimits = { elements: 1000, depth: 32 };

/**
 * Reads a SOAP envelope: refuses DOCTYPE and entity declarations (no expansion, ever), documents
 * past MM7_XML_LIMITS (counted in one scan before any parser runs) and XML that is not
 * well-formed, and returns the TransactionID and the Body's children.
 */
export function readEnvelope(xml: string): Mm7Envelope {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Mm7ReadError('DOCTYPE is not allowed');
  const problem = xmlStructureProblem(xml, MM7_XML_LIMITS);
  if (problem !== undefined) throw new Mm7ReadError(`the SOAP envelope has ${problem}`);
  if (XMLValidator.validate(xml) !== true) throw new Mm7ReadError('the SOAP envelope is not well-formed XML');
  let document: unknown;
  try {
    document = parser.parse(xml);
  } catch (error) {
    // The validator and the parser disagree on a few malformed inputs: still not well-formed.
    throw new Mm7ReadError(`the SOAP envelope is not well-formed XML: ${error instanceof Error ? error.message.slice(0, 200) : 'unreadable'}`);
  }
  const envelope = field(document, 'Envelope');
  const body = field(envelope, 'Body');
  if (typeof body !== 'object' || body === null) throw new Mm7ReadError('no SOAP Envelope with a Body');
  return { transactionId: text(field(field(envelope, 'Header'), 'TransactionID')), body: body as Record<string, unknown> };
}

/**
 * A SOAP envelope as we write it: the TransactionID header (mustUnderstand, in the release's
 * namespace) when there is one, and the body lines indented under env:Body, CRLF line ends.
 */
export function writeEnvelope(release: Mm7Release, transactionId: string | undefined, bodyLines: readonly string[]): string {
  const header =
    transactionId === undefined
      ? []
      : [
          '  <env:Header>',
          `    <mm7:TransactionID xmlns:mm7="${release.namespace}" env:mustUnderstand="1">${escapeXml(transactionId)}</mm7:TransactionID>`,
          '  </env:Header>',
        ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<env:Envelope xmlns:env="${SOAP_ENV_NAMESPACE}">`,
    ...header,
    '  <env:Body>',
    ...bodyLines.map((line) => `    ${line}`),
    '  </env:Body>',
    '</env:Envelope>',
  ].join(CRLF);
}

/** An MM7 Status element. */
export function statusElement(code: number, statusText: string): string {
  return `<Status><StatusCode>${code}</StatusCode><StatusText>${escapeXml(statusText)}</StatusText></Status>`;
}

/** A child element of a parsed node, by local name. */
export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** An element's text: empty counts as absent; an element with attributes keeps it under '#text'. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' && value !== null ? text((value as Record<string, unknown>)['#text']) : undefined;
}
