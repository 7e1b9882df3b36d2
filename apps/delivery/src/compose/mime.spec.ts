import { createHash } from 'node:crypto';
import { boundaryFor, encodeHeaderValue, renderMimeMessage, renderMultipartRelated } from './mime';
import { ComposedMms, MmsPart } from './mms';

const CRLF = '\r\n';
const SMIL = '<smil>\n  <body>\n    <par dur="5s">\n      <img src="cid:barcode.png" region="Image"/>\n    </par>\n  </body>\n</smil>\n';
/** Every byte value, and long enough for several base64 lines. */
const IMAGE = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7 + 3) % 256));
const TEXT = 'Grüße, Zoë 🎟️\nSeat 12C';

const MMS: ComposedMms = {
  trackingId: 'TU1TXzEyMzQ2',
  from: '60856',
  to: '16501234123',
  subject: 'Your Event Ticket',
  parts: [
    { contentId: 'presentation.smil', contentType: 'application/smil; charset=utf-8', location: 'presentation.smil', body: Buffer.from(SMIL, 'utf8') },
    { contentId: 'barcode.png', contentType: 'image/png', location: 'barcode.png', body: IMAGE },
    { contentId: 'slide1.txt', contentType: 'text/plain; charset=utf-8', location: 'slide1.txt', body: Buffer.from(TEXT, 'utf8') },
  ],
};

interface ParsedPart {
  readonly headers: Record<string, string>;
  readonly content: string;
}

/** Splits a multipart body on its boundary (RFC 2046: the CRLF before a delimiter belongs to it). */
function splitMultipart(body: string, boundary: string): ParsedPart[] {
  const close = `--${boundary}--${CRLF}`;
  expect(body.endsWith(close)).toBe(true);
  const sections = body.slice(0, -close.length).split(`--${boundary}${CRLF}`);
  expect(sections.shift()).toBe('');
  return sections.map((section) => {
    const split = section.indexOf(CRLF + CRLF);
    expect(split).toBeGreaterThan(0);
    const content = section.slice(split + 4);
    expect(content.endsWith(CRLF)).toBe(true);
    const headers = Object.fromEntries(
      section
        .slice(0, split)
        .split(CRLF)
        .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
    );
    return { headers, content: content.slice(0, -CRLF.length) };
  });
}

function boundaryOf(contentType: string): string {
  const match = /boundary="([^"]+)"/.exec(contentType);
  if (match?.[1] === undefined) throw new Error(`no boundary in ${contentType}`);
  return match[1];
}

describe('boundaryFor', () => {
  it('is "==MMS-" and the first 24 hex digits of the SHA-256 of the part bodies', () => {
    const digest = createHash('sha256').update(Buffer.concat(MMS.parts.map((p) => p.body))).digest('hex');
    expect(boundaryFor(MMS.parts)).toBe(`==MMS-${digest.slice(0, 24)}`);
    expect(boundaryFor(MMS.parts)).toMatch(/^==MMS-[0-9a-f]{24}$/);
  });

  it('is stable for the same parts and changes with any body', () => {
    const changed: MmsPart[] = MMS.parts.map((p, i) => (i === 1 ? { ...p, body: Buffer.concat([p.body, Buffer.from([0])]) } : p));
    expect(boundaryFor([...MMS.parts])).toBe(boundaryFor(MMS.parts));
    expect(boundaryFor(changed)).not.toBe(boundaryFor(MMS.parts));
  });

  it('does not occur in any part', () => {
    const boundary = boundaryFor(MMS.parts);
    for (const part of MMS.parts) expect(part.body.includes(boundary)).toBe(false);
  });
});

