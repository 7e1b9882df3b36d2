import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SubmitReqDialect, SubmitReqFields, buildSubmitReq } from './submit-req';

/** A fixture written as `Content-Type: ...` CRLF CRLF body, bytes as they go over the wire. */
function httpFixture(name: string): { contentType: string; body: Buffer } {
  const raw = readFileSync(join(__dirname, 'fixtures', name));
  const split = raw.indexOf('\r\n\r\n');
  return { contentType: raw.subarray(0, split).toString('latin1').replace(/^Content-Type: /, ''), body: raw.subarray(split + 4) };
}

// content.golden.mime is the MMS content delivery composed for this message (two parts: a SMIL
// and a four-byte PNG) before the codec moved out of the delivery service; the SubmitReq goldens
// are what delivery sent for it then. The codec must write the same bytes.
const fields: SubmitReqFields = {
  transactionId: 'TU1TXzEyMzQ2',
  senderShortCode: '60856',
  recipient: '16501234123',
  subject: 'Your <ticket> & more',
  content: httpFixture('content.golden.mime'),
};
const rel6: SubmitReqDialect = { version: '6.8.0', vaspId: 'vasp', vasId: 'tickets', numberPrefix: '' };
const rel5: SubmitReqDialect = { version: '5.3.0', vaspId: 'mmsgw', vasId: 'tickets', numberPrefix: '+' };
const at = new Date('2026-11-26T18:00:00.000Z');

/** The parts of a multipart body by their Content-ID. */
function parts(body: string, contentType: string): Map<string, { headers: string; body: string }> {
  const boundary = /boundary="([^"]+)"/.exec(contentType)?.[1] as string;
  const found = new Map<string, { headers: string; body: string }>();
  for (const chunk of body.split(`--${boundary}`).slice(1, -1)) {
    const split = chunk.indexOf('\r\n\r\n');
    const headers = chunk.slice(0, split);
    const id = /Content-ID: <([^>]+)>/i.exec(headers)?.[1] as string;
    found.set(id, { headers, body: chunk.slice(split + 4).replace(/\r\n$/, '') });
  }
  return found;
}

describe('MM7 SubmitReq', () => {
  const request = buildSubmitReq(fields, rel6, at);
  const body = request.body.toString('utf8');
  const start = /start="<([^>]+)>"/.exec(request.contentType)?.[1] as string;
  const byId = parts(body, request.contentType);
  const soap = byId.get(start)?.body ?? '';
  const parsed = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false }).parse(soap);
  const submit = parsed.Envelope.Body.SubmitReq;

  it.each([
    ['REL-6', rel6, 'submit-req.rel6.golden.http'],
    ['REL-5 with + numbers', rel5, 'submit-req.rel5.golden.http'],
  ] as const)('is byte for byte the golden %s SubmitReq', (_release, dialect, golden) => {
    const expected = httpFixture(golden);
    const written = buildSubmitReq(fields, dialect, at);
    expect(written.contentType).toBe(expected.contentType);
    expect(written.body.equals(expected.body)).toBe(true);
  });

  it('is multipart/related with the SOAP part first, as its start', () => {
    expect(request.contentType).toMatch(/^multipart\/related; boundary="[^"]+"; type="text\/xml"; start="<[^>]+>"$/);
    expect([...byId.keys()][0]).toBe(start);
    expect(byId.get(start)?.headers).toMatch(/Content-Type: text\/xml; charset="utf-8"/);
    expect(XMLValidator.validate(soap)).toBe(true);
  });

  it('uses the tracking id as TransactionID, mustUnderstand', () => {
    expect(request.transactionId).toBe('TU1TXzEyMzQ2');
    expect(parsed.Envelope.Header.TransactionID['#text']).toBe('TU1TXzEyMzQ2');
    expect(parsed.Envelope.Header.TransactionID['@_env:mustUnderstand'] ?? parsed.Envelope.Header.TransactionID['@_mustUnderstand']).toBe('1');
  });

  it('writes the SubmitReq children in the schema order of TS 23.140', () => {
    const order = [...soap.matchAll(/<([A-Za-z0-9]+)[ >/]/g)].map((m) => m[1]);
    const children = ['MM7Version', 'SenderIdentification', 'Recipients', 'MessageClass', 'TimeStamp', 'DeliveryReport', 'Subject', 'Content'];
    const firstIndex = children.map((name) => order.indexOf(name));
    expect(firstIndex.every((index) => index >= 0)).toBe(true);
    expect([...firstIndex].sort((a, b) => a - b)).toStrictEqual(firstIndex);
  });

  it('carries VASPID, VASID, the short code, the recipient, the escaped subject and asks for a delivery report', () => {
    expect(submit.MM7Version).toBe('6.8.0');
    expect(submit.SenderIdentification).toMatchObject({ VASPID: 'vasp', VASID: 'tickets', SenderAddress: { ShortCode: '60856' } });
    expect(submit.Recipients.To.Number).toBe('16501234123');
    expect(submit.DeliveryReport).toBe('true');
    expect(submit.Subject).toBe('Your <ticket> & more');
    expect(soap).toContain('<Subject>Your &lt;ticket&gt; &amp; more</Subject>');
    expect(submit.TimeStamp).toBe('2026-11-26T18:00:00Z');
    expect(soap).toContain('<SubmitReq xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">');
  });

  it('references the content part by cid: and forbids adaptation', () => {
    const href = submit.Content['@_href'] as string;
    expect(href.startsWith('cid:')).toBe(true);
    const content = byId.get(href.slice(4));
    expect(content?.headers).toMatch(/Content-Type: multipart\/related; boundary="[^"]+"; type="application\/smil"; start="<presentation.smil>"/);
    expect(content?.body).toContain('Content-ID: <barcode.png>');
    expect(submit.Content['@_allowAdaptations']).toBe('false');
  });

  it('follows the dialect: REL-5 namespace and version, + before numbers', () => {
    const written = buildSubmitReq(fields, rel5, at).body.toString();
    expect(written).toContain('schema/REL-5-MM7-1-0');
    expect(written).toContain('<MM7Version>5.3.0</MM7Version>');
    expect(written).toContain('<Number>+16501234123</Number>');
  });
});
