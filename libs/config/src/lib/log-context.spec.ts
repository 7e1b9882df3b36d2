import { currentRequestId, outsideLogContext, requestIdFrom, setLogRequestId, withLogContext } from './log-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it.each(['3f2c9a1e-8d4b-4c1a-9e7f-1a2b3c4d5e6f', 'req_0042', 'a', 'partner.batch-7:12', 'A'.repeat(64), '123456'])('keeps the sane token %p', (header) => {
    expect(requestIdFrom(header)).toBe(header);
  });

  it.each<[string, string | string[] | undefined]>([
    ['absent', undefined],
    ['empty', ''],
    ['repeated', ['one', 'two']],
    ['too long', 'A'.repeat(65)],
    ['spaces', 'req 42'],
    ['a line break (log injection)', 'req42\n{"level":"error"}'],
    ['quotes', 'req"42'],
    ['leading punctuation', '-req42'],
    ['a bare phone-like number', '16501234123'],
    ['seven digits', '1234567'],
  ])('replaces %s with a fresh UUID', (_what, header) => {
    expect(requestIdFrom(header)).toMatch(UUID);
  });

  it('gives a different id each time it makes one', () => {
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});

describe('log context', () => {
  it('carries the request id through awaits, and each unit of work has its own', async () => {
    const seen: Array<string | undefined> = [];
    const work = async (id: string, delayMs: number) =>
      withLogContext({ requestId: id }, async () => {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        seen.push(currentRequestId());
      });
    await Promise.all([work('first', 20), work('second', 5)]);
    expect(seen).toEqual(['second', 'first']);
    expect(currentRequestId()).toBeUndefined();
  });

  it('lets a job name its request once it knows it, for the rest of that job only', async () => {
    const job = withLogContext({}, async () => {
      const before = currentRequestId();
      await Promise.resolve();
      setLogRequestId('loaded-with-the-message');
      await new Promise((resolve) => setImmediate(resolve));
      return [before, currentRequestId()];
    });
    expect(await job).toEqual([undefined, 'loaded-with-the-message']);
    setLogRequestId('outside');
    expect(currentRequestId()).toBeUndefined();
  });

  it('runs batch work outside any context', () => {
    withLogContext({ requestId: 'caller' }, () => {
      expect(outsideLogContext(() => currentRequestId())).toBeUndefined();
      expect(currentRequestId()).toBe('caller');
    });
  });
});
