import { randomBytes, randomInt } from 'node:crypto';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { suitePrefix, uniquePhone } from '../../../test/fixtures';
import { responseField } from '../../../test/docs-examples';
import { hashApiKey } from '../src/partner-api/credentials';
import { GatewayHarness, startGateway } from './gateway-harness';

/**
 * Concurrency of the accept path against real PostgreSQL and Redis: credits are never overspent
 * however many requests race for them, and the per-account rate limits (E106 interval, E120
 * window budget) hold under parallel requests and across two gateway replicas.
 */

interface Outcome {
  readonly http: number;
  readonly status: string | undefined;
  readonly code: string | undefined;
  readonly info: string | undefined;
  readonly to: string | undefined;
  readonly trackingId: string | undefined;
}

const count = (outcomes: readonly Outcome[], key: string) => outcomes.filter((o) => (o.status === 'Success' ? 'Success' : o.code) === key).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('gateway: concurrent requests (credits and rate limits)', () => {
  const prefix = suitePrefix('concurrency');
  let gateway: GatewayHarness;
  let replica: GatewayHarness;
  let prisma: PrismaClient;

  const tag = randomBytes(4).toString('hex');
  let nextId = 950_000 + randomInt(0, 2_000) * 20; // 950000-989999, below 20 ids each; conformance uses 900000-939999

  interface TestAccount {
    readonly id: number;
    readonly key: string;
    readonly templateId: number;
    readonly databaseId: number;
  }

  /**
   * An account of its own: template, database and sender code copied from the demo account's
   * (35674, 17856, 60856) under new ids.
   */
  async function createAccount(
    name: string,
    settings: { credits: number; minRequestIntervalMs?: number; requestLimit?: number; requestWindowSeconds?: number },
  ): Promise<TestAccount> {
    const demo = await prisma.account.findUniqueOrThrow({
      where: { name: 'demo' },
      include: { senderCodes: { where: { code: '60856' } } },
    });
    const template = await prisma.mmsTemplate.findUniqueOrThrow({ where: { id: 35674 }, include: { slides: true } });
    const database = await prisma.barcodeDatabase.findUniqueOrThrow({ where: { id: 17856 } });
    const [sender] = demo.senderCodes;
    if (sender === undefined) throw new Error('the demo account has no sender code 60856');

    const key = `concurrency${name}${tag}`;
    nextId += 1;
    const id = nextId;
    const account = await prisma.account.create({
      data: {
        name: `concurrency-${tag}-${name}`,
        numberValidation: 'POSSIBLE_LENGTH',
        ...settings,
        apiKeys: { create: { keyHash: hashApiKey(key), label: 'concurrency suite' } },
        senderCodes: { create: { code: sender.code, kind: sender.kind, country: sender.country, isDefaultForCountry: sender.isDefaultForCountry } },
      },
    });
    await prisma.barcodeDatabase.create({
      data: { id, accountId: account.id, name: database.name, symbology: database.symbology, settings: database.settings ?? {} },
    });
    await prisma.mmsTemplate.create({
      data: {
        id,
        accountId: account.id,
        name: template.name,
        subject: template.subject,
        slides: {
          create: template.slides.map((s) => ({ position: s.position, text: s.text, media: s.media, mediaContentType: s.mediaContentType, durationSeconds: s.durationSeconds })),
        },
      },
    });
    return { id: account.id, key, templateId: id, databaseId: id };
  }

  function requestXml(account: TestAccount, fields: Record<string, string | undefined> = {}): string {
    const all: Record<string, string | undefined> = {
      ACTION: 'sendMMSBarcode',
      API_KEY: account.key,
      TO: uniquePhone(),
      FROM: '60856',
      DATABASEID: String(account.databaseId),
      BARCODEID: `Ticket_${randomBytes(6).toString('hex')}`,
      MMSID: String(account.templateId),
      ...fields,
    };
    const body = Object.entries(all)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([name, value]) => `  <${name}>${value}</${name}>`)
      .join('\n');
    return `<REQUEST>\n${body}\n</REQUEST>\n`;
  }

  async function send(via: GatewayHarness, xml: string): Promise<Outcome> {
    const { status, xml: answer } = await via.post(xml, 'text/xml');
    return {
      http: status,
      status: responseField(answer, 'STATUS'),
      code: responseField(answer, 'ERRORCODE'),
      info: responseField(answer, 'ERRORINFO'),
      to: responseField(answer, 'TO'),
      trackingId: responseField(answer, 'TRACKINGID'),
    };
  }

  beforeAll(async () => {
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    // Two replicas on the same database, Redis and prefix, as in production.
    [gateway, replica] = await Promise.all([startGateway({ QUEUE_PREFIX: prefix }), startGateway({ QUEUE_PREFIX: prefix })]);
  });

  afterAll(async () => {
    await gateway?.close();
    await replica?.close();
    await prisma?.$disconnect();
  });

  it('50 parallel requests on an account with 10 credits: exactly 10 accepted, 40 E713, nothing overspent', async () => {
    const account = await createAccount('ten', { credits: 10 });
    const requests = Array.from({ length: 50 }, () => requestXml(account));
    const outcomes = await Promise.all(requests.map((xml) => send(gateway, xml)));

    expect(outcomes.every((o) => o.http === 200)).toBe(true);
    expect({ success: count(outcomes, 'Success'), E713: count(outcomes, 'E713') }).toEqual({ success: 10, E713: 40 });
    for (const refused of outcomes.filter((o) => o.code === 'E713')) {
      expect(refused.info).toBe('There is billing problem on your account');
      expect(refused.to).toMatch(/^1650[0-9]{7}$/);
    }
    expect((await prisma.account.findUniqueOrThrow({ where: { id: account.id } })).credits).toBe(0);

    const messages = await prisma.message.findMany({ where: { accountId: account.id }, include: { events: true } });
    expect(messages).toHaveLength(10);
    const answered = outcomes.filter((o) => o.status === 'Success').map((o) => o.trackingId as string);
    expect(new Set(answered).size).toBe(10);
    expect(new Set(messages.map((m) => m.trackingId))).toEqual(new Set(answered));
    expect(messages.every((m) => m.events.length === 1 && m.events[0]?.status === 'ACCEPTED')).toBe(true);
    // The accepted ones are exactly the numbers that got Success.
    expect(new Set(messages.map((m) => m.toNumber))).toEqual(new Set(outcomes.filter((o) => o.status === 'Success').map((o) => o.to)));
  });

  // npm run bench sends the full on-sale batch (10,000 over 200 connections) to the real fleet.
  it('an on-sale burst: 2,000 requests of one account over 200 connections, all Success, exactly 2,000 credits', async () => {
    const account = await createAccount('onsale', { credits: 2_500 });
    const total = 2_000;
    const outcomes: Outcome[] = [];
    let next = 0;
    // 200 connections, each sending its next request as soon as the last was answered, split
    // over both replicas.
    await Promise.all(
      Array.from({ length: 200 }, async (_, connection) => {
        while (next < total) {
          next += 1;
          outcomes.push(await send(connection % 2 === 0 ? gateway : replica, requestXml(account)));
        }
      }),
    );
    const tally = new Map<string, number>();
    for (const o of outcomes) tally.set(o.status === 'Success' ? 'Success' : `${o.http} ${o.code}`, (tally.get(o.status === 'Success' ? 'Success' : `${o.http} ${o.code}`) ?? 0) + 1);
    expect(Object.fromEntries(tally)).toEqual({ Success: total });
    expect(new Set(outcomes.map((o) => o.trackingId)).size).toBe(total);
    expect((await prisma.account.findUniqueOrThrow({ where: { id: account.id } })).credits).toBe(500);
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(total);
  }, 120_000);

  it('holds across two gateway replicas: 40 parallel requests split over both, 7 credits, exactly 7 accepted', async () => {
    const account = await createAccount('seven', { credits: 7 });
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 === 0 ? gateway : replica, requestXml(account))));
    expect({ success: count(outcomes, 'Success'), E713: count(outcomes, 'E713') }).toEqual({ success: 7, E713: 33 });
    expect((await prisma.account.findUniqueOrThrow({ where: { id: account.id } })).credits).toBe(0);
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(7);
  });

  it('parallel requests with DEVICE for the same new number, from 8 accounts, all succeed and leave one phone_devices row', async () => {
    // From several accounts: the requests of one account queue behind its credit row lock, so
    // only requests of different accounts can race to create the number's phone_devices row.
    const accounts = await Promise.all(Array.from({ length: 8 }, (_, i) => createAccount(`devices${i}`, { credits: 100 })));
    const to = uniquePhone();
    const sends = accounts.flatMap((account, a) => Array.from({ length: 3 }, (_, i) => ({ account, device: `Handset${a}-${i}`, via: i % 2 === 0 ? gateway : replica })));
    const outcomes = await Promise.all(sends.map(({ account, device, via }) => send(via, requestXml(account, { TO: to, DEVICE: device }))));
    expect(outcomes.map((o) => o.status ?? o.code)).toEqual(sends.map(() => 'Success'));
    const rows = await prisma.phoneDevice.findMany({ where: { phone: to } });
    expect(rows).toHaveLength(1);
    expect(sends.map((s) => s.device)).toContain(rows[0]?.device);
  });

  it('an account with a 2 s interval: Success, then E106 "You can call API every 2 seconds" right after', async () => {
    const account = await createAccount('interval', { credits: 100, minRequestIntervalMs: 2000 });
    const first = await send(gateway, requestXml(account));
    const second = await send(gateway, requestXml(account, { TO: '16505550123' }));
    expect(first.status).toBe('Success');
    expect(second).toMatchObject({ http: 200, status: 'Failure', code: 'E106', info: 'You can call API every 2 seconds', to: '16505550123' });
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(1);
    expect((await prisma.account.findUniqueOrThrow({ where: { id: account.id } })).credits).toBe(99);
  });

  it('the interval lets one of 20 parallel requests through, on either replica, and lets the next one through once it passed', async () => {
    const account = await createAccount('burst', { credits: 100, minRequestIntervalMs: 700 });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? gateway : replica, requestXml(account))));
    expect({ success: count(outcomes, 'Success'), E106: count(outcomes, 'E106') }).toEqual({ success: 1, E106: 19 });
    expect(outcomes.find((o) => o.code === 'E106')?.info).toBe('You can call API every 0.7 seconds');
    await sleep(800);
    expect((await send(replica, requestXml(account))).status).toBe('Success');
  });

  it('requestLimit 3 per 60 s: 3 Success, then E120, requests spaced beyond the interval', async () => {
    // The account also has an interval (200 ms); the requests are spaced 300 ms apart so that
    // only the window budget can refuse them.
    const account = await createAccount('window', { credits: 100, minRequestIntervalMs: 200, requestLimit: 3, requestWindowSeconds: 60 });
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 5; i += 1) {
      if (i > 0) await sleep(300);
      outcomes.push(await send(i % 2 === 0 ? gateway : replica, requestXml(account)));
    }
    expect(outcomes.map((o) => o.status === 'Success' ? 'Success' : o.code)).toEqual(['Success', 'Success', 'Success', 'E120', 'E120']);
    expect(outcomes[3]?.info).toBe('Account has reached the API request limit.');
    expect(await prisma.message.count({ where: { accountId: account.id } })).toBe(3);
  });

  it('requestLimit without an interval: 25 parallel requests over two replicas, exactly 5 pass', async () => {
    const account = await createAccount('budget', { credits: 100, requestLimit: 5, requestWindowSeconds: 60 });
    const outcomes = await Promise.all(Array.from({ length: 25 }, (_, i) => send(i % 2 === 0 ? gateway : replica, requestXml(account))));
    expect({ success: count(outcomes, 'Success'), E120: count(outcomes, 'E120') }).toEqual({ success: 5, E120: 20 });
  });

  it('a request refused for the interval does not use up the window budget', async () => {
    const account = await createAccount('fair', { credits: 100, minRequestIntervalMs: 400, requestLimit: 2, requestWindowSeconds: 60 });
    const first = await send(gateway, requestXml(account));
    const tooSoon = await Promise.all(Array.from({ length: 5 }, () => send(replica, requestXml(account))));
    await sleep(500);
    const second = await send(gateway, requestXml(account));
    await sleep(500);
    const third = await send(gateway, requestXml(account));
    expect([first.status, ...tooSoon.map((o) => o.code), second.status, third.code]).toEqual(['Success', 'E106', 'E106', 'E106', 'E106', 'E106', 'Success', 'E120']);
  });

  it('the window starts again once it has passed', async () => {
    const account = await createAccount('short-window', { credits: 100, requestLimit: 1, requestWindowSeconds: 1 });
    expect((await send(gateway, requestXml(account))).status).toBe('Success');
    expect((await send(replica, requestXml(account))).code).toBe('E120');
    await sleep(1100);
    expect((await send(replica, requestXml(account))).status).toBe('Success');
  });
});
