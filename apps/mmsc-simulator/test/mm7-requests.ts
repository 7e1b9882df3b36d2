import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Test requests: the copied fixtures (see fixtures/SOURCE.md) and a builder for variants. */

export function fixture(name: string): Buffer {
  return readFileSync(join(__dirname, 'fixtures', name));
}

export interface HttpRequestFixture {
  readonly contentType: string;
  readonly soapAction: string | undefined;
  readonly body: Buffer;
}

/** Splits a raw HTTP request (the .http example) into the headers we need and its body. */
export function parseHttpFixture(raw: Buffer): HttpRequestFixture {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end).toString('utf8').split('\r\n');
  const header = (name: string) =>
    head
      .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
      ?.slice(name.length + 1)
      .trim();
  return { contentType: header('Content-Type') as string, soapAction: header('SOAPAction'), body: raw.subarray(end + 4) };
}

/** The example SubmitReq of shared/mm7/examples/submitreq.http, as sent. */
export function exampleSubmitRequest(): HttpRequestFixture {
  return parseHttpFixture(fixture('submitreq.http'));
}

/** The peer's (VectorCore MMSC) SubmitReq body; its HTTP headers are not in the fixture. */
export function peerSubmitRequest(): HttpRequestFixture {
  return { contentType: 'multipart/related; boundary=soap-boundary', soapAction: '""', body: fixture('peer-submit_req.multipart') };
}

export const REL6 = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';
export const REL5 = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-0';

/** The SOAP envelope of the example request (its first part's content). */
export function exampleEnvelope(): string {
  const body = exampleSubmitRequest().body.toString('utf8');
  const start = body.indexOf('<?xml');
  const end = body.indexOf('</env:Envelope>') + '</env:Envelope>'.length;
  return body.slice(start, end);
}

/** A 1x1 PNG (the example's barcode stand-in). */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAsTj2FAAAAABJRU5ErkJggg==', 'base64');

export const SLIDE_SMIL = fixture('slide.smil').toString('utf8');

export interface BuildOptions {
  /** The SOAP envelope (default: the example's). */
  readonly envelope?: string;
  /** Content-ID of the content part (default the example's). */
  readonly contentId?: string;
  readonly smil?: string;
  readonly png?: Buffer;
  readonly text?: string;
  readonly outerBoundary?: string;
}

/**
 * A SubmitReq like the example, built with CRLF line ends, binary PNG (Content-Transfer-Encoding:
 * binary) and the given envelope: for variants of the example.
 */
export function buildSubmitRequest(options: BuildOptions = {}): HttpRequestFixture {
  const outer = options.outerBoundary ?? 'outer-boundary-1';
  const inner = 'inner-boundary-2';
  const crlf = '\r\n';
  const chunks: Buffer[] = [];
  const add = (text: string) => chunks.push(Buffer.from(text, 'utf8'));
  add(`--${outer}${crlf}Content-Type: text/xml; charset="utf-8"${crlf}Content-ID: <soap-start>${crlf}${crlf}`);
  add(options.envelope ?? exampleEnvelope());
  add(`${crlf}--${outer}${crlf}`);
  add(`Content-Type: multipart/related; boundary="${inner}"; type="application/smil"; start="<slide.smil>"${crlf}`);
  add(`Content-ID: <${options.contentId ?? 'mms-content@example'}>${crlf}${crlf}`);
  add(`--${inner}${crlf}Content-Type: application/smil; charset=utf-8${crlf}Content-ID: <slide.smil>${crlf}Content-Location: slide.smil${crlf}${crlf}`);
  add(options.smil ?? SLIDE_SMIL);
  add(`${crlf}--${inner}${crlf}Content-Type: image/png${crlf}Content-Transfer-Encoding: binary${crlf}Content-ID: <barcode.png>${crlf}Content-Location: barcode.png${crlf}${crlf}`);
  chunks.push(options.png ?? PNG_1X1);
  add(`${crlf}--${inner}${crlf}Content-Type: text/plain; charset=utf-8${crlf}Content-ID: <ticket.txt>${crlf}Content-Location: ticket.txt${crlf}${crlf}`);
  add(options.text ?? 'Gate B - show this code. Ticket_12345');
  add(`${crlf}--${inner}--${crlf}${crlf}--${outer}--${crlf}`);
  return {
    contentType: `multipart/related; boundary="${outer}"; type="text/xml"; start="<soap-start>"`,
    soapAction: '""',
    body: Buffer.concat(chunks),
  };
}

/** The example envelope with one piece of text replaced (the test fails if it is not there). */
export function envelopeWith(search: string | RegExp, replacement: string): string {
  const envelope = exampleEnvelope();
  const changed = envelope.replace(search, replacement);
  if (changed === envelope) throw new Error(`the example envelope has no ${String(search)}`);
  return changed;
}
