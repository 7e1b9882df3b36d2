import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { XMLValidator } from 'fast-xml-parser';
import { InvalidDeliveryReportError, parseDeliveryReport, writeDeliveryReportRsp, writeFault } from './delivery-report';
import { readResponse } from './response';

const NS = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';

/** ../shared/mm7/examples/deliveryreportreq.xml, plus UACapabilities. */
const EXAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Header>
    <mm7:TransactionID xmlns:mm7="${NS}" env:mustUnderstand="1">MMSC-DR-0001</mm7:TransactionID>
  </env:Header>
  <env:Body>
    <DeliveryReportReq xmlns="${NS}">
      <MM7Version>6.8.0</MM7Version>
      <MMSRelayServerID>mmsc.example.net</MMSRelayServerID>
      <MessageID>369500617770864640</MessageID>
      <Recipient><Number>16501234123</Number></Recipient>
      <Sender><ShortCode>60856</ShortCode></Sender>
      <Date>2024-05-01T14:03:51Z</Date>
      <MMStatus>Retrieved</MMStatus>
      <StatusText>Success</StatusText>
      <UACapabilities UAProf="motol7c"/>
    </DeliveryReportReq>
  </env:Body>
</env:Envelope>`;

describe('MM7 DeliveryReportReq', () => {
  it('reads the example report', () => {
    expect(parseDeliveryReport(EXAMPLE)).toStrictEqual({
      transactionId: 'MMSC-DR-0001',
      mmscMessageId: '369500617770864640',
      recipient: '16501234123',
      sender: '60856',
      mmStatus: 'Retrieved',
      statusText: 'Success',
      handset: 'motol7c',
      reportedAt: new Date('2024-05-01T14:03:51Z'),
      mm7Version: '6.8.0',
    });
  });

  it('reads the prefixed dialect, a + number and a UAProf element', () => {
    const prefixed = EXAMPLE.replace(`<DeliveryReportReq xmlns="${NS}">`, `<mm7:DeliveryReportReq xmlns:mm7="${NS}">`)
      .replace('</DeliveryReportReq>', '</mm7:DeliveryReportReq>')
      .replace('<Number>16501234123</Number>', '<Number>+16501234123</Number>')
      .replace('<UACapabilities UAProf="motol7c"/>', '<UACapabilities><UAProf>iPhoneOS</UAProf></UACapabilities>');
    expect(parseDeliveryReport(prefixed)).toMatchObject({ recipient: '16501234123', handset: 'iPhoneOS', mmStatus: 'Retrieved' });
  });

  it.each([
    ['not XML', 'hello'],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY a "b">]>${EXAMPLE.replace(/^<\?xml[^>]*>/, '')}`],
    ['another request', EXAMPLE.replace(/DeliveryReportReq/g, 'SubmitReq')],
    ['no MMStatus', EXAMPLE.replace('<MMStatus>Retrieved</MMStatus>', '')],
    ['no MessageID', EXAMPLE.replace('<MessageID>369500617770864640</MessageID>', '')],
  ])('refuses %s', (_case, xml) => {
    expect(() => parseDeliveryReport(xml)).toThrow(InvalidDeliveryReportError);
  });

  it('reads the example of ../shared/mm7/examples', () => {
    const example = readFileSync(join(__dirname, 'fixtures/examples/deliveryreportreq.xml'), 'utf8');
    expect(parseDeliveryReport(example)).toMatchObject({ transactionId: 'MMSC-DR-0001', mmscMessageId: '369500617770864640', mmStatus: 'Retrieved', handset: undefined });
  });
});

describe('MM7 DeliveryReportRsp and Fault', () => {
  it('answers in REL-6 the way the example does', () => {
    const written = readResponse(writeDeliveryReportRsp('MMSC-DR-0001', '6.8.0'));
    const example = readResponse(readFileSync(join(__dirname, 'fixtures/examples/deliveryreportrsp.xml'), 'utf8'));
    expect(written).toStrictEqual(example);
    expect(written).toMatchObject({ element: 'DeliveryReportRsp', code: 1000, mm7Version: '6.8.0', transactionId: 'MMSC-DR-0001' });
  });

  it('answers a REL-5 MMSC in REL-5, and an unknown version in REL-6', () => {
    const rel5 = writeDeliveryReportRsp('t', '5.3.0');
    expect(rel5).toContain('schema/REL-5-MM7-1-0');
    expect(readResponse(rel5).mm7Version).toBe('5.3.0');
    expect(readResponse(writeDeliveryReportRsp(undefined, '9.9')).mm7Version).toBe('6.8.0');
    expect(writeDeliveryReportRsp(undefined, undefined)).not.toContain('TransactionID');
  });

  it('writes a well-formed Fault with the status code and the escaped reason', () => {
    const fault = writeFault('t-1', 4004, 'bad <xml> & more', '5.3.0');
    expect(XMLValidator.validate(fault)).toBe(true);
    expect(fault).toContain('<faultcode>env:Client</faultcode>');
    expect(fault).toContain('<faultstring>bad &lt;xml&gt; &amp; more</faultstring>');
    expect(readResponse(fault)).toMatchObject({ element: 'RSErrorRsp', code: 4004, text: 'bad <xml> & more', mm7Version: '5.3.0', transactionId: 't-1' });
  });
});

describe('a hostile DeliveryReportReq', () => {
  const inBody = (inner: string) => EXAMPLE.replace('<MMStatus>Retrieved</MMStatus>', `<MMStatus>Retrieved</MMStatus>${inner}`);

  it.each([
    ['nested 10,000 levels deep', inBody(`${'<x>'.repeat(10_000)}${'</x>'.repeat(10_000)}`), /nested deeper than 32 levels/],
    ['a million elements', inBody('<x/>'.repeat(1_000_000)), /more than 1000 elements/],
    [
      'a billion laughs',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>${EXAMPLE.replace(/^<\?xml[^>]*>/, '').replace('Success</StatusText>', '&lol2;</StatusText>')}`,
      /DOCTYPE is not allowed/,
    ],
    ['an entity declaration without a DOCTYPE', `<!ENTITY x "y">${EXAMPLE}`, /DOCTYPE is not allowed/],
    ['unclosed tags', `${EXAMPLE.slice(0, 300)}${'<a'.repeat(100_000)}`, /not well-formed/],
    ['a repeated MessageID', EXAMPLE.replace('<MMStatus>', '<MessageID>2</MessageID><MMStatus>'), /needs MessageID and MMStatus/],
    ['binary garbage', '\u0000\u0001<\u0002>'.repeat(1000), /./],
  ])('refuses one %s quickly, with a reason', (_case, xml, reason) => {
    const started = performance.now();
    let thrown: unknown;
    try {
      parseDeliveryReport(xml);
    } catch (error) {
      thrown = error;
    }
    expect(performance.now() - started).toBeLessThan(1000);
    expect(thrown).toBeInstanceOf(InvalidDeliveryReportError);
    expect((thrown as Error).message).toMatch(reason);
  });

  it.each(['__proto__', 'constructor'])('refuses an element named %s (the parser would not), leaving the prototype alone', (name) => {
    expect(() => parseDeliveryReport(inBody(`<${name}><polluted>yes</polluted></${name}>`))).toThrow(InvalidDeliveryReportError);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
