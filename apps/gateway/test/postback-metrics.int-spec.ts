import { Redis } from 'ioredis';
import { fleetCounterKey, redisOptionsFrom } from '@mms/queue';
import { eventually, suitePrefix } from '../../../test/fixtures';
import { freePort } from '../../../test/free-port';
import { GatewayHarness, startGateway } from './gateway-harness';

/**
 * mmsgw_postback_attempts_total comes from the delivery workers' counts in Redis, read at scrape time,
 * so whichever gateway process is scraped reports the whole fleet's attempts.
 */
describe('gateway /metrics (ops port): postback attempts of the fleet (real Redis)', () => {
  const prefix = suitePrefix('pb-metrics');
  // Neither gateway sweeps the outbox or reconciles: other suites' rows are not ours to enqueue.
  const quiet = { QUEUE_PREFIX: prefix, OUTBOX_SWEEP_INTERVAL_MS: '600000', RECONCILE_INTERVAL_MS: '3600000' };
  let gateway: GatewayHarness;
  let cutOff: GatewayHarness;
  let redis: Redis;

  const scrape = async (harness: GatewayHarness) => {
    const response = await fetch(`${harness.opsUrl}/metrics`);
    return { status: response.status, text: await response.text() };
  };

  beforeAll(async () => {
    redis = new Redis(redisOptionsFrom(process.env.REDIS_URL as string, 'worker'));
    gateway = await startGateway(quiet);
    cutOff = await startGateway({ ...quiet, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  });

  afterAll(async () => {
    await gateway?.close();
    await cutOff?.close();
    await redis?.del(fleetCounterKey(prefix, 'postback-attempts'));
    await redis?.quit();
  });

  it('reports the counts of the Redis hash by outcome, zero for the outcomes not seen yet', async () => {
    await redis.hincrby(fleetCounterKey(prefix, 'postback-attempts'), 'TIMEOUT', 3);
    await redis.hincrby(fleetCounterKey(prefix, 'postback-attempts'), 'ACKNOWLEDGED', 7);
    // The gateway's connection may still be on its way up at the very first scrape.
    const { text } = await eventually(async () => {
      const answer = await scrape(gateway);
      return answer.text.includes('mmsgw_postback_attempts_total{') ? answer : undefined;
    }, 10_000, 'mmsgw_postback_attempts_total in a scrape');
    expect(text).toContain('# TYPE mmsgw_postback_attempts_total counter');
    expect(text).toMatch(/^mmsgw_postback_attempts_total\{outcome="TIMEOUT"\} 3$/m);
    expect(text).toMatch(/^mmsgw_postback_attempts_total\{outcome="ACKNOWLEDGED"\} 7$/m);
    expect(text).toMatch(/^mmsgw_postback_attempts_total\{outcome="BLOCKED"\} 0$/m);

    // Read again at each scrape, not cached.
    await redis.hincrby(fleetCounterKey(prefix, 'postback-attempts'), 'TIMEOUT', 2);
    expect((await scrape(gateway)).text).toMatch(/^mmsgw_postback_attempts_total\{outcome="TIMEOUT"\} 5$/m);
  });

  it('still answers the scrape without Redis: the other metrics are there, the postback counts left out', async () => {
    const started = Date.now();
    const { status, text } = await scrape(cutOff);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(status).toBe(200);
    expect(text).toContain('# TYPE mmsgw_partner_request_seconds histogram');
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).not.toMatch(/^mmsgw_postback_attempts_total\{/m);
  });
});
