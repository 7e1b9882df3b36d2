import { InvalidDeliveryReportError, parseDeliveryReport } from '@mms/mm7';
import { soapEnvelopeOf } from './soap-part';

const ENVELOPE = `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Body>
    <DeliveryReportReq xmlns="http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4">
      <MM7Version>6.8.0</MM7Version>
      <MessageID>369500617770864640</MessageID>
      <MMStatus>Retrieved</MMStatus>
    </DeliveryReportReq>
  </env:Body>
</env:Envelope>`;

describe('the SOAP part of an MMSC request', () => {
  it('is the body itself for text/xml', () => {
    expect(soapEnvelopeOf(ENVELOPE, 'text/xml; charset=utf-8')).toBe(ENVELOPE);
  });

  it('is the XML part of a multipart/related request', () => {
    const body = `--b1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-ID: <soap>\r\n\r\n${ENVELOPE}\r\n--b1--\r\n`;
    expect(parseDeliveryReport(soapEnvelopeOf(body, 'multipart/related; boundary="b1"; type="text/xml"')).mmscMessageId).toBe('369500617770864640');
  });

  it.each([
    ['broken multipart', '--b1\r\nno end', 'multipart/related; boundary="b1"'],
    ['no XML part', '--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1--\r\n', 'multipart/related; boundary="b1"'],
  ])('refuses %s', (_case, body, contentType) => {
    expect(() => soapEnvelopeOf(body, contentType)).toThrow(InvalidDeliveryReportError);
  });
});
