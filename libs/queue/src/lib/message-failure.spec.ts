import { UnrecoverableError } from 'bullmq';
import { partnerReason } from './message-failure';

describe("the E101's STATUSDETAILS", () => {
  it("is a permanent failure's own reason: it is about the content", () => {
    expect(partnerReason(new UnrecoverableError('the MMS is 900000 bytes, over the 600000 bytes of handset profile legacy'), 'delivery', 1)).toBe(
      'the MMS is 900000 bytes, over the 600000 bytes of handset profile legacy',
    );
  });

  it.each([
    ['delivery', 'the carrier did not take the message after 8 attempts'],
    ['barcode', 'the barcode could not be made after 8 attempts'],
  ])('says only what failed when the %s retries ran out, never our internal error', (stage, text) => {
    expect(partnerReason(new Error('connect ECONNREFUSED 10.1.2.3:8080'), stage, 8)).toBe(text);
  });
});
