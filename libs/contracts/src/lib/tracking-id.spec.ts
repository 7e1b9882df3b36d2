import { messageIdOf, trackingIdOf } from './tracking-id';

describe('tracking ids', () => {
  it('is base64 of MMS_<id>, as the API docs show', () => {
    expect(trackingIdOf(12346)).toBe('TU1TXzEyMzQ2');
  });

  it('reads the message id back', () => {
    expect(messageIdOf('TU1TXzEyMzQ2')).toBe(12346);
    expect(messageIdOf(trackingIdOf(1))).toBe(1);
  });

  it.each(['', 'hello', 'TU1TXzA=', Buffer.from('MMS_x1').toString('base64'), 'TU1TXzEyMzQ2:x'])(
    'refuses %p as a tracking id',
    (text) => expect(messageIdOf(text)).toBeNull(),
  );

  it('refuses ids that are not positive integers', () => {
    expect(() => trackingIdOf(0)).toThrow(RangeError);
    expect(() => trackingIdOf(1.5)).toThrow(RangeError);
  });
});
