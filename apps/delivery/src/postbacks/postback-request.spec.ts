import { PostbackCode } from '@mms/contracts';
import { buildPostbackPayload } from './postback-request';
import type { ClaimedPostback } from './postback.repository';

const claimed = (id: number, requestId: string | null): ClaimedPostback => ({
  id,
  attemptId: id,
  attempt: 1,
  code: PostbackCode.Sent,
  occurredAt: new Date('2026-12-01T10:00:00Z'),
  detail: {},
  idempotencyKey: `key-${id}`,
  trackingId: 'TU1TXzE=',
  toNumber: '16501234123',
  templateId: 35674,
  toCountry: 'US',
  carrierMessageId: null,
  handset: null,
  routeCarrier: null,
  requestId,
});

describe('buildPostbackPayload: X-Request-Id', () => {
  const account = { form: 'RAW_BODY' as const, secret: 'secret' };
  const now = new Date('2026-12-01T10:00:01Z');

  it('carries the id of the request that made the message', () => {
    expect(buildPostbackPayload([claimed(1, 'req-1')], account, now).headers['x-request-id']).toBe('req-1');
  });

  it('carries each distinct id of a bundle, comma-separated, in notice order', () => {
    const bundle = [claimed(1, 'req-1'), claimed(2, 'req-2'), claimed(3, 'req-1'), claimed(4, null)];
    expect(buildPostbackPayload(bundle, account, now).headers['x-request-id']).toBe('req-1,req-2');
  });

  it('has no X-Request-Id for a message accepted without one (before request ids existed)', () => {
    expect(buildPostbackPayload([claimed(1, null)], account, now).headers).not.toHaveProperty('x-request-id');
  });
});
