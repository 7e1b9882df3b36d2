import { RpcException } from '@nestjs/microservices';
import { InvalidSendError, SendRefusedError } from './send-errors';
import { packetOfFailure, packetOfOutcome, sendJobOf } from './send-packets';
import { sendJobOptions } from './send-job-options';

const request = {
  idempotencyKey: 'order-4711',
  credentials: { apiKey: 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ' },
  mmsId: 35674,
  to: '16501234123',
  from: '60856',
  barcodeId: 'Ticket_4711',
};

function refusalOf(packet: { err?: unknown }): SendRefusedError {
  if (!(packet.err instanceof SendRefusedError)) throw new Error(`expected a SendRefusedError, got ${String(packet.err)}`);
  return packet.err;
}

describe('sendJobOf', () => {
  it('names the job by pattern and keys it by the idempotency key', () => {
    expect(sendJobOf('sendMMSBarcode', request, 'send')).toStrictEqual({
      name: 'sendMMSBarcode',
      jobId: 'send-order-4711',
      idempotencyKey: 'order-4711',
      data: { kind: 'send', request },
    });
    expect(sendJobOf('sendMMSBarcode', request, 'emit').data.kind).toBe('emit');
  });

  it('refuses an unknown pattern and a request that is no send, naming the field', () => {
    expect(() => sendJobOf('sendMMS', request, 'send')).toThrow(InvalidSendError);
    expect(() => sendJobOf({ cmd: 'sendMMSBarcode' }, request, 'send')).toThrow('unknown pattern object');
    expect(() => sendJobOf('sendMMSBarcode', { ...request, mmsId: '35674' }, 'send')).toThrow(/mmsId/);
    expect(() => sendJobOf('sendMMSBarcode', { ...request, idempotencyKey: undefined }, 'send')).toThrow(/idempotencyKey/);
  });
});

describe('packetOfOutcome', () => {
  it('an accepted send is one value, then complete', () => {
    expect(packetOfOutcome({ status: 'accepted', trackingId: 'TU1TXzE=', mmsId: 35674, to: '16501234123' })).toStrictEqual({
      response: { trackingId: 'TU1TXzE=', mmsId: 35674, to: '16501234123' },
      isDisposed: true,
    });
  });

  it('a refusal is an RpcException carrying the API error code and text', () => {
    const error = refusalOf(packetOfOutcome({ status: 'refused', errorCode: 'E713', errorInfo: 'There is billing problem on your account' }));
    expect(error).toBeInstanceOf(RpcException);
    expect(error.errorCode).toBe('E713');
    expect(error.getError()).toStrictEqual({ errorCode: 'E713', errorInfo: 'There is billing problem on your account' });
    expect(error.message).toBe('E713 There is billing problem on your account');
  });

  it('an outcome it cannot read (another version of the gateway) is E503, never a result', () => {
    const error = refusalOf(packetOfOutcome({ status: 'accepted', trackingId: 'TU1TXzE=' }));
    expect(error.errorCode).toBe('E503');
    expect(error.detail).toMatch(/unreadable outcome/);
    expect(refusalOf(packetOfOutcome(null)).errorCode).toBe('E503');
  });
});

describe('packetOfFailure', () => {
  it('a job failed for good is E503 Internal error with the reason', () => {
    const error = refusalOf(packetOfFailure('connect ECONNREFUSED 127.0.0.1:5432'));
    expect(error.getError()).toStrictEqual({ errorCode: 'E503', errorInfo: 'Internal error' });
    expect(error.detail).toBe('connect ECONNREFUSED 127.0.0.1:5432');
  });
});

describe('sendJobOptions', () => {
  it('job id from the key, retries for our own faults, bounded retention', () => {
    expect(sendJobOptions('send-order-4711')).toMatchObject({
      jobId: 'send-order-4711',
      attempts: 12,
      removeOnComplete: { age: 86_400, count: 100_000 },
      removeOnFail: { count: 50_000 },
    });
    expect(() => sendJobOptions('send-a:b')).toThrow(/cannot contain/);
  });
});
