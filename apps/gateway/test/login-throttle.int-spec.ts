import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { redisOptionsFrom } from '@mms/queue';
import { responseField } from '../../../test/docs-examples';
import { eventually, suitePrefix, uniquePhone } from '../../../test/fixtures';
import { hashApiKey } from '../src/partner-api/credentials';
import { GatewayHarness, startGateway } from './gateway-harness';
import { basicAuthorization, postReport, report } from './hostile-kit';

const DEMO_KEY = 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ';
const PER_ADDRESS = 5;
const PER_PREFIX = 3;
const MMSC_USER = 'mmsc';
const MMSC_PASSWORD = 'throttle-suite-inbound-secret';
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** A sendMMSBarcode of the demo account's (the docs' example, to a fresh number), fields replaced or removed. */
function request(fields: Record<string, string | undefined>): string {
  const base: Record<string, string | undefined> = {
    ACTION: 'sendMMSBarcode',
    API_KEY: DEMO_KEY,
    TO: uniquePhone(),
    FROM: '60856',
    DATABASEID: '17856',
    BARCODEID: `Ticket_${randomBytes(4).toString('hex')}`,
    MMSID: '35674',
    ...fields,
  };
  const body = Object.entries(base)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join('');
  return `<REQUEST>${body}</REQUEST>`;
}

/** A key no account has, starting with `prefix` (32 characters like a real one). */
const wrongKey = (prefix = '') => `${prefix}${randomBytes(24).toString('base64url')}`.slice(0, 32);

/**
 * Failed logins slowed per client address and per key prefix, over real HTTP, PostgreSQL and
 * Redis: the clients' addresses come in X-Forwarded-For (TRUST_PROXY), as behind a load balancer.
 */
