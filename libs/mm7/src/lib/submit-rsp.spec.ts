import { statusClass } from './status';
import { parseSubmitResponse } from './submit-rsp';

const NS = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';
const RETRYABLE = [3000, 3001, 3100, 3500, 4006];

const submitRsp = (code: number, text: string, messageId?: string) => `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Header><mm7:TransactionID xmlns:mm7="${NS}" env:mustUnderstand="1">TX-1</mm7:TransactionID></env:Header>
  <env:Body>
    <SubmitRsp xmlns="${NS}">
      <MM7Version>6.8.0</MM7Version>
      <Status><StatusCode>${code}</StatusCode><StatusText>${text}</StatusText></Status>
      ${messageId === undefined ? '' : `<MessageID>${messageId}</MessageID>`}
    </SubmitRsp>
  </env:Body>
</env:Envelope>`;

const faultRsp = (code: number, text: string) => `<?xml version="1.0"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:mm7="${NS}">
  <soapenv:Body>
    <soapenv:Fault>
      <faultcode>soapenv:Server</faultcode><faultstring>refused</faultstring>
      <detail><mm7:RSErrorRsp><MM7Version>6.8.0</MM7Version>
        <Status><StatusCode>${code}</StatusCode><StatusText>${text}</StatusText></Status>
      </mm7:RSErrorRsp></detail>
    </soapenv:Fault>
  </soapenv:Body>
</soapenv:Envelope>`;

describe('MM7 SubmitRsp', () => {
  it('reads the example SubmitRsp: 1000 and the MMSC MessageID', () => {
    expect(parseSubmitResponse(submitRsp(1000, 'Success', '369500617770864640'), RETRYABLE)).toStrictEqual({
      kind: 'accepted',
      messageId: '369500617770864640',
      code: 1000,
      text: 'Success',
    });
  });

  it.each<[string, string, { code: number; retryable: boolean }]>([
    ['2004 content refused: the request is wrong, never retried', submitRsp(2004, 'Multimedia content refused'), { code: 2004, retryable: false }],
    ['2007 format corrupt', submitRsp(2007, 'Message format corrupt'), { code: 2007, retryable: false }],
    ['3000 server error: retried', submitRsp(3000, 'Server error'), { code: 3000, retryable: true }],
    ['3100 an aggregator throughput code: retried', submitRsp(3100, 'Throughput exceeded'), { code: 3100, retryable: true }],
    ['4006 service unavailable: retried', submitRsp(4006, 'Service unavailable'), { code: 4006, retryable: true }],
    ['4001 improper identification: not retried', submitRsp(4001, 'Improper identification'), { code: 4001, retryable: false }],
    ['an RSErrorRsp in a SOAP Fault', faultRsp(3001, 'Not possible'), { code: 3001, retryable: true }],
    ['a Fault with a client error', faultRsp(2002, 'Address error'), { code: 2002, retryable: false }],
  ])('%s', (_case, body, expected) => {
    expect(parseSubmitResponse(body, RETRYABLE)).toMatchObject({ kind: 'refused', ...expected });
  });

  it('counts success without a MessageID as accepted, with a warning (the MMSC took the message)', () => {
    expect(parseSubmitResponse(submitRsp(1000, 'Success'), RETRYABLE)).toStrictEqual({
      kind: 'accepted',
      messageId: undefined,
      code: 1000,
      text: 'Success',
      warning: expect.stringMatching(/without a MessageID/),
    });
  });

  it('counts a 1100 partial success with a MessageID as accepted', () => {
    expect(parseSubmitResponse(submitRsp(1100, 'Partial success', 'm-1'), RETRYABLE)).toMatchObject({ kind: 'accepted', messageId: 'm-1' });
  });

  it('does not retry a 4xxx the connector does not list', () => {
    expect(parseSubmitResponse(submitRsp(4004, 'Validation error'), [])).toMatchObject({ kind: 'refused', retryable: false });
    expect(parseSubmitResponse(submitRsp(3001, 'Not possible'), [])).toMatchObject({ kind: 'refused', retryable: true });
  });

  it.each(['', 'not xml <', '<html><body>502 Bad Gateway</body></html>'])('retries an unreadable answer %p', (body) => {
    expect(parseSubmitResponse(body, RETRYABLE)).toMatchObject({ kind: 'refused', code: 3000, retryable: true });
  });

  it.each([
    [1000, 1000],
    [1100, 1000],
    [2999, 2000],
    [3500, 3000],
    [4007, 4000],
    [5000, 3000],
    [999, 3000],
  ])('puts status %i in class %i (unknown codes count as x000, outside the classes as 3000)', (code, klass) => {
    expect(statusClass(code)).toBe(klass);
  });
});
