import { REL5, buildSubmitRequest, envelopeWith, exampleEnvelope, exampleSubmitRequest, peerSubmitRequest } from '../../test/mm7-requests';
import { SubmitReading, readSubmitRequest } from './submit-request.reader';

function details(reading: SubmitReading): string {
  return reading.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}

describe('readSubmitRequest: requests that validate', () => {
  it('accepts the example SubmitReq (shared/mm7/examples/submitreq.http) as sent', () => {
    const reading = readSubmitRequest(exampleSubmitRequest());
    expect(reading.issues).toEqual([]);
    expect(reading.warnings).toEqual([]);
    expect(reading.isSubmitReq).toBe(true);
    expect(reading.transactionId).toBe('TX-20240501-000123');
    expect(reading.submit).toMatchObject({
      mm7Version: '6.8.0',
      vaspId: 'partner-vasp',
      vasId: 'tickets',
      sender: { kind: 'ShortCode', value: '60856' },
      recipients: [{ field: 'To', kind: 'Number', value: '16501234123' }],
      serviceCode: 'TICKET-BARCODE',
      linkedId: 'MO-MSG-778899',
      messageClass: 'Informational',
      deliveryReport: true,
      subject: 'Your Event Ticket',
      contentHref: 'cid:mms-content@example',
      allowAdaptations: false,
    });
    expect(reading.parts.map((p) => p.mediaType.essence)).toEqual(['application/smil', 'image/png', 'text/plain']);
    expect(reading.contentMediaType?.essence).toBe('multipart/related');
  });

  it("accepts the peer's REL-5 SubmitReq (VectorCore fixture): prefixed, unqualified children, + number, single-part content", () => {
    const reading = readSubmitRequest(peerSubmitRequest());
    expect(details(reading)).toBe('');
    expect(reading.mm7Namespace).toBe(REL5);
    expect(reading.dialect).toBe('prefixed-unqualified-children');
    expect(reading.transactionId).toBe('txn-fixture');
    expect(reading.submit?.recipients).toEqual([{ field: 'To', kind: 'Number', value: '+12025550101' }]);
    expect(reading.parts.map((p) => [p.mediaType.essence, p.body.toString()])).toEqual([['text/plain', 'hello from fixture']]);
    // Accepted, but what it leaves out of RFC 2387 is said.
    expect(reading.warnings).toEqual([expect.stringMatching(/without the type parameter/)]);
  });

  it('accepts the built variant (binary PNG, CRLF) and every optional element in order', () => {
    const full = envelopeWith(
      /<ServiceCode>[\s\S]*<Subject>Your Event Ticket<\/Subject>/,
      '<ServiceCode>S</ServiceCode><LinkedID>L</LinkedID><MessageClass>Personal</MessageClass><TimeStamp>2024-05-01T14:03:51Z</TimeStamp>' +
        '<ReplyCharging replyChargingSize="1024" replyDeadline="P2D"/><EarliestDeliveryTime>2024-05-01T15:00:00+02:00</EarliestDeliveryTime>' +
        '<ExpiryDate>P1D</ExpiryDate><DeliveryReport>1</DeliveryReport><ReadReply>false</ReadReply><Priority>High</Priority>' +
        '<Subject>S</Subject><ChargedParty>Sender</ChargedParty><DistributionIndicator>true</DistributionIndicator>',
    );
    const reading = readSubmitRequest(buildSubmitRequest({ envelope: full }));
    expect(details(reading)).toBe('');
    expect(reading.submit?.deliveryReport).toBe(true);
  });

  it('accepts Cc and Bcc recipients, several addresses, and cid: hrefs with angle brackets', () => {
    const envelope = envelopeWith(
      '<To><Number>16501234123</Number></To>',
      '<To><Number>16501234123</Number><RFC2822Address>a@example.com</RFC2822Address></To><Cc><ShortCode>12345</ShortCode></Cc><Bcc><Number displayOnly="false">+447700900750</Number></Bcc>',
    ).replace('href="cid:mms-content@example"', 'href="cid:&lt;mms-content@example&gt;"');
    const reading = readSubmitRequest(buildSubmitRequest({ envelope }));
    expect(details(reading)).toBe('');
    expect(reading.submit?.recipients.map((r) => `${r.field}:${r.value}`)).toEqual(['To:16501234123', 'To:a@example.com', 'Cc:12345', 'Bcc:+447700900750']);
  });

  it('accepts a bare text/xml envelope up to the content check (no attachments: 2007)', () => {
    const reading = readSubmitRequest({ contentType: 'text/xml; charset=utf-8', soapAction: '""', body: Buffer.from(exampleEnvelope()) });
    expect(reading.issues.map((i) => i.status)).toEqual([2007]);
    expect(details(reading)).toContain('cid:mms-content@example names no attachment (attachments: no parts)');
  });

  it('refuses content over the configured size with 2004', () => {
    const reading = readSubmitRequest(buildSubmitRequest(), { maxContentBytes: 100 });
    expect(reading.issues.map((i) => i.status)).toEqual([2004]);
  });
});