describe('gateway: failed logins are slowed per address and per key prefix, never locking the account out', () => {
  const prefix = suitePrefix('login-throttle');
  const tag = randomBytes(3).toString('hex');
  const env = {
    QUEUE_PREFIX: prefix,
    TRUST_PROXY: 'true',
    LOGIN_FAILURES_PER_ADDRESS: String(PER_ADDRESS),
    LOGIN_FAILURES_PER_KEY_PREFIX: String(PER_PREFIX),
    LOGIN_THROTTLE_WINDOW_SECONDS: '120',
    MM7_INBOUND_USERNAME: MMSC_USER,
    MM7_INBOUND_PASSWORD: MMSC_PASSWORD,
  };
  let one: GatewayHarness;
  let two: GatewayHarness;
  let prisma: PrismaClient;
  let redis: Redis;
  /** An account of its own with a budget of 2 requests a minute (E120 after). */
  const ratedKey = `rated${tag}${randomBytes(12).toString('hex')}`.slice(0, 32);

  beforeAll(async () => {
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    await prisma.account.create({
      data: { name: `throttle-rated-${tag}`, credits: 10, requestLimit: 2, requestWindowSeconds: 60, apiKeys: { create: { keyHash: hashApiKey(ratedKey), label: 'rated' } } },
    });
    [one, two] = await Promise.all([startGateway(env), startGateway(env)]);
    redis = new Redis(redisOptionsFrom(process.env.REDIS_URL as string, 'producer'));
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    redis?.disconnect();
    await prisma?.$disconnect();
  });

  async function send(gateway: GatewayHarness, from: string, fields: Record<string, string | undefined>): Promise<string> {
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'text/xml', 'x-forwarded-for': from }, body: request(fields) });
    const xml = await response.text();
    return responseField(xml, 'STATUS') === 'Success' ? 'Success' : (responseField(xml, 'ERRORCODE') as string);
  }

  const failures = async (counter: string) => Number(await redis.get(`${prefix}:login-failures:${counter}`));

  it('cuts one address off after LOGIN_FAILURES_PER_ADDRESS wrong keys, even with the right key; the key works from elsewhere and another account keeps its rate', async () => {
    const attacker = '203.0.113.10';
    for (let i = 0; i < PER_ADDRESS; i += 1) expect(await send(one, attacker, { API_KEY: wrongKey() })).toBe('E104');
    expect(await failures(`address:${attacker}`)).toBe(PER_ADDRESS);

    // From that address, even the demo's real key is refused without a check: nothing is recorded.
    const barcode = `Throttled_${tag}`;
    expect(await send(one, attacker, { BARCODEID: barcode })).toBe('E104');
    expect(await prisma.message.count({ where: { barcodeValue: barcode } })).toBe(0);
    // Refused unchecked attempts are not counted: the window is not made longer by them.
    expect(await failures(`address:${attacker}`)).toBe(PER_ADDRESS);

    // The real key from another address is answered as always.
    expect(await send(one, '198.51.100.20', {})).toBe('Success');
    // Another account from a clean address: its own rate, exactly (two requests, then E120).
    // (MMSID left out: E620 comes after the rate step, so these reach it and spend the budget.)
    expect(await send(one, '198.51.100.21', { API_KEY: ratedKey, MMSID: undefined })).toBe('E620');
    expect(await send(one, '198.51.100.21', { API_KEY: ratedKey, MMSID: undefined })).toBe('E620');
    expect(await send(one, '198.51.100.21', { API_KEY: ratedKey, MMSID: undefined })).toBe('E120');
  });

  it('shares the counts between gateways: the other replica refuses the address as soon as it is told, and counts on from there', async () => {
    const attacker = '203.0.113.11';
    for (let i = 0; i < PER_ADDRESS; i += 1) expect(await send(one, attacker, { API_KEY: wrongKey() })).toBe('E104');
    // Replica two never saw this address fail; the limit reached on one is announced to it.
    const barcode = `Shared_${tag}`;
    await eventually(async () => ((await send(two, attacker, { BARCODEID: barcode })) === 'E104' ? true : undefined), 5000, 'replica two refusing the address');
    expect(await prisma.message.count({ where: { barcodeValue: barcode } })).toBe(0);
    expect(await failures(`address:${attacker}`)).toBe(PER_ADDRESS);
  });

  it("slows guesses at one key prefix spread over many addresses: refused unchecked from addresses that failed, while the real key works from a clean one", async () => {
    const guessers = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
    // Each address fails once only (far below its own limit), all on the demo key's first characters.
    for (const guesser of guessers) expect(await send(one, guesser, { API_KEY: wrongKey(DEMO_KEY.slice(0, 6)) })).toBe('E104');

    // The prefix is over its limit: an address that failed is refused unchecked, the right key
    // included, on either replica (replica two hears of the limit through Redis pub/sub)...
    await new Promise((resolve) => setTimeout(resolve, 200));
    const barcode = `Guessed_${tag}`;
    expect(await send(one, guessers[0] as string, { BARCODEID: barcode })).toBe('E104');
    expect(await send(two, guessers[1] as string, { BARCODEID: barcode })).toBe('E104');
    expect(await prisma.message.count({ where: { barcodeValue: barcode } })).toBe(0);
    // ...but only for that prefix: the same address with another account's key is checked as usual.
    expect(await send(one, guessers[2] as string, { API_KEY: 'otherAccountTestKey0000000000000', MMSID: undefined })).toBe('E620');
    // And the account is not locked out: its key from a clean address, on either replica.
    expect(await send(one, '192.0.2.200', {})).toBe('Success');
    expect(await send(two, '192.0.2.201', {})).toBe('Success');
  });

  it('does the same for a legacy USER, whose correct PASS keeps working from a clean address', async () => {
    const user = `throttled-${tag}`;
    const password = md5('the right password');
    await prisma.account.create({ data: { name: `throttle-legacy-${tag}`, credits: 10, legacyLoginEnabled: true, legacyUser: user, legacyPassMd5: password } });
    const legacy = (pass: string) => ({ API_KEY: undefined, USER: user, PASS: pass, MMSID: undefined });
    // Authenticated (E620 comes after the credentials) once the catalog shows the new account.
    await eventually(async () => ((await send(one, '100.64.0.50', legacy(password))) === 'E620' ? true : undefined), 5000, 'the new legacy account');

    const guessers = ['100.64.0.1', '100.64.0.2', '100.64.0.3'];
    for (const guesser of guessers) expect(await send(one, guesser, legacy(md5(`guess ${guesser}`)))).toBe('E104');
    expect(await send(one, guessers[0] as string, legacy(password))).toBe('E104');
    expect(await send(one, '100.64.0.51', legacy(password))).toBe('E620');
  });

  describe("an MMSC's basic auth at /mm7/delivery-reports", () => {
    /** The HTTP status a delivery report gets, sent from `from` with these credentials (none: no header). */
    async function deliver(from: string, credentials?: { user: string; password: string }): Promise<number> {
      const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8', 'x-forwarded-for': from };
      if (credentials !== undefined) headers.authorization = basicAuthorization(credentials.user, credentials.password);
      const reportsUrl = `${new URL(one.url).origin}/mm7/delivery-reports`;
      return (await postReport(reportsUrl, report('', `throttle-${tag}-${randomBytes(4).toString('hex')}`), headers)).status;
    }
    const wrong = (user = MMSC_USER) => ({ user, password: randomBytes(12).toString('base64url') });
    const right = { user: MMSC_USER, password: MMSC_PASSWORD };

    it('cuts an address off after LOGIN_FAILURES_PER_ADDRESS wrong passwords, the right one included, for the partner API too', async () => {
      const guesser = '203.0.113.30';
      // Each guess at another user name: only the address's count reaches its limit.
      for (let i = 0; i < PER_ADDRESS; i += 1) expect(await deliver(guesser, wrong(`guess-${tag}-${i}`))).toBe(401);
      expect(await failures(`address:${guesser}`)).toBe(PER_ADDRESS);
      // Refused unchecked: the right password too, and not counted again.
      expect(await deliver(guesser, right)).toBe(401);
      expect(await failures(`address:${guesser}`)).toBe(PER_ADDRESS);
      // One guesser, one count: the partner API refuses the same address.
      expect(await send(one, guesser, {})).toBe('E104');
      // The MMSC itself, from its own address, is answered as always.
      expect(await deliver('198.51.100.30', right)).toBe(200);
    });

    it('slows guesses at the user name spread over many addresses, while the MMSC keeps delivering from a clean one', async () => {
      const user = `mmsc-${tag}`;
      const guessers = ['192.0.2.31', '192.0.2.32', '192.0.2.33'];
      for (const guesser of guessers) expect(await deliver(guesser, wrong(user))).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // That user name is over its limit: refused unchecked from the addresses that failed...
      expect(await failures(`address:${guessers[0] as string}`)).toBe(1);
      expect(await deliver(guessers[0] as string, { user, password: MMSC_PASSWORD })).toBe(401);
      expect(await failures(`address:${guessers[0] as string}`)).toBe(1);
      // ...while another user name from such an address is still checked.
      expect(await deliver(guessers[1] as string, right)).toBe(200);
    });

    it('does not count a request without credentials (an MMSC asking for the challenge first)', async () => {
      const asker = '203.0.113.31';
      for (let i = 0; i < PER_ADDRESS + 2; i += 1) expect(await deliver(asker)).toBe(401);
      expect(await failures(`address:${asker}`)).toBe(0);
      expect(await deliver(asker, right)).toBe(200);
    });
  });

  it('counts an IPv6 client by its /64: hopping addresses inside it does not help', async () => {
    for (let i = 1; i <= PER_ADDRESS; i += 1) expect(await send(one, `2001:db8:aa:bb::${i}`, { API_KEY: wrongKey() })).toBe('E104');
    expect(await send(one, '2001:db8:aa:bb:ffff::99', {})).toBe('E104');
    expect(await send(one, '2001:db8:aa:cc::1', {})).toBe('Success');
  });
});
