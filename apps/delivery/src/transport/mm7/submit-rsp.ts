import { XMLParser } from 'fast-xml-parser';

export type SubmitOutcome =
  | { readonly kind: 'accepted'; readonly messageId: string; readonly code: number; readonly text: string }
  | { readonly kind: 'refused'; readonly code: number; readonly text: string; readonly retryable: boolean };

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true, // parse by local name: MMSCs write default-namespace and prefixed dialects
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
});

/**
 * The status class of an MM7 request status code (TS 23.140 table of request status codes): an
 * unknown code counts as x000 of its class, a code outside the four classes as 3000.
 */
export function statusClass(code: number): 1000 | 2000 | 3000 | 4000 {
  const klass = Math.floor(code / 1000) * 1000;
  return klass === 1000 || klass === 2000 || klass === 3000 || klass === 4000 ? klass : 3000;
}

/** Reads a SubmitRsp, or an RSErrorRsp inside a SOAP Fault, whatever the HTTP status. */
export function parseSubmitResponse(body: string, retryableCodes: readonly number[]): SubmitOutcome {
  let document: unknown;
  try {
    document = parser.parse(body);
  } catch {
    return { kind: 'refused', code: 3000, text: 'unreadable SubmitRsp', retryable: true };
  }
  const envelope = field(document, 'Envelope');
  const soapBody = field(envelope, 'Body');
  const response = field(soapBody, 'SubmitRsp') ?? field(field(field(soapBody, 'Fault'), 'detail'), 'RSErrorRsp') ?? field(field(field(soapBody, 'Fault'), 'detail'), 'VASPErrorRsp');
  const status = field(response, 'Status');
  const code = Number(text(field(status, 'StatusCode')));
  const statusText = text(field(status, 'StatusText')) ?? text(field(status, 'Details')) ?? '';
  if (!Number.isInteger(code)) return { kind: 'refused', code: 3000, text: 'no status code in the MMSC answer', retryable: true };
  const klass = statusClass(code);
  const messageId = text(field(response, 'MessageID'));
  if (klass === 1000 && messageId) return { kind: 'accepted', messageId, code, text: statusText };
  if (klass === 1000) return { kind: 'refused', code, text: 'success without a MessageID', retryable: false };
  const retryable = klass !== 2000 && (klass === 3000 || retryableCodes.includes(code));
  return { kind: 'refused', code, text: statusText, retryable };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