describe('renderMultipartRelated', () => {
  const rendered = renderMultipartRelated(MMS);
  const boundary = boundaryFor(MMS.parts);
  const parts = splitMultipart(rendered.body.toString('utf8'), boundary);

  it('is multipart/related with the SMIL part as its start', () => {
    expect(rendered.contentType).toBe(`multipart/related; boundary="${boundary}"; type="application/smil"; start="<presentation.smil>"`);
    expect(boundaryOf(rendered.contentType)).toBe(boundary);
  });

  it('has one body part per MMS part, SMIL first', () => {
    expect(parts.map((p) => p.headers['Content-ID'])).toStrictEqual(['<presentation.smil>', '<barcode.png>', '<slide1.txt>']);
  });

  it.each([
    [0, { 'Content-Type': 'application/smil; charset=utf-8', 'Content-ID': '<presentation.smil>', 'Content-Location': 'presentation.smil', 'Content-Transfer-Encoding': '8bit' }],
    [1, { 'Content-Type': 'image/png', 'Content-ID': '<barcode.png>', 'Content-Location': 'barcode.png', 'Content-Transfer-Encoding': 'base64' }],
    [2, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-ID': '<slide1.txt>', 'Content-Location': 'slide1.txt', 'Content-Transfer-Encoding': '8bit' }],
  ])('part %i has Content-Type, Content-ID, Content-Location and the transfer encoding', (index, headers) => {
    expect(parts[index]?.headers).toStrictEqual(headers);
  });

  it('carries SMIL and text as 8bit UTF-8, unchanged', () => {
    expect(parts[0]?.content).toBe(SMIL);
    expect(parts[2]?.content).toBe(TEXT);
    expect(rendered.body.includes(Buffer.from(TEXT, 'utf8'))).toBe(true);
  });

  it('carries images as base64 in lines of at most 76 characters that decode to the same bytes', () => {
    const lines = (parts[1]?.content ?? '').split(CRLF);
    expect(lines).toHaveLength(6); // 300 bytes -> 400 characters -> 5 full lines of 76 and one of 20
    expect(lines.map((line) => line.length)).toStrictEqual([76, 76, 76, 76, 76, 20]);
    for (const line of lines) expect(line).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(lines.join(''), 'base64').equals(IMAGE)).toBe(true);
  });

  it.each<[string, Buffer, string]>([
    ['an empty image', Buffer.alloc(0), ''],
    ['a 1-byte image', Buffer.from([0xff]), '/w=='],
    ['exactly 57 bytes (one full line)', Buffer.alloc(57, 0), 'A'.repeat(76)],
  ])('%s', (_case, body, encoded) => {
    const mms: ComposedMms = { ...MMS, parts: [MMS.parts[0] as MmsPart, { contentId: 'i.gif', contentType: 'image/gif', location: 'i.gif', body }] };
    const result = renderMultipartRelated(mms);
    const [, image] = splitMultipart(result.body.toString('utf8'), boundaryOf(result.contentType));
    expect(image?.content).toBe(encoded);
  });

  it('ends with the close delimiter and has no preamble', () => {
    const text = rendered.body.toString('utf8');
    expect(text.startsWith(`--${boundary}${CRLF}Content-Type: application/smil`)).toBe(true);
    expect(text.endsWith(`${CRLF}--${boundary}--${CRLF}`)).toBe(true);
  });

  it('refuses an MMS without parts', () => {
    expect(() => renderMultipartRelated({ ...MMS, parts: [] })).toThrow(new Error('an MMS needs at least its SMIL part'));
  });

  it("starts at whatever part comes first (the composer's SMIL)", () => {
    const reordered: ComposedMms = { ...MMS, parts: [MMS.parts[2] as MmsPart, MMS.parts[0] as MmsPart] };
    expect(renderMultipartRelated(reordered).contentType).toMatch(/; start="<slide1\.txt>"$/);
  });
});

describe('encodeHeaderValue', () => {
  it.each<[string, string, string]>([
    ['plain ASCII as is', 'Your Event Ticket', 'Your Event Ticket'],
    ['ASCII punctuation as is', "Hi! 50% off (today) - \"quotes\" & 'ticks' ~", "Hi! 50% off (today) - \"quotes\" & 'ticks' ~"],
    ['the empty string', '', ''],
    ['CRLF folded into a space (no header injection)', 'Ticket\r\nBcc: evil@example.com', 'Ticket Bcc: evil@example.com'],
    ['several line breaks into one space', 'a\n\n\rb', 'a b'],
    ['accents as an RFC 2047 B encoded-word', 'Café', '=?UTF-8?B?Q2Fmw6k=?='],
    ['emoji as an RFC 2047 B encoded-word', 'Ticket für Zoë 🎟', '=?UTF-8?B?VGlja2V0IGbDvHIgWm/DqyDwn46f?='],
    ['a tab, encoded', 'tab\there', '=?UTF-8?B?dGFiCWhlcmU=?='],
    ['line breaks removed before encoding', 'Café\nBcc: x', '=?UTF-8?B?Q2Fmw6kgQmNjOiB4?='],
  ])('%s', (_case, value, expected) => {
    expect(encodeHeaderValue(value)).toBe(expected);
  });

  it.each(['Café', 'Ünïcødé ✓', '日本語の件名', '🎟️🎫'])('%p decodes back to itself', (subject) => {
    const match = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(encodeHeaderValue(subject));
    expect(Buffer.from(match?.[1] ?? '', 'base64').toString('utf8')).toBe(subject);
  });
});

describe('renderMimeMessage', () => {
  it('is the headers, a blank line and the multipart body', () => {
    const content = renderMultipartRelated(MMS);
    const expectedHeaders =
      `MIME-Version: 1.0${CRLF}` +
      `From: 60856${CRLF}` +
      `To: 16501234123${CRLF}` +
      `Subject: Your Event Ticket${CRLF}` +
      `X-Tracking-Id: TU1TXzEyMzQ2${CRLF}` +
      `Content-Type: ${content.contentType}${CRLF}${CRLF}`;
    expect(renderMimeMessage(MMS).equals(Buffer.concat([Buffer.from(expectedHeaders, 'utf8'), content.body]))).toBe(true);
  });

  it('encodes a non-ASCII subject as =?UTF-8?B?...?=', () => {
    const message = renderMimeMessage({ ...MMS, subject: 'Ticket für Zoë 🎟' }).toString('utf8');
    expect(message).toContain(`${CRLF}Subject: =?UTF-8?B?VGlja2V0IGbDvHIgWm/DqyDwn46f?=${CRLF}`);
    const headerBlock = message.slice(0, message.indexOf(CRLF + CRLF));
    expect(/^[\x20-\x7e\r\n]*$/.test(headerBlock)).toBe(true);
  });
});
