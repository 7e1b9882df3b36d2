import { InvalidDeliveryReportError, parseDeliveryReport, soapEnvelopeOf } from './delivery-report-parser';

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

  it('finds the SOAP part of a multipart/related request', () => {
    const body = `--b1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-ID: <soap>\r\n\r\n${EXAMPLE}\r\n--b1--\r\n`;
    expect(parseDeliveryReport(soapEnvelopeOf(body, 'multipart/related; boundary="b1"; type="text/xml"')).mmscMessageId).toBe('369500617770864640');
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
});
