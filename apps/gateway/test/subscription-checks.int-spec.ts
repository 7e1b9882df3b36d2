import { randomBytes, randomInt } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
import { createPgPool, createPrismaClient, type PrismaClient } from '@mms/db';
import { uniquePhone } from '../../../test/fixtures';
import { loadGatewayConfig } from '../src/config/gateway.config';
import { AccountCatalog } from '../src/partner-api/account-catalog';

/**
 * E715's lookup (a campaign that needs a subscription): never cached, since subscriptions change
 * per number, but the checks of requests arriving together share one query. Each must still get
 * its own answer: subscribed, never subscribed, unsubscribed, or subscribed to another campaign.
 */
describe('gateway: subscription checks of concurrent requests share one query', () => {
  const tag = randomBytes(4).toString('hex');
  const campaignIds = [0, 1, 2].map(() => 950_000 + randomInt(0, 49_999));
  let prisma: PrismaClient;
  let pool: Pool;
  let catalog: AccountCatalog;
  let statements = 0;

  /** What each (campaign, phone) must answer. */
  const expected = new Map<string, boolean>();
  const checks: Array<{ campaignId: number; phone: string }> = [];

  beforeAll(async () => {
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    pool = createPgPool(process.env.DATABASE_URL as string, 4);
    // Counts the statements the catalog sends: the pool itself stays real.
    const query = pool.query.bind(pool) as (config: string | QueryConfig, values?: unknown[]) => Promise<unknown>;
    (pool as unknown as { query: typeof query }).query = (config, values) => {
      statements += 1;
      return query(config, values);
    };
    catalog = new AccountCatalog(pool, loadGatewayConfig({ ...process.env, NODE_ENV: 'test' }));

    const account = await prisma.account.create({ data: { name: `subscriptions-${tag}`, credits: 0 } });
    for (const [index, id] of campaignIds.entries()) {
      await prisma.campaign.create({ data: { id, accountId: account.id, name: `subscriptions ${tag} ${index}` } });
    }
    const [first, second, third] = campaignIds as [number, number, number];
    const rows: Array<{ campaignId: number; phone: string; unsubscribedAt?: Date }> = [];
    for (let i = 0; i < 40; i += 1) {
      const phone = uniquePhone();
      const campaignId = [first, second, third][i % 3] as number;
      const kind = i % 4; // 0 subscribed, 1 never, 2 unsubscribed, 3 subscribed to another campaign only
      if (kind === 0) rows.push({ campaignId, phone });
      if (kind === 2) rows.push({ campaignId, phone, unsubscribedAt: new Date() });
      if (kind === 3) rows.push({ campaignId: campaignId === first ? second : first, phone });
      checks.push({ campaignId, phone });
      expected.set(`${campaignId}:${phone}`, kind === 0);
    }
    await prisma.subscription.createMany({ data: rows });
  });

  afterAll(async () => {
    await prisma?.campaign.deleteMany({ where: { id: { in: campaignIds } } });
    await prisma?.account.deleteMany({ where: { name: `subscriptions-${tag}` } });
    await pool?.end();
    await prisma?.$disconnect();
  });

  it('answers each of 40 concurrent checks as its own row says, in one statement', async () => {
    statements = 0;
    const answers = await Promise.all(checks.map((c) => catalog.isSubscribed(c.campaignId, c.phone)));
    expect(answers).toEqual(checks.map((c) => expected.get(`${c.campaignId}:${c.phone}`)));
    expect(answers.filter(Boolean)).toHaveLength(10);
    expect(statements).toBe(1);
  });

  it('reads the row again for each new check: an unsubscribe counts at once', async () => {
    const subscribed = checks.find((c) => expected.get(`${c.campaignId}:${c.phone}`) === true) as { campaignId: number; phone: string };
    await expect(catalog.isSubscribed(subscribed.campaignId, subscribed.phone)).resolves.toBe(true);
    await prisma.subscription.update({
      where: { campaignId_phone: { campaignId: subscribed.campaignId, phone: subscribed.phone } },
      data: { unsubscribedAt: new Date() },
    });
    await expect(catalog.isSubscribed(subscribed.campaignId, subscribed.phone)).resolves.toBe(false);
  });

  it('fails every check of a batch whose query fails (each request then answers E503)', async () => {
    const broken = createPgPool('postgresql://postgres@127.0.0.1:1/none', 1);
    const offline = new AccountCatalog(broken, loadGatewayConfig({ ...process.env, NODE_ENV: 'test' }));
    const results = await Promise.allSettled(checks.slice(0, 5).map((c) => offline.isSubscribed(c.campaignId, c.phone)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'rejected']);
    await broken.end();
  });
});