interface Broken {
  readonly name: string;
  readonly request: () => { contentType: string | undefined; soapAction: string | undefined; body: Buffer };
  readonly status: number;
  readonly details: RegExp;
}

const withEnvelope = (search: string | RegExp, replacement: string) => () => buildSubmitRequest({ envelope: envelopeWith(search, replacement) });

/** Each broken request, the status an MMSC answers, and what Details must say. */
const BROKEN: readonly Broken[] = [
  // MIME and SOAP structure: 2007 Message format corrupt.
  { name: 'no Content-Type', request: () => ({ ...buildSubmitRequest(), contentType: undefined }), status: 2007, details: /no Content-Type/ },
  { name: 'application/json body', request: () => ({ ...buildSubmitRequest(), contentType: 'application/json' }), status: 2007, details: /neither multipart\/related .* nor text\/xml/ },
  { name: 'multipart without boundary', request: () => ({ ...buildSubmitRequest(), contentType: 'multipart/related; type="text/xml"' }), status: 2007, details: /without a boundary parameter/ },
  { name: 'body cut short', request: () => { const r = buildSubmitRequest(); return { ...r, body: r.body.subarray(0, r.body.length - 40) }; }, status: 2007, details: /close delimiter .* is missing/ },
  { name: 'start names no part', request: () => ({ ...buildSubmitRequest(), contentType: 'multipart/related; boundary="outer-boundary-1"; type="text/xml"; start="<nope>"' }), status: 2007, details: /start="<nope>" names no part/ },
  { name: 'SOAP part not text/xml', request: () => { const r = buildSubmitRequest(); return { ...r, body: Buffer.from(r.body.toString('latin1').replace('Content-Type: text/xml; charset="utf-8"', 'Content-Type: application/soap+xml'), 'latin1') }; }, status: 2007, details: /the SOAP part is application\/soap\+xml/ },
  { name: 'XML not well-formed', request: withEnvelope('</SubmitReq>', '</SubmitRequest>'), status: 2007, details: /SOAP: not well-formed XML/ },
  { name: 'a DOCTYPE', request: withEnvelope('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE x>'), status: 2007, details: /document type declaration/ },
  { name: 'SOAP 1.2 envelope', request: withEnvelope('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope'), status: 2007, details: /SOAP 1.2 envelope/ },
  { name: 'invalid base64 in the image', request: () => { const r = exampleSubmitRequest(); return { ...r, body: Buffer.from(r.body.toString('latin1').replace('iVBORw0KGgo', 'iVBOR*0KGgo'), 'latin1') }; }, status: 2007, details: /part 2, part 2: invalid base64/ },
  { name: 'Content href naming no attachment', request: () => buildSubmitRequest({ contentId: 'other@example' }), status: 2007, details: /SubmitReq\/Content\/@href: cid:mms-content@example names no attachment \(attachments: <other@example>\)/ },
  // Operation and version.
  { name: 'another operation (CancelReq)', request: withEnvelope(/SubmitReq/g, 'CancelReq'), status: 4003, details: /<CancelReq> is not supported here/ },
  { name: 'MM7Version 7.0.0', request: withEnvelope('<MM7Version>6.8.0</MM7Version>', '<MM7Version>7.0.0</MM7Version>'), status: 4002, details: /SubmitReq\/MM7Version: MM7 version "7.0.0" is not supported/ },
  { name: 'a REL-7 namespace', request: withEnvelope('<SubmitReq xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">', '<SubmitReq xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-7-MM7-1-0">'), status: 4002, details: /REL-7-MM7-1-0" is not an MM7 Release 5 or 6 namespace/ },
  // Header: 4004.
  { name: 'no TransactionID', request: withEnvelope(/<mm7:TransactionID[\s\S]*<\/mm7:TransactionID>/, ''), status: 4004, details: /SOAP Header: no TransactionID/ },
  { name: 'an empty TransactionID', request: withEnvelope('TX-20240501-000123', ' '), status: 4004, details: /no TransactionID/ },
  { name: 'a mustUnderstand header entry not understood', request: withEnvelope('</env:Header>', '<x:Charge xmlns:x="urn:x" env:mustUnderstand="1"/></env:Header>'), status: 4004, details: /<x:Charge> is marked mustUnderstand="1"/ },
  // Schema (submit-req.schema.ts): 4004 Validation error.
  { name: 'MM7Version missing', request: withEnvelope('<MM7Version>6.8.0</MM7Version>', ''), status: 4004, details: /SubmitReq\/MM7Version: required element <MM7Version> is missing/ },
  { name: 'SenderIdentification missing', request: withEnvelope(/<SenderIdentification>[\s\S]*<\/SenderIdentification>/, ''), status: 4004, details: /required element <SenderIdentification> is missing/ },
  { name: 'Recipients missing', request: withEnvelope(/<Recipients>[\s\S]*<\/Recipients>/, ''), status: 4004, details: /required element <Recipients> is missing/ },
  { name: 'Recipients without an address', request: withEnvelope(/<Recipients>[\s\S]*<\/Recipients>/, '<Recipients></Recipients>'), status: 4004, details: /SubmitReq\/Recipients: must contain at least one To, Cc or Bcc recipient/ },
  { name: 'a To without an address', request: withEnvelope('<To><Number>16501234123</Number></To>', '<To/>'), status: 4004, details: /SubmitReq\/Recipients\/To: must contain at least one address/ },
  { name: 'Content missing', request: withEnvelope(/<Content [^>]*\/>/, ''), status: 4004, details: /required element <Content> is missing/ },
  { name: 'Content href missing', request: withEnvelope('href="cid:mms-content@example" ', ''), status: 4004, details: /SubmitReq\/Content: the href attribute is required/ },
  { name: 'Content href not a cid: URL', request: withEnvelope('cid:mms-content@example', 'http://example.com/mms'), status: 4004, details: /Content\/@href: "http:\/\/example.com\/mms" is not a cid: reference/ },
  { name: 'allowAdaptations not a boolean', request: withEnvelope('allowAdaptations="false"', 'allowAdaptations="no"'), status: 4004, details: /Content\/@allowAdaptations: "no" is not a boolean/ },
  { name: 'elements out of order (Subject before MessageClass)', request: withEnvelope(/(<MessageClass>Informational<\/MessageClass>)([\s\S]*)(<Subject>Your Event Ticket<\/Subject>)/, '$3$2$1'), status: 4004, details: /^SubmitReq\/DeliveryReport: out of order: <DeliveryReport> must come before <Subject> \(order: MM7Version, SenderIdentification, Recipients, .*\); SubmitReq\/MessageClass: out of order: <MessageClass> must come before <Subject>$/ },
  { name: 'SenderIdentification children out of order', request: withEnvelope('<VASPID>partner-vasp</VASPID>\n        <VASID>tickets</VASID>', '<VASID>tickets</VASID><VASPID>partner-vasp</VASPID>'), status: 4004, details: /SenderIdentification\/VASPID: out of order: <VASPID> must come before <VASID>/ },
  { name: 'a duplicate Subject', request: withEnvelope('<Subject>Your Event Ticket</Subject>', '<Subject>a</Subject><Subject>b</Subject>'), status: 4004, details: /<Subject> may appear only once/ },
  { name: 'an unknown element', request: withEnvelope('<Subject>', '<Colour>red</Colour><Subject>'), status: 4004, details: /unexpected element <Colour>/ },
  { name: 'DeliveryReport "yes"', request: withEnvelope('<DeliveryReport>true</DeliveryReport>', '<DeliveryReport>yes</DeliveryReport>'), status: 4004, details: /SubmitReq\/DeliveryReport: "yes" is not a boolean/ },
  { name: 'MessageClass "Promotional"', request: withEnvelope('<MessageClass>Informational</MessageClass>', '<MessageClass>Promotional</MessageClass>'), status: 4004, details: /"Promotional" is not one of Personal, Informational, Advertisement, Auto/ },
  { name: 'MessageClass in the wrong case', request: withEnvelope('<MessageClass>Informational</MessageClass>', '<MessageClass>informational</MessageClass>'), status: 4004, details: /"informational" is not one of/ },
  { name: 'Priority "Urgent"', request: withEnvelope('<Subject>', '<Priority>Urgent</Priority><Subject>'), status: 4004, details: /SubmitReq\/Priority: "Urgent" is not one of High, Normal, Low/ },
  { name: 'TimeStamp not a dateTime', request: withEnvelope('</MessageClass>', '</MessageClass><TimeStamp>01/05/2024</TimeStamp>'), status: 4004, details: /^SubmitReq\/TimeStamp: "01\/05\/2024" is not an xs:dateTime/ },
  { name: 'ExpiryDate neither date nor duration', request: withEnvelope('<DeliveryReport>', '<ExpiryDate>tomorrow</ExpiryDate><DeliveryReport>'), status: 4004, details: /ExpiryDate: "tomorrow" is neither an xs:dateTime nor an xs:duration/ },
  { name: 'text inside an element-only element', request: withEnvelope('<Recipients>', '<Recipients>stray'), status: 4004, details: /Recipients: text "stray" is not allowed/ },
  { name: 'a Subject with child elements', request: withEnvelope('<Subject>Your Event Ticket</Subject>', '<Subject><b>x</b></Subject>'), status: 4004, details: /Subject: must hold text only/ },
  // Addresses: 2002 Address error.
  { name: 'a Number with letters', request: withEnvelope('<Number>16501234123</Number>', '<Number>1650CALLME</Number>'), status: 2002, details: /Recipients\/To\/Number: "1650CALLME" is not an international phone number/ },
  { name: 'an empty Number', request: withEnvelope('<Number>16501234123</Number>', '<Number></Number>'), status: 2002, details: /"" is not an international phone number/ },
  { name: 'a bad RFC 2822 address', request: withEnvelope('<Number>16501234123</Number>', '<RFC2822Address>not an address</RFC2822Address>'), status: 2002, details: /is not an RFC 2822 address/ },
  { name: 'a bad sender short code', request: withEnvelope('<ShortCode>60856</ShortCode>', '<ShortCode>60-856</ShortCode>'), status: 2002, details: /SenderAddress\/ShortCode: "60-856" is not a short code/ },
];

describe('readSubmitRequest: broken requests are refused with the right status and details', () => {
  it.each(BROKEN.map((b) => [b.name, b] as const))('%s', (_name, broken) => {
    const reading = readSubmitRequest(broken.request());
    expect(reading.issues.length).toBeGreaterThan(0);
    expect(reading.issues[0]?.status).toBe(broken.status);
    expect(details(reading)).toMatch(broken.details);
  });

  it('reports every problem of a request, not only the first', () => {
    const envelope = envelopeWith('<DeliveryReport>true</DeliveryReport>', '<DeliveryReport>maybe</DeliveryReport>').replace(
      '<MessageClass>Informational</MessageClass>',
      '<MessageClass>Spam</MessageClass>',
    );
    const reading = readSubmitRequest(buildSubmitRequest({ envelope }));
    expect(reading.issues.map((i) => i.path)).toEqual(['SubmitReq/MessageClass', 'SubmitReq/DeliveryReport']);
  });

  it('still reads what it can from a refused SubmitReq (for the inbox)', () => {
    const reading = readSubmitRequest(withEnvelope('<DeliveryReport>true</DeliveryReport>', '<DeliveryReport>yes</DeliveryReport>')());
    expect(reading.submit?.subject).toBe('Your Event Ticket');
    expect(reading.parts).toHaveLength(3);
  });
});
