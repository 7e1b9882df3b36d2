import { PNG_1X1, exampleSubmitRequest, peerSubmitRequest } from '../../test/mm7-requests';
import { parseMediaType } from './media-type';
import { MimeError } from './mime-error';
import { MimePart, contentIdFromCidUrl, leafParts, normalizeContentId, parseEntity, rootPart } from './multipart';

const CRLF = '\r\n';

function entity(contentType: string, body: string | Buffer): MimePart {
  return parseEntity(contentType, Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
}

describe('parseMediaType (RFC 2045 §5.1)', () => {
  it('reads type, subtype and parameters, names case-insensitively, quoted values unescaped', () => {
    const type = parseMediaType('Multipart/Related; Boundary="==a\\"b=="; TYPE=text/xml ; start="<soap@x>";');
    expect(type.essence).toBe('multipart/related');
    expect(type.params).toEqual({ boundary: '==a"b==', type: 'text/xml', start: '<soap@x>' });
  });

  it('skips RFC 822 comments and white space around tokens', () => {
    expect(parseMediaType('text/plain (a comment) ; charset = utf-8').params['charset']).toBe('utf-8');
  });

  it.each(['text', 'text/', '/plain', 'text/plain; charset', 'text/plain; charset="utf-8', 'text/plain foo'])('refuses %p', (value) => {
    expect(() => parseMediaType(value)).toThrow(MimeError);
  });
});

describe('Content-ID and cid: references (RFC 2392)', () => {
  it.each([
    ['<abc@x>', 'abc@x'],
    ['abc@x', 'abc@x'],
    [' <abc@x> ', 'abc@x'],
  ])('normalizes %p to %p', (value, expected) => {
    expect(normalizeContentId(value)).toBe(expected);
  });

  it.each([
    ['cid:mms-content@example', 'mms-content@example'],
    ['CID:<mms-content@example>', 'mms-content@example'],
    ['cid:a%40b%20c', 'a@b c'],
    ['cid:100%zz', '100%zz'],
  ])('%p refers to %p', (href, id) => {
    expect(contentIdFromCidUrl(href)).toBe(id);
  });

  it('is null for other URLs', () => {
    expect(contentIdFromCidUrl('http://example.com/x.png')).toBeNull();
    expect(contentIdFromCidUrl('barcode.png')).toBeNull();
  });
});

describe('parseEntity on the example SubmitReq (shared/mm7/examples/submitreq.http)', () => {
  const request = exampleSubmitRequest();
  const root = entity(request.contentType, request.body);

  it('splits the outer multipart/related into the SOAP part and the content', () => {
    expect(root.mediaType.essence).toBe('multipart/related');
    expect(root.children?.map((p) => p.contentId)).toEqual(['soap-start@example', 'mms-content@example']);
    const soap = rootPart(root);
    expect(soap.contentId).toBe('soap-start@example');
    expect(soap.transferEncoding).toBe('8bit');
    expect(soap.body.toString('utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<env:Envelope[\s\S]*<\/env:Envelope>\n$/);
  });

  it('parses the nested multipart/related content into SMIL, PNG (base64 decoded) and text', () => {
    const content = (root.children as MimePart[])[1] as MimePart;
    expect(content.mediaType.params).toMatchObject({ type: 'application/smil', start: '<slide.smil>' });
    const leaves = leafParts(content);
    expect(leaves.map((p) => [p.mediaType.essence, p.contentId, p.contentLocation])).toEqual([
      ['application/smil', 'slide.smil', 'slide.smil'],
      ['image/png', 'barcode.png', 'barcode.png'],
      ['text/plain', 'ticket.txt', 'ticket.txt'],
    ]);
    expect(rootPart(content).contentId).toBe('slide.smil');
    expect(leaves[1]?.body.equals(PNG_1X1)).toBe(true);
    expect(leaves[2]?.body.toString('utf8')).toBe('Hyes Convention - Gate B - show this code. Ticket_12345');
    expect(leaves[0]?.body.toString('utf8')).toMatch(/^<smil>[\s\S]*<\/smil>\n$/);
  });
});

describe('parseEntity on the peer fixture (LF line ends, no start, Content-ID on the attachment only)', () => {
  const request = peerSubmitRequest();
  const root = entity(request.contentType, request.body);

  it('takes the first part as root and reads the attachment', () => {
    expect(rootPart(root).mediaType.essence).toBe('text/xml');
    expect(rootPart(root).contentId).toBeNull();
    const attachment = root.children?.[1];
    expect(attachment?.contentId).toBe('message-content');
    expect(attachment?.body.toString('utf8')).toBe('hello from fixture');
  });
});

describe('parseEntity: the rules of RFC 2046 §5.1.1 and RFC 2045 §6', () => {
  const type = 'multipart/related; boundary="b1"';

  it('ignores preamble and epilogue, allows transport padding after the boundary, unfolds headers', () => {
    const body = `preamble text${CRLF}--b1  ${CRLF}Content-Type: text/plain;${CRLF}\tcharset=utf-8${CRLF}Content-ID:${CRLF} <one>${CRLF}${CRLF}first${CRLF}--b1--${CRLF}epilogue`;
    const parts = entity(type, body).children as MimePart[];
    expect(parts).toHaveLength(1);
    expect(parts[0]?.mediaType.params['charset']).toBe('utf-8');
    expect(parts[0]?.contentId).toBe('one');
    expect(parts[0]?.body.toString()).toBe('first');
  });

  it('keeps binary content intact, even with CRLF, "--" and the boundary inside a line', () => {
    const binary = Buffer.concat([Buffer.from([0, 255, 13, 10, 45, 45, 13]), Buffer.from('x--b1 not a delimiter'), Buffer.from([10, 0])]);
    const body = Buffer.concat([
      Buffer.from(`--b1${CRLF}Content-Type: application/octet-stream${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}`),
      binary,
      Buffer.from(`${CRLF}--b1--`),
    ]);
    expect((entity(type, body).children as MimePart[])[0]?.body.equals(binary)).toBe(true);
  });

  it('does not take a longer boundary that starts with ours for a delimiter', () => {
    const body = `--b1${CRLF}${CRLF}one${CRLF}--b1x${CRLF}still one${CRLF}--b1--`;
    expect((entity(type, body).children as MimePart[])[0]?.body.toString()).toBe(`one${CRLF}--b1x${CRLF}still one`);
  });

  it('reads a part without headers as text/plain (RFC 2045 §5.2) and an empty part as empty', () => {
    const parts = entity(type, `--b1${CRLF}${CRLF}no headers${CRLF}--b1${CRLF}Content-Type: text/plain${CRLF}${CRLF}${CRLF}--b1--`).children as MimePart[];
    expect(parts[0]?.mediaType.essence).toBe('text/plain');
    expect(parts[0]?.body.toString()).toBe('no headers');
    expect(parts[1]?.body.length).toBe(0);
  });

  it.each([
    ['base64 with line breaks', 'base64', 'aGVsbG8g\r\nd29ybGQ=', 'hello world'],
    ['7bit', '7bit', 'plain ascii', 'plain ascii'],
    ['8bit UTF-8', '8bit', 'Grüße 🎫', 'Grüße 🎫'],
    ['binary', 'Binary', 'as is', 'as is'],
    ['quoted-printable', 'quoted-printable', 'Gr=C3=BC=C3=9Fe=\r\n soft=3Dbreak', 'Grüße soft=break'],
  ])('decodes %s', (_name, encoding, encoded, decoded) => {
    const body = `--b1${CRLF}Content-Transfer-Encoding: ${encoding}${CRLF}${CRLF}${encoded}${CRLF}--b1--`;
    expect((entity(type, body).children as MimePart[])[0]?.body.toString('utf8')).toBe(decoded);
  });

  it('parses multiparts nested in multiparts', () => {
    const body = `--b1${CRLF}Content-Type: multipart/mixed; boundary=b2${CRLF}${CRLF}--b2${CRLF}${CRLF}inner${CRLF}--b2--${CRLF}--b1--`;
    const outer = entity(type, body);
    expect(leafParts(outer).map((p) => p.body.toString())).toEqual(['inner']);
  });

  it.each([
    ['no boundary parameter', 'multipart/related', `--b1${CRLF}${CRLF}x${CRLF}--b1--`, /without a boundary/],
    ['no delimiter at all', type, 'just text', /no line starts with the boundary --b1/],
    ['no close delimiter (cut short)', type, `--b1${CRLF}${CRLF}x${CRLF}`, /close delimiter --b1-- is missing/],
    ['invalid base64', type, `--b1${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}aGVs*bG8=${CRLF}--b1--`, /part 1: invalid base64 \(character "\*"/],
    ['base64 of a wrong length', type, `--b1${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}aGVsbG8${CRLF}--b1--`, /not a multiple of 4/],
    ['an unknown transfer encoding', type, `--b1${CRLF}Content-Transfer-Encoding: x-uuencode${CRLF}${CRLF}x${CRLF}--b1--`, /unknown Content-Transfer-Encoding "x-uuencode"/],
    ['a malformed header', type, `--b1${CRLF}Content Type text/plain${CRLF}${CRLF}x${CRLF}--b1--`, /part 1: malformed header line/],
    ['a bad nested Content-Type', type, `--b1${CRLF}Content-Type: image${CRLF}${CRLF}x${CRLF}--b1--`, /part 1: Content-Type "image"/],
  ])('refuses %s', (_name, contentType, body, message) => {
    expect(() => entity(contentType, body)).toThrow(message);
  });

  it('refuses multiparts nested deeper than the limit', () => {
    let body = 'leaf';
    for (let depth = 6; depth >= 1; depth -= 1) body = `--d${depth}${CRLF}Content-Type: multipart/mixed; boundary=d${depth + 1}${CRLF}${CRLF}${body}${CRLF}--d${depth}--`;
    expect(() => entity('multipart/mixed; boundary=d1', body)).toThrow(/nested deeper than/);
  });

  it('finds the root by start, with or without angle brackets, and refuses a start naming no part', () => {
    const body = `--b1${CRLF}Content-ID: <a>${CRLF}${CRLF}A${CRLF}--b1${CRLF}Content-ID: b${CRLF}${CRLF}B${CRLF}--b1--`;
    expect(rootPart(entity(`${type}; start="<b>"`, body)).body.toString()).toBe('B');
    expect(rootPart(entity(`${type}; start=a`, body)).body.toString()).toBe('A');
    expect(rootPart(entity(type, body)).body.toString()).toBe('A');
    expect(() => rootPart(entity(`${type}; start="<c>"`, body))).toThrow('start="<c>" names no part (Content-IDs: <a>, <b>)');
  });
});
