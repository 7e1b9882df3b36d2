import type { Redis } from 'ioredis';
import { suitePrefix } from '../../../test/fixtures';
import { ConnectorRateLimitedError, ConnectorRateLimiter } from '../src/transport/mm7/connector-rate-limiter';
import { sleep } from './mm7-test-kit';

/** The connector's agreed rate in Redis when many submits ask for a slot at the same moment (real Redis). */
describe('ConnectorRateLimiter: slots taken in batches (real Redis)', () => {
  const prefix = suitePrefix('rate');
  const limiters: ConnectorRateLimiter[] = [];

  afterAll(() => {
    for (const limiter of limiters) limiter.close();
  });

  const limiter = () => {
    const made = new ConnectorRateLimiter(process.env.REDIS_URL as string, prefix);
    limiters.push(made);
    return made;
  };

  it('gives exactly the rate to submits asking at once in two processes, tells the others how long to wait, and frees the slots a second later', async () => {
    const [a, b] = [limiter(), limiter()];
    const evals = [a, b].map((l) => jest.spyOn((l as unknown as { redis: Redis }).redis, 'eval'));
    const connector = `batch-${Date.now()}`;
    const asks = [...Array.from({ length: 6 }, () => a.take(connector, 4)), ...Array.from({ length: 6 }, () => b.take(connector, 4))];
    const outcomes = await Promise.allSettled(asks);
    const granted = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(granted).toHaveLength(4);
    // Six asks of one process at the same moment: one round trip to Redis each process.
    expect(evals.map((spy) => spy.mock.calls.length)).toEqual([1, 1]);
    expect(refused).toHaveLength(8);
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(ConnectorRateLimitedError);
      expect((reason as ConnectorRateLimitedError).waitMs).toBeGreaterThan(0);
      // Until the window frees (at most a second), then one rate interval (250 ms) per caller ahead.
      expect((reason as ConnectorRateLimitedError).waitMs).toBeLessThanOrEqual(1001 + 6 * 250);
    }
    // Spread out, not all woken at the same moment.
    expect(new Set(refused.map(({ reason }) => (reason as ConnectorRateLimitedError).waitMs)).size).toBeGreaterThanOrEqual(6);
    // Within the same second nothing more; once the window has moved on, the rate again.
    await expect(a.take(connector, 4)).rejects.toBeInstanceOf(ConnectorRateLimitedError);
    await sleep(1100);
    const next = await Promise.allSettled(Array.from({ length: 6 }, () => b.take(connector, 4)));
    expect(next.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
  });
});
