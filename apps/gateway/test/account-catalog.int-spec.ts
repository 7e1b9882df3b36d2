import { randomBytes, randomInt } from 'node:crypto';
import { createPgPool, createPrismaClient, type PrismaClient } from '@mms/db';
import { responseField } from '../../../test/docs-examples';
import { suitePrefix, uniquePhone } from '../../../test/fixtures';
import { hashApiKey } from '../src/partner-api/credentials';
import { GatewayHarness, startGateway } from './gateway-harness';

/**
 * The gateway answers from configuration cached in process (AccountCatalog). A change made in
 * PostgreSQL, by anyone, must reach every replica within about a second (CATALOG_REFRESH_MS,
 * 250 ms by default, plus one query): two replicas with warm caches see each change below.
 */
describe('gateway: cached account configuration follows changes on every replica', () => {
  const prefix = suitePrefix('catalog');
  let one: GatewayHarness;
  let two: GatewayHarness;
  let prisma: PrismaClient;
  const tag = randomBytes(4).toString('hex');
  const id = 940_000 + randomInt(0, 9_999);
  const key = `catalog${tag}`;
  let accountId: number;

  const request = (fields: Record<string, string> = {}) =>
    `<REQUEST>${Object.entries({
      ACTION: 'sendMMSBarcode',
      API_KEY: key,
      TO: uniquePhone(),
      FROM: '60856',
      MMSID: String(id),
      DATABASEID: String(id),
      BARCODEID: `Ticket_${randomBytes(4).toString('hex')}`,
      ...fields,
    })
      .map(([name, value]) => `<${name}>${value}</${name}>`)
      .join('')}</REQUEST>`;

  /** The answer of each replica: Success or the error code. */
  const answers = async (fields: Record<string, string> = {}) =>
    Promise.all(
      [one, two].map(async (gateway) => {
        const { xml } = await gateway.post(request(fields), 'text/xml');
        return responseField(xml, 'STATUS') === 'Success' ? 'Success' : responseField(xml, 'ERRORCODE');
      }),
    );

  /** Polls both replicas until both give `expected`; returns how long that took. */
  async function untilBoth(expected: string, fields: Record<string, string> = {}): Promise<number> {
    const started = Date.now();
    for (;;) {
      const got = await answers(fields);
      if (got.every((answer) => answer === expected)) return Date.now() - started;
      if (Date.now() - started > 5000) throw new Error(`replicas still answer ${got.join(', ')} instead of ${expected}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  beforeAll(async () => {
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    // This suite polls a revoked key until it works again: the failed-login throttle would
    // (rightly) refuse this address unchecked long before, so it is off here.
    const env = { QUEUE_PREFIX: prefix, LOGIN_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURES_PER_KEY_PREFIX: '0' };
    [one, two] = await Promise.all([startGateway(env), startGateway(env)]);
    const template = await prisma.mmsTemplate.findUniqueOrThrow({ where: { id: 35674 }, include: { slides: true } });
    const account = await prisma.account.create({
      data: {
        name: `catalog-${tag}`,
        credits: 1000,
        numberValidation: 'POSSIBLE_LENGTH',
        apiKeys: { create: { keyHash: hashApiKey(key), label: 'catalog suite' } },
        senderCodes: { create: { code: '60856', kind: 'SHORT', country: 'US', isDefaultForCountry: true } },
      },
    });
    accountId = account.id;
    await prisma.barcodeDatabase.create({ data: { id, accountId, name: 'catalog', symbology: 'QRCODE' } });
    await prisma.mmsTemplate.create({
      data: {
        id,
        accountId,
        name: template.name,
        subject: template.subject,
        slides: { create: template.slides.map((s) => ({ position: s.position, text: s.text, media: s.media, mediaContentType: s.mediaContentType })) },
      },
    });
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await prisma?.$disconnect();
  });

  it('warm caches answer Success on both replicas', async () => {
    expect(await answers()).toEqual(['Success', 'Success']);
  });

  it('an account whose API is switched off gets E109 on both, and Success again once it is back', async () => {
    await prisma.account.update({ where: { id: accountId }, data: { apiActivated: false } });
    await untilBoth('E109');
    await prisma.account.update({ where: { id: accountId }, data: { apiActivated: true } });
    await untilBoth('Success');
  });

  it('a template set to ENCODING gets E626; a revoked API key gets E104', async () => {
    await prisma.mmsTemplate.update({ where: { id }, data: { status: 'ENCODING' } });
    await untilBoth('E626');
    await prisma.mmsTemplate.update({ where: { id }, data: { status: 'READY' } });
    await untilBoth('Success');
    await prisma.apiKey.updateMany({ where: { keyHash: hashApiKey(key) }, data: { revokedAt: new Date() } });
    await untilBoth('E104');
    await prisma.apiKey.updateMany({ where: { keyHash: hashApiKey(key) }, data: { revokedAt: null } });
    await untilBoth('Success');
  });

  it('a database moved to a symbology that cannot encode the value gets E634', async () => {
    // (Routes follow the same trigger; switching one off here would disturb the suites running
    // beside this one, which share the run's database.)
    await prisma.barcodeDatabase.update({ where: { id }, data: { symbology: 'EAN13' } });
    await untilBoth('E634');
    await prisma.barcodeDatabase.update({ where: { id }, data: { symbology: 'QRCODE' } });
    await untilBoth('Success');
  });

  it('taking credits does not move the catalog generation; a setting of the account does', async () => {
    // In one repeatable-read transaction, so that the other suites' changes stay out of sight.
    const generations = await inSnapshot(async (query) => {
      const read = async () => Number((await query('SELECT generation FROM catalog_generation WHERE id = 1'))[0]?.['generation']);
      const before = await read();
      await query('UPDATE accounts SET credits = credits - 1 WHERE id = $1', [accountId]);
      const afterCredits = await read();
      await query('UPDATE accounts SET request_window_seconds = request_window_seconds + 1 WHERE id = $1', [accountId]);
      return [before, afterCredits, await read()];
    });
    const [before] = generations as [number, number, number];
    expect(generations).toEqual([before, before, before + 1]);
  });

  /** Runs `work` in a repeatable-read transaction that is rolled back; retried on serialization failures. */
  async function inSnapshot<T>(work: (query: (sql: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> {
    const pool = createPgPool(process.env.DATABASE_URL as string, 1);
    try {
      for (let attempt = 1; ; attempt += 1) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
          return await work(async (sql, values) => (await client.query(sql, values)).rows);
        } catch (error) {
          if ((error as { code?: string }).code !== '40001' || attempt >= 5) throw error;
        } finally {
          await client.query('ROLLBACK');
          client.release();
        }
      }
    } finally {
      await pool.end();
    }
  }
});
