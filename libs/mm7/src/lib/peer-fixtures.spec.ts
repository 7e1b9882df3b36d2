import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEnvelope } from './envelope';
import { field, text } from './envelope';
import { readAddress } from './address';
import { readResponse } from './response';
import { parseSubmitResponse } from './submit-rsp';

// fixtures/peer: VectorCore MMSC's test fixtures (fixtures/peer/SOURCE.txt), another
// implementation's REL-5 dialect: prefixed elements with unqualified children, + numbers.
const peer = (name: string) => readFileSync(join(__dirname, 'fixtures/peer', name), 'utf8');

describe('MM7 written by another implementation', () => {
  it.each([
    ['delivery_report_rsp.soap', 'DeliveryReportRsp', 'txn-report', 'mid-report'],
    ['deliver_rsp.soap', 'DeliverRsp', 'txn-deliver', 'mid-deliver'],
  ])('reads %s', (file, element, transactionId, messageId) => {
    expect(readResponse(peer(file))).toStrictEqual({ transactionId, element, mm7Version: '5.3.0', code: 1000, text: 'Success', messageId });
  });

  it('reads the envelope of its REL-5 SubmitReq: header, addresses and content reference', () => {
    const multipart = peer('submit_req.multipart');
    const soap = multipart.slice(multipart.indexOf('<?xml'), multipart.indexOf('</soapenv:Envelope>') + '</soapenv:Envelope>'.length);
    const { transactionId, body } = readEnvelope(soap);
    const submit = body['SubmitReq'];
    expect(transactionId).toBe('txn-fixture');
    expect(text(field(submit, 'MM7Version'))).toBe('5.3.0');
    expect(readAddress(field(field(submit, 'Recipients'), 'To'), text)).toBe('12025550101');
    expect(readAddress(field(field(submit, 'SenderIdentification'), 'SenderAddress'), text)).toBe('12345');
    expect(field(field(submit, 'Content'), '@href')).toBe('cid:message-content');
  });

  it('reads the SubmitRsp example as accepted', () => {
    const example = readFileSync(join(__dirname, 'fixtures/examples/submitrsp.xml'), 'utf8');
    expect(parseSubmitResponse(example, [])).toStrictEqual({ kind: 'accepted', messageId: '369500617770864640', code: 1000, text: 'Success' });
  });
});
