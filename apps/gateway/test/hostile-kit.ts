import { performance } from 'node:perf_hooks';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DOCS_EXAMPLE_REQUEST } from '../../../test/docs-examples';

/**
 * What the hostile suites (hostile-input, delivery-report-hostile, hostile-flood) share: the
 * documents they start from, how they send them, and the invariants of every refusal: a RESPONSE
 * with STATUS Failure from the partner API, an MM7 SOAP Fault from /mm7/delivery-reports.
 */

export const DEMO_KEY = 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ';
/** The docs' example with a key of no account: any reading of it fails (E104 at best). */
export const KEYLESS_REQUEST = DOCS_EXAMPLE_REQUEST.replace(DEMO_KEY, 'hostileSuiteNoSuchKey00000000000');

/** A DOCTYPE whose &lol9; expands to a billion `lol`s (10 levels of 10 references). */
export const BILLION_LAUGHS_DOCTYPE = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from(
  { length: 9 },
  (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
).join('')}]>`;

/** A quadratic blowup: one entity of `length` characters, referenced `times` times inside `element`. */
export function quadraticBlowup(length: number, times: number, element = 'ACTION'): string {
  return `<!DOCTYPE r [<!ENTITY a "${'a'.repeat(length)}">]><REQUEST><${element}>${'&a;'.repeat(times)}</${element}></REQUEST>`;
}

// ---------------------------------------------------------------------------------------------
// The partner API (/API/wxml/1.3/index.php)

export type Body = string | Uint8Array | URLSearchParams | FormData;

export interface Shot {
  readonly method?: string;
  readonly query?: string;
  readonly body?: Body;
  readonly contentType?: string;
}

export interface Hit {
  readonly http: number;
  readonly contentType: string | null;
  readonly xml: string;
  readonly ms: number;
  /** Bytes of the body sent, where known before sending. */
  readonly size: number | undefined;
}

/** What an answer is held to: the body limit it was sent under, and how soon it must come. */
export interface Bounds {
  readonly limit: number;
  readonly withinMs: number;
}

const answerParser = new XMLParser({ parseTagValue: false, trimValues: false, ignoreAttributes: true });

export function sizeOf(body: Body | undefined): number | undefined {
  if (body === undefined) return 0;
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof Uint8Array) return body.length;
  if (body instanceof URLSearchParams) return Buffer.byteLength(body.toString(), 'utf8');
  return undefined;
}

/** One request to the partner API at `url`, timed. */
export async function shoot(url: string, shot: Shot): Promise<Hit> {
  const headers: Record<string, string> = {};
  if (shot.contentType !== undefined) headers['content-type'] = shot.contentType;
  const body = shot.body instanceof Uint8Array ? new Blob([shot.body]) : shot.body;
  const started = performance.now();
  const response = await fetch(shot.query === undefined ? url : `${url}?${shot.query}`, {
    method: shot.method ?? (shot.body === undefined ? 'GET' : 'POST'),
    body,
    headers,
  });
  const xml = await response.text();
  return { http: response.status, contentType: response.headers.get('content-type'), xml, ms: performance.now() - started, size: sizeOf(shot.body) };
}

/** The ways an XML document can be sent (POST raw, urlencoded or multipart field, GET xml parameter). */
export const xmlCarriers: Readonly<Record<string, (xml: string) => Shot>> = {
  raw: (xml) => ({ body: xml, contentType: 'text/xml' }),
  urlencoded: (xml) => ({ body: new URLSearchParams({ XML: xml }) }),
  multipart: (xml) => {
    const form = new FormData();
    form.set('xml', xml);
    return { body: form };
  },
  'GET xml': (xml) => ({ query: new URLSearchParams({ xml }).toString() }),
};

/**
 * The invariants of every refusal by the partner API; returns the ERRORCODE. A body known to be
 * over the limit must get 413 with E100, one known to be under it 200.
 */
export function expectFailure(hit: Hit, bounds: Bounds): string {
  expect(hit.ms).toBeLessThan(bounds.withinMs);
  if (hit.size !== undefined) expect(hit.http).toBe(hit.size > bounds.limit ? 413 : 200);
  else expect([200, 413]).toContain(hit.http);
  expect(hit.contentType).toMatch(/^text\/xml\b/);
  expect(XMLValidator.validate(hit.xml)).toBe(true);
  const response = (answerParser.parse(hit.xml) as { RESPONSE?: Record<string, unknown> }).RESPONSE;
  expect(response).toBeDefined();
  const names = [...hit.xml.matchAll(/<([A-Z]+)>/g)].map((m) => m[1]);
  expect(names.filter((n) => n !== 'TO')).toEqual(['RESPONSE', 'STATUS', 'ERRORCODE', 'ERRORINFO']);
  expect(response?.['STATUS']).toBe('Failure');
  const code = String(response?.['ERRORCODE']);
  expect(code).toMatch(/^E[0-9]{3}$/);
  expect(code).not.toBe('E503');
  expect(String(response?.['ERRORINFO'] ?? '')).not.toBe('');
  if (hit.http === 413) expect(code).toBe('E100');
  return code;
}

/** Requests in parallel, a few at a time. */
export async function inBatches<T, R>(items: readonly T[], width: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += width) {
    results.push(...(await Promise.all(items.slice(start, start + width).map(run))));
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Carrier delivery reports (/mm7/delivery-reports)

export const REL6 = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';

/** A well-formed DeliveryReportReq of a MessageID no message has, with `inner` before its end. */
export function report(inner = '', messageId = `hostile-${Date.now()}`): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Body>
    <DeliveryReportReq xmlns="${REL6}">
      <MM7Version>6.8.0</MM7Version>
      <MessageID>${messageId}</MessageID>
      <Recipient><Number>16505550100</Number></Recipient>
      <MMStatus>Retrieved</MMStatus>${inner}
    </DeliveryReportReq>
  </env:Body>
</env:Envelope>`;
}

/** The Basic authorization header of an MMSC. */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export interface ReportHit {
  readonly status: number;
  readonly contentType: string | null;
  readonly xml: string;
  readonly ms: number;
}

/** One POST to the delivery-report endpoint at `url`, timed. */
export async function postReport(url: string, body: string | Uint8Array, headers: Record<string, string>): Promise<ReportHit> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : new Blob([body]) });
  const xml = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), xml, ms: performance.now() - started };
}

const faultParser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });

/** The invariants of every refusal of a delivery report; returns the MM7 status code, faultcode and reason. */
export function expectFault(hit: ReportHit, httpStatus: number, withinMs: number): { code: string; faultcode: string; reason: string } {
  expect(hit.ms).toBeLessThan(withinMs);
  expect(hit.status).toBe(httpStatus);
  expect(hit.contentType).toMatch(/^text\/xml\b/);
  expect(XMLValidator.validate(hit.xml)).toBe(true);
  const fault = (faultParser.parse(hit.xml) as { Envelope?: { Body?: { Fault?: Record<string, unknown> } } }).Envelope?.Body?.Fault;
  expect(fault).toBeDefined();
  const status = ((fault?.['detail'] as Record<string, unknown>)?.['RSErrorRsp'] as Record<string, Record<string, string>>)?.['Status'];
  return { code: String(status?.['StatusCode']), faultcode: String(fault?.['faultcode']), reason: String(fault?.['faultstring']) };
}
