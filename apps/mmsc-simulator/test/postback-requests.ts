import { createHmac } from 'node:crypto';
import type { PostbackNotice } from '../src/postbacks/postback-document';
import { PostbackRefusal } from '../src/postbacks/postback-refusal';
import { fixture } from './mm7-requests';

/** Test postbacks: the API.md example (fixtures/postback.xml) and variants of it, as a sender writes them. */

export const EXAMPLE_POSTBACK = fixture('postback.xml').toString('utf8');

/** What the example says, field by field (written out here, not read with the simulator's code). */
export const EXAMPLE_NOTICE: PostbackNotice = {
  code: 'N102',
  status: 'Message Sent/Delivered',
  trackingId: 'TU1TXzEyMzQ2',
  to: '16501234123',
  mmsId: '35674',
  timestamp: '2011-08-02T07:21:04-04:00',
  sentAs: 'MMS',
  spid: '0001890',
  handset: 'motol7c',
  aggregatorId: '11529-64807-97508-73852-97658',
  statusDetails: null,
};

/** The example with elements replaced (a value) or removed (null); the test fails if one is not there. */
export function postbackWith(replace: Readonly<Record<string, string | null>>): string {
  let xml = EXAMPLE_POSTBACK;
  for (const [name, value] of Object.entries(replace)) {
    const element = new RegExp(`[ \\t]*<${name}>[^<]*</${name}>\\n?`);
    if (!element.test(xml)) throw new Error(`the example POSTBACK has no ${name}`);
    xml = xml.replace(element, value === null ? '' : `  <${name}>${value}</${name}>\n`);
  }
  return xml;
}

/** An E101 notice (could not be sent) with its reason, as the fleet sends one. */
export function failedPostback(trackingId: string, statusDetails: string): string {
  return postbackWith({ CODE: 'E101', STATUS: 'Message Failed', TRACKINGID: trackingId, SENTAS: null, SPID: null, HANDSET: null, AGGREGATORID: null }).replace(
    '</POSTBACK>',
    `  <STATUSDETAILS>${statusDetails}</STATUSDETAILS>\n</POSTBACK>`,
  );
}

/** Several notices in one request, in the order given (oldest first, as a sender must). */
export function bundleOf(...documents: string[]): string {
  const inner = documents.map((d) => d.replace(/<\?xml[^>]*\?>\s*/, '').trim()).join('\n');
  return `<?xml version='1.0'?>\n<POSTBACKS>\n${inner}\n</POSTBACKS>\n`;
}

/** X-Postback-Signature for this body, computed here on its own (not with the simulator's code). */
export function signatureHeader(secret: string, timestamp: string, body: Buffer | string): string {
  return `v1=${createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`${timestamp}.`), Buffer.from(body)])).digest('hex')}`;
}

/** The urlencoded body of a form with the document in this field. */
export function formBody(field: string, document: string, extra: Readonly<Record<string, string>> = {}): string {
  return new URLSearchParams({ ...extra, [field]: document }).toString();
}

/** The refusal that reading something throws; fails the test when it reads fine. */
export function refusalOf(read: () => unknown): PostbackRefusal {
  try {
    read();
  } catch (error) {
    if (error instanceof PostbackRefusal) return error;
    throw error;
  }
  throw new Error('it was read without a refusal');
}
