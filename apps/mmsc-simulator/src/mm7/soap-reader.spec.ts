import { REL5, REL6, exampleEnvelope, fixture } from '../../test/mm7-requests';
import { childText } from '../xml/xml';
import { SoapError, readResponseStatus, readSoapMessage } from './soap-reader';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';

function envelope(body: string, header = '<env:Header><mm7:TransactionID xmlns:mm7="' + REL6 + '" env:mustUnderstand="1">tx-1</mm7:TransactionID></env:Header>') {
  return `<?xml version="1.0"?><env:Envelope xmlns:env="${SOAP}">${header}<env:Body>${body}</env:Body></env:Envelope>`;
}

describe('readSoapMessage: the dialects (parsed by local name)', () => {
  it('reads the example: SubmitReq in a default namespace (REL-6)', () => {
    const message = readSoapMessage(exampleEnvelope());
    expect(message.operation?.localName).toBe('SubmitReq');
    expect(message.mm7Namespace).toBe(REL6);
    expect(message.dialect).toBe('default-namespace');
    expect(message.transactionId).toBe('TX-20240501-000123');
    expect(message.transactionIdMustUnderstand).toBe(true);
    expect(childText(message.operation as never, 'MM7Version')).toBe('6.8.0');
  });

  it("reads the peer's REL-5 dialect: prefixed SubmitReq, unqualified children, namespaces on the Envelope", () => {
    const xml = fixture('peer-submit_req.multipart').toString('utf8');
    const soap = xml.slice(xml.indexOf('<?xml'), xml.indexOf('</soapenv:Envelope>') + '</soapenv:Envelope>'.length);
    const message = readSoapMessage(soap);
    expect(message.operation?.name).toBe('mm7:SubmitReq');
    expect(message.mm7Namespace).toBe(REL5);
    expect(message.dialect).toBe('prefixed-unqualified-children');
    expect(message.transactionId).toBe('txn-fixture');
    expect(message.operation?.children.map((c) => c.localName)).toEqual(['MM7Version', 'SenderIdentification', 'Recipients', 'Subject', 'Content']);
  });

  it('reads a fully prefixed SubmitReq', () => {
    const message = readSoapMessage(
      envelope(`<mm7:SubmitReq xmlns:mm7="${REL6}"><mm7:MM7Version>6.8.0</mm7:MM7Version></mm7:SubmitReq>`),
    );
    expect(message.dialect).toBe('prefixed');
    expect(message.operation?.children[0]?.namespace).toBe(REL6);
  });

  it('decodes entities and character references, and keeps CDATA as text', () => {
    const message = readSoapMessage(
      envelope(
        `<SubmitReq xmlns="${REL6}"><Subject>Tom &amp; Jerry &#x1F3AB;&#233;<![CDATA[<b>&amp;</b>]]></Subject></SubmitReq>`,
        `<env:Header><TransactionID xmlns="${REL6}">a&lt;b</TransactionID></env:Header>`,
      ),
    );
    expect(childText(message.operation as never, 'Subject')).toBe('Tom & Jerry 🎫é<b>&amp;</b>');
    expect(message.transactionId).toBe('a<b');
    expect(message.transactionIdMustUnderstand).toBe(false);
  });

  it('lists header entries it must understand and does not', () => {
    const message = readSoapMessage(
      envelope(`<SubmitReq xmlns="${REL6}"/>`, `<env:Header><x:Billing xmlns:x="urn:x" env:mustUnderstand="1"/><y:Hint xmlns:y="urn:y"/></env:Header>`),
    );
    expect(message.notUnderstood).toEqual(['x:Billing']);
    expect(message.transactionId).toBeNull();
  });
});

describe('readSoapMessage: responses and their Status', () => {
  it.each([
    ['submitrsp.xml (REL-6, default namespace)', 'submitrsp.xml', 'SubmitRsp'],
    ['deliveryreportreq.xml has no Status', 'deliveryreportreq.xml', 'DeliveryReportReq'],
    ["the peer's DeliveryReportRsp (REL-5, prefixed)", 'peer-delivery_report_rsp.soap', 'DeliveryReportRsp'],
  ])('%s', (_name, file, operation) => {
    const message = readSoapMessage(fixture(file).toString('utf8'));
    expect(message.operation?.localName).toBe(operation);
    const status = readResponseStatus(message);
    if (operation === 'DeliveryReportReq') expect(status).toBeNull();
    else expect(status).toEqual({ code: 1000, text: 'Success', details: null });
  });

  it('finds the Status of an RSErrorRsp inside a SOAP Fault detail', () => {
    const message = readSoapMessage(
      envelope(
        `<env:Fault><faultcode>env:Client</faultcode><faultstring>Validation error</faultstring><detail><RSErrorRsp xmlns="${REL6}"><MM7Version>6.8.0</MM7Version><Status><StatusCode>4004</StatusCode><StatusText>Validation error</StatusText><Details>x</Details></Status></RSErrorRsp></detail></env:Fault>`,
      ),
    );
    expect(readResponseStatus(message)).toEqual({ code: 4004, text: 'Validation error', details: 'x' });
  });
});

describe('readSoapMessage: what it refuses', () => {
  it.each([
    ['not well-formed XML', `<env:Envelope xmlns:env="${SOAP}"><env:Body></env:Envelop>`, /not well-formed XML: .* \(line 1, column \d+\)$/],
    ['an empty document', '', /^not well-formed XML: Start tag expected\.( \(line 1\))?$/],
    ['thousands of unclosed tags (a short message all the same)', '<a>'.repeat(5000), /^not well-formed XML: .{1,160}\.\.\. \(line 1, column 1\)$/],
    ['a DOCTYPE (entity expansion)', `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><env:Envelope xmlns:env="${SOAP}"><env:Body/></env:Envelope>`, /document type declaration/],
    ['an undeclared entity', envelope(`<SubmitReq xmlns="${REL6}">&nbsp;</SubmitReq>`), /undeclared entity "&nbsp;"/],
    ['a bare ampersand', envelope(`<SubmitReq xmlns="${REL6}">a & b</SubmitReq>`), /not well-formed XML: char '&'/],
    ['a character reference to a control character', envelope(`<SubmitReq xmlns="${REL6}">&#1;</SubmitReq>`), /not an XML character/],
    ['an undeclared prefix', envelope('<mm7:SubmitReq/>'), /prefix "mm7" of <mm7:SubmitReq> is not declared/],
    ['a root that is not an Envelope', `<SubmitReq xmlns="${REL6}"/>`, /not a SOAP Envelope/],
    ['an Envelope in another namespace', '<Envelope xmlns="urn:other"><Body/></Envelope>', /not SOAP 1.1/],
    ['an Envelope without Body', `<env:Envelope xmlns:env="${SOAP}"><env:Header/></env:Envelope>`, /no SOAP Body/],
  ])('%s', (_name, xml, message) => {
    expect(() => readSoapMessage(xml)).toThrow(message);
  });

  it('answers a SOAP 1.2 envelope with VersionMismatch', () => {
    let error: unknown;
    try {
      readSoapMessage('<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SoapError);
    expect((error as SoapError).faultCode).toBe('VersionMismatch');
  });
});
