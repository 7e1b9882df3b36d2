import { REL5, REL6, fixture } from '../../test/mm7-requests';
import { parseXml } from '../xml/xml';
import { deliveryReportReq, faultCodeFor, rsErrorFault, submitRsp } from './mm7-writer';
import { readResponseStatus, readSoapMessage } from './soap-reader';

const rel6 = { namespace: REL6, version: '6.8.0' };

/** Element local names in document order, for comparing structure. */
function shape(xml: string): string[] {
  const names: string[] = [];
  const walk = (e: ReturnType<typeof parseXml>) => {
    names.push(e.localName);
    e.children.forEach(walk);
  };
  walk(parseXml(xml));
  return names;
}

describe('the MM7 messages the simulator writes', () => {
  it('writes a SubmitRsp shaped like the example (shared/mm7/examples/submitrsp.xml)', () => {
    const xml = submitRsp(rel6, 'TX-20240501-000123', { code: 1000 }, '369500617770864640');
    expect(shape(xml)).toEqual(shape(fixture('submitrsp.xml').toString('utf8')));
    const message = readSoapMessage(xml);
    expect(message.transactionId).toBe('TX-20240501-000123');
    expect(message.transactionIdMustUnderstand).toBe(true);
    expect(message.mm7Namespace).toBe(REL6);
    expect(readResponseStatus(message)).toEqual({ code: 1000, text: 'Success', details: null });
  });

  it('escapes what it echoes and leaves MessageID out of a refusal', () => {
    const xml = submitRsp(rel6, 'a<b&"c', { code: 4004, details: 'Subject: <x> & "y"' }, null);
    const message = readSoapMessage(xml);
    expect(message.transactionId).toBe('a<b&"c');
    expect(readResponseStatus(message)).toEqual({ code: 4004, text: 'Validation error', details: 'Subject: <x> & "y"' });
    expect(xml).not.toContain('MessageID');
  });

  it('writes RSErrorRsp inside a SOAP Fault', () => {
    const message = readSoapMessage(rsErrorFault(rel6, null, { code: 2007, details: 'x' }, 'Client'));
    expect(message.operation?.localName).toBe('Fault');
    expect(message.transactionId).toBeNull();
    expect(readResponseStatus(message)).toEqual({ code: 2007, text: 'Message format corrupt', details: 'x' });
  });

  it('chooses the fault code by status class', () => {
    expect([2007, 4004, 4001, 3000, 3100, 4006].map(faultCodeFor)).toEqual(['Client', 'Client', 'Client', 'Server', 'Server', 'Server']);
  });

  const report = {
    transactionId: 'dr-1',
    relayServerId: 'mmsc.example.net',
    messageId: '369500617770864640',
    recipient: { kind: 'Number' as const, value: '16501234123' },
    sender: { kind: 'ShortCode' as const, value: '60856' },
    date: new Date('2024-05-01T14:03:51.123Z'),
    mmStatus: 'Retrieved' as const,
    statusText: 'Success',
    uaProf: 'iPhoneOS',
  };

  it('writes a DeliveryReportReq like the example, with UACapabilities last (REL-6)', () => {
    const xml = deliveryReportReq({ ...report, dialect: rel6 });
    expect(shape(xml)).toEqual([...shape(fixture('deliveryreportreq.xml').toString('utf8')), 'UACapabilities']);
    expect(xml).toContain('<Date>2024-05-01T14:03:51Z</Date>');
    expect(xml).toContain('<UACapabilities UAProf="iPhoneOS" TimeStamp="2024-05-01T14:03:51Z"/>');
  });

  it('leaves UACapabilities out of a REL-5 report', () => {
    const xml = deliveryReportReq({ ...report, dialect: { namespace: REL5, version: '5.3.0' } });
    expect(xml).not.toContain('UACapabilities');
    expect(xml).toContain('<MM7Version>5.3.0</MM7Version>');
  });
});
