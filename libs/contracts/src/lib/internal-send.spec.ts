import {
  InternalSendPattern,
  SendBarcodeRequest,
  internalSendJobId,
  parseInternalSendJob,
  sendBarcodeOutcomeSchema,
  sendBarcodeRequestSchema,
} from './internal-send';
import { InvalidJobPayloadError } from './queues';

const request: SendBarcodeRequest = {
  idempotencyKey: 'order-4711.line-1',
  credentials: { apiKey: 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ' },
  mmsId: 35674,
  to: '16501234123',
  from: '60856',
  databaseId: 17856,
  barcodeId: 'Ticket_4711',
};

describe('internal send contract', () => {
  it('the pattern is the persisted job name', () => {
    expect(InternalSendPattern).toStrictEqual({ SendBarcode: 'sendMMSBarcode' });
  });

  it('a job is checked off Redis: pattern, kind and request', () => {
    expect(parseInternalSendJob('sendMMSBarcode', { kind: 'send', request })).toStrictEqual({ kind: 'send', request, pattern: 'sendMMSBarcode' });
    expect(() => parseInternalSendJob('barcode.render', { kind: 'send', request })).toThrow(InvalidJobPayloadError);
    expect(() => parseInternalSendJob('sendMMSBarcode', { kind: 'later', request })).toThrow(/kind/);
    expect(() => parseInternalSendJob('sendMMSBarcode', { kind: 'emit', request, extra: 1 })).toThrow(InvalidJobPayloadError);
    expect(() => parseInternalSendJob('sendMMSBarcode', { kind: 'emit', request: { ...request, mmsId: '35674' } })).toThrow(/request\.mmsId/);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown field', { ACTION: 'sendMMSBarcode' }],
    ['no credentials', { credentials: {} }],
    ['both kinds of credentials', { credentials: { apiKey: 'k', user: 'u', passMd5: 'p' } }],
    ['a key with a colon (BullMQ key separator)', { idempotencyKey: 'order:1' }],
    ['an empty key', { idempotencyKey: '' }],
    ['a fractional MMSID', { mmsId: 35674.5 }],
    ['a control character', { barcodeId: 'Ticket\u0007' }],
    ['a DATA name that is no field name', { data: { 'first name': 'Ann' } }],
    ['a CUSTOMTEXT slide 0', { customTexts: [{ slide: 0, value: 'x' }] }],
  ])('refuses %s', (_case, change) => {
    expect(sendBarcodeRequestSchema.safeParse({ ...request, ...change }).success).toBe(false);
  });

  it('takes legacy credentials and every optional field', () => {
    const full = {
      ...request,
      credentials: { user: 'legacy', passMd5: '0123456789abcdef0123456789abcdef' },
      campaignRef: 12333,
      customSubject: 'Your ticket',
      customTexts: [{ slide: 1, value: 'Row 5' }],
      data: { firstName: 'Ann' },
      device: 'iPhone',
    };
    expect(sendBarcodeRequestSchema.parse(full)).toStrictEqual(full);
  });

  it('an outcome is accepted with a tracking id, or refused with a catalogue code', () => {
    expect(sendBarcodeOutcomeSchema.parse({ status: 'accepted', trackingId: 'TU1TXzE=', mmsId: 35674, to: '16501234123' }).status).toBe('accepted');
    expect(sendBarcodeOutcomeSchema.parse({ status: 'refused', errorCode: 'E713', errorInfo: 'There is billing problem on your account' }).status).toBe('refused');
    expect(sendBarcodeOutcomeSchema.safeParse({ status: 'refused', errorCode: 'E999', errorInfo: '?' }).success).toBe(false);
  });

  it('the job id is the idempotency key, never a bare number', () => {
    expect(internalSendJobId('4711')).toBe('send-4711');
  });
});
