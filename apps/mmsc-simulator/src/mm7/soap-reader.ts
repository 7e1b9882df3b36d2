import { XmlElement, XmlError, parseXml } from '../xml/xml';
import { MM7_NAMESPACE_PATTERN, SOAP12_ENVELOPE_NS, SOAP_ENVELOPE_NS } from './mm7-constants';

/**
 * Reads an MM7 SOAP 1.1 envelope by local element names, so every dialect seen in the wild reads
 * the same: the MM7 element in a default namespace (`<SubmitReq xmlns="...REL-6-MM7-1-4">`),
 * prefixed with prefixed children (`<mm7:SubmitReq><mm7:MM7Version>`), or prefixed with
 * unqualified children (`<mm7:SubmitReq><MM7Version>`, VectorCore's REL-5 dialect).
 */

/** How the MM7 element and its children are qualified. */
export type Mm7Dialect = 'default-namespace' | 'prefixed' | 'prefixed-unqualified-children' | 'unqualified';

export interface SoapMessage {
  readonly envelope: XmlElement;
  readonly header: XmlElement | null;
  readonly body: XmlElement;
  /** The first element in the Body: the MM7 request or response (SubmitReq, ...), or a Fault. */
  readonly operation: XmlElement | null;
  /** TS 23.140 §9.2 (SOAP header): the TransactionID, trimmed; null when absent. */
  readonly transactionId: string | null;
  /** Whether the TransactionID carries mustUnderstand="1", as the spec has it. */
  readonly transactionIdMustUnderstand: boolean;
  /** Header entries marked mustUnderstand="1" that this reader does not know (SOAP 1.1 §4.2.3). */
  readonly notUnderstood: readonly string[];
  /** The operation element's namespace when it is an MM7 one (REL-5 or REL-6), else null. */
  readonly mm7Namespace: string | null;
  readonly dialect: Mm7Dialect | null;
}

export class SoapError extends Error {
  constructor(
    message: string,
    /** SOAP 1.1 §4.4.1 fault code. */
    readonly faultCode: 'VersionMismatch' | 'Client' = 'Client',
  ) {
    super(message);
    this.name = 'SoapError';
  }
}

/** Header entries this simulator understands (TS 23.140 §9.2 defines only TransactionID). */
const UNDERSTOOD_HEADERS = new Set(['TransactionID']);

export function readSoapMessage(xml: string): SoapMessage {
  let envelope: XmlElement;
  try {
    envelope = parseXml(xml);
  } catch (error) {
    throw new SoapError(error instanceof XmlError ? error.message : `unreadable XML: ${String(error)}`);
  }
  if (envelope.localName !== 'Envelope') throw new SoapError(`the root element is <${envelope.name}>, not a SOAP Envelope`);
  if (envelope.namespace === SOAP12_ENVELOPE_NS) {
    throw new SoapError('a SOAP 1.2 envelope: MM7 uses SOAP 1.1 (http://schemas.xmlsoap.org/soap/envelope/)', 'VersionMismatch');
  }
  if (envelope.namespace !== SOAP_ENVELOPE_NS) {
    throw new SoapError(`the Envelope is in namespace "${envelope.namespace ?? '(none)'}", not SOAP 1.1's ${SOAP_ENVELOPE_NS}`, 'VersionMismatch');
  }
  // SOAP 1.1 §4.1.1: an optional Header first, then the Body.
  const [first, second] = envelope.children;
  const header = first?.localName === 'Header' && first.namespace === SOAP_ENVELOPE_NS ? first : null;
  const body = header === null ? first : second;
  if (body === undefined || body.localName !== 'Body' || body.namespace !== SOAP_ENVELOPE_NS) {
    throw new SoapError('the Envelope has no SOAP Body (expected Header? then Body)');
  }
  const operation = body.children[0] ?? null;

  const transactionElement = header?.children.find((c) => c.localName === 'TransactionID');
  const mustUnderstand = (entry: XmlElement) => {
    const value = entry.attributes.find((a) => a.localName === 'mustUnderstand' && a.namespace === SOAP_ENVELOPE_NS)?.value;
    return value !== undefined && (value.trim() === '1' || value.trim() === 'true');
  };
  const notUnderstood = (header?.children ?? []).filter((c) => mustUnderstand(c) && !UNDERSTOOD_HEADERS.has(c.localName)).map((c) => c.name);

  const mm7Namespace = operation !== null && operation.namespace !== null && MM7_NAMESPACE_PATTERN.test(operation.namespace) ? operation.namespace : null;
  return {
    envelope,
    header,
    body,
    operation,
    transactionId: transactionElement === undefined ? null : transactionElement.text.trim(),
    transactionIdMustUnderstand: transactionElement !== undefined && mustUnderstand(transactionElement),
    notUnderstood,
    mm7Namespace,
    dialect: operation === null ? null : dialectOf(operation),
  };
}

function dialectOf(operation: XmlElement): Mm7Dialect {
  const child = operation.children[0];
  if (operation.namespace === null) return 'unqualified';
  if (operation.prefix === null) return 'default-namespace';
  return child !== undefined && child.namespace === null ? 'prefixed-unqualified-children' : 'prefixed';
}

/** The Status of an MM7 response (SubmitRsp, DeliveryReportRsp, RSErrorRsp in a Fault detail). */
export interface Mm7Status {
  readonly code: number | null;
  readonly text: string | null;
  readonly details: string | null;
}

/** Finds `Status` under the operation, or under Fault/detail/<any>Rsp for a SOAP Fault. */
export function readResponseStatus(message: SoapMessage): Mm7Status | null {
  let holder = message.operation;
  if (holder?.localName === 'Fault') {
    const detail = holder.children.find((c) => c.localName === 'detail');
    holder = detail?.children[0] ?? null;
  }
  const status = holder?.children.find((c) => c.localName === 'Status');
  if (status === undefined) return null;
  const text = (name: string) => status.children.find((c) => c.localName === name)?.text.trim() ?? null;
  const code = text('StatusCode');
  return { code: code !== null && /^\d+$/.test(code) ? Number(code) : null, text: text('StatusText'), details: text('Details') };
}
