import { hasReached, isFinal, MessageStatus } from './message-status';

const ALL: MessageStatus[] = ['ACCEPTED', 'RENDERED', 'SUBMITTED', 'DELIVERED', 'EXPIRED', 'REJECTED', 'FAILED'];

/** For each status, the steps a message in it has already gone through (DESIGN.md lifecycle). */
const reached: Record<MessageStatus, MessageStatus[]> = {
  ACCEPTED: ['ACCEPTED'],
  RENDERED: ['ACCEPTED', 'RENDERED'],
  SUBMITTED: ['ACCEPTED', 'RENDERED', 'SUBMITTED'],
  DELIVERED: ALL,
  EXPIRED: ALL,
  REJECTED: ALL,
  FAILED: ALL,
};

describe('MessageStatus', () => {
  it('has the stored values', () => {
    expect(Object.values(MessageStatus)).toStrictEqual(ALL);
  });
});

describe('hasReached', () => {
  const table = ALL.flatMap((current) => ALL.map((step) => [current, step, reached[current].includes(step)] as const));

  it.each(table)('a %s message has reached %s: %p', (current, step, expected) => {
    expect(hasReached(current, step)).toBe(expected);
  });
});

describe('isFinal', () => {
  it.each<[MessageStatus, boolean]>([
    ['ACCEPTED', false],
    ['RENDERED', false],
    ['SUBMITTED', false],
    ['DELIVERED', true],
    ['EXPIRED', true],
    ['REJECTED', true],
    ['FAILED', true],
  ])('%s -> %p', (status, expected) => {
    expect(isFinal(status)).toBe(expected);
  });
});
