import { createHash, randomBytes } from 'node:crypto';
import { JobName, QueueName } from '@mms/contracts';
import { PrismaService, acceptMessages, createPgPool, markMessageFailed, withTransaction } from '@mms/db';
import { hashApiKey, verifyLegacyPassword } from '../apps/gateway/src/partner-api/credentials';
import { newMessageFixture } from '../test/fixtures';
import { type AdminRun, admin, adminOk } from './admin/fixtures/run-admin';

/** A name no other suite (or earlier test) uses. */
const fresh = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

/** A refused run: exit code 2, nothing on stdout, and the one `admin: ...` line naming the problem. */
function expectRefused(run: AdminRun, message: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
  expect(run.stderr).toMatch(new RegExp(`^admin: ${message.source}`, 'm'));
}

/**
 * The account manager's commands for accounts, API keys, sender codes and credits, run in-process
 * against the run's database: what each writes, and that each bad input is refused by name with
 * nothing written.
 */
describe('admin CLI: accounts, API keys, sender codes, credits (real PostgreSQL)', () => {
  let prisma: PrismaService;

  beforeAll(() => {
    prisma = new PrismaService(createPgPool(process.env.DATABASE_URL as string, 2), { ownsPool: true });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
  });

  const accountRow = (name: string) => prisma.account.findUnique({ where: { name } });

  async function newAccount(...options: string[]): Promise<string> {
    const name = fresh('acct');
    await adminOk(admin('account:create', name, ...options));
    return name;
  }

  describe('accounts', () => {
    it('account:create makes an active account with sendMMSBarcode allowed, strict numbers, no limits and no credits', async () => {
      const name = fresh('acct');
      const run = await admin('account:create', name);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^account ${name} created \\(id \\d+\\)$`, 'm'));
      expect(run.stdout).toMatch(/^running gateways see this within CATALOG_REFRESH_MS \(catalog generation \d+\)$/m);
      expect(await accountRow(name)).toMatchObject({
        status: 'ACTIVE',
        apiActivated: true,
        apiRights: true,
        allowedActions: ['sendmmsbarcode'],
        legacyLoginEnabled: false,
        numberValidation: 'STRICT',
        minRequestIntervalMs: 0,
        requestLimit: null,
        credits: 0,
      });
    });

    it('account:create takes the number validation and the rate limits', async () => {
      const name = await newAccount('--number-validation', 'possible-length', '--min-interval-ms', '250', '--request-limit', '100', '--window-seconds', '30');
      expect(await accountRow(name)).toMatchObject({ numberValidation: 'POSSIBLE_LENGTH', minRequestIntervalMs: 250, requestLimit: 100, requestWindowSeconds: 30 });
    });

    it.each([
      [['bad name'], /account name must be 1 to 64 letters, digits, dots, dashes or underscores/],
      [['-dash-first'], /unknown option '-dash-first'$/],
      [['NAME', '--number-validation', 'lenient'], /--number-validation must be strict or possible-length, got: lenient$/],
      [['NAME', '--request-limit', '0'], /--request-limit must be an integer from 1 to 1000000, or none; got: 0$/],
      [['NAME', '--window-seconds', '86401'], /--window-seconds must be an integer from 1 to 86400, got: 86401$/],
      [['NAME', '--min-interval-ms', '1.5'], /--min-interval-ms must be an integer from 0 to 86400000, got: 1.5$/],
    ])('account:create %j is refused, and no account is made', async (args, message) => {
      const name = fresh('refused');
      const run = await admin('account:create', ...args.map((a) => (a === 'NAME' ? name : a)));
      expectRefused(run, message);
      expect(await accountRow(name)).toBeNull();
    });

    it('account:create refuses a name taken, and every command an account that does not exist', async () => {
      expectRefused(await admin('account:create', 'demo'), /an account named demo exists already$/);
      for (const command of ['account:show', 'account:disable', 'account:enable', 'account:rate-limits', 'api-key:create', 'api-key:list', 'sender-code:list', 'credits:show', 'account:postbacks']) {
        expectRefused(await admin(command, 'no-such-account'), /no account named no-such-account$/);
      }
    });

    it('account:disable and account:enable switch the status; account:show and account:list show it', async () => {
      const name = await newAccount();
      expect((await adminOk(admin('account:disable', name))).split('\n')[0]).toBe(`account ${name}: now SUSPENDED: its requests now get E109`);
      expect((await accountRow(name))?.status).toBe('SUSPENDED');
      expect(await adminOk(admin('account:disable', name))).toBe(`account ${name} is SUSPENDED already\n`);
      expect(await adminOk(admin('account:show', name))).toMatch(/^ {2}status {10}SUSPENDED \(requests get E109\)$/m);
      expect(await adminOk(admin('account:list'))).toMatch(new RegExp(`^${name} +SUSPENDED +0 credits  0 API keys$`, 'm'));
      await adminOk(admin('account:enable', name));
      expect((await accountRow(name))?.status).toBe('ACTIVE');
    });

    it('account:rate-limits shows them without options, changes only the ones given, and refuses a bad one changing nothing', async () => {
      const name = await newAccount('--request-limit', '50');
      expect(await adminOk(admin('account:rate-limits', name))).toMatch(/^ {2}rate limits {5}no least interval, 50 requests per 60 s$/m);
      const before = await accountRow(name);
      expectRefused(await admin('account:rate-limits', name, '--min-interval-ms', '1000', '--window-seconds', '0'), /--window-seconds must be an integer from 1 to 86400, got: 0$/);
      expect(await accountRow(name)).toEqual(before);
      await adminOk(admin('account:rate-limits', name, '--min-interval-ms', '1000', '--request-limit', 'none'));
      expect(await accountRow(name)).toMatchObject({ minRequestIntervalMs: 1000, requestLimit: null, requestWindowSeconds: 60 });
    });

    it('account:number-validation sets the mode and refuses another word', async () => {
      const name = await newAccount();
      await adminOk(admin('account:number-validation', name, 'possible-length'));
      expect((await accountRow(name))?.numberValidation).toBe('POSSIBLE_LENGTH');
      expectRefused(await admin('account:number-validation', name, 'STRICT'), /mode must be strict or possible-length, got: STRICT$/);
      expect((await accountRow(name))?.numberValidation).toBe('POSSIBLE_LENGTH');
    });

    it('account:api sets activation, rights and actions (by their lower-case names), and refuses bad values changing nothing', async () => {
      const name = await newAccount();
      await adminOk(admin('account:api', name, '--rights', 'off', '--actions', 'sendMMSBarcode, sendMMS'));
      expect(await accountRow(name)).toMatchObject({ apiActivated: true, apiRights: false, allowedActions: ['sendmmsbarcode', 'sendmms'] });
      const before = await accountRow(name);
      expectRefused(await admin('account:api', name, '--activated', 'yes'), /--activated must be on or off, got: yes$/);
      expectRefused(await admin('account:api', name, '--rights', 'on', '--actions', 'send mms'), /--actions must be API action names separated by commas, or none/);
      expect(await accountRow(name)).toEqual(before);
      await adminOk(admin('account:api', name, '--actions', 'none'));
      expect((await accountRow(name))?.allowedActions).toEqual([]);
    });

    it('account:legacy-login stores a salted scrypt of md5(password) (as PASS carries it), refuses a user of another account, and --off clears it', async () => {
      const name = await newAccount();
      const user = fresh('user');
      const md5 = createHash('md5').update('correct horse').digest('hex');
      await adminOk(admin('account:legacy-login', name, '--user', user, '--password', 'correct horse'));
      const stored = await accountRow(name);
      expect(stored).toMatchObject({ legacyLoginEnabled: true, legacyUser: user, legacyPassMd5: expect.stringMatching(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/) });
      // The gateway's check takes PASS (in any case) and nothing else; the md5 is nowhere in the row.
      expect(await verifyLegacyPassword(stored?.legacyPassMd5 as string, md5.toUpperCase())).toBe(true);
      expect(await verifyLegacyPassword(stored?.legacyPassMd5 as string, createHash('md5').update('wrong horse').digest('hex'))).toBe(false);
      expect(stored?.legacyPassMd5).not.toContain(md5);
      const before = await accountRow(name);
      expectRefused(await admin('account:legacy-login', name, '--user', 'legacy', '--password', 'long enough'), /user legacy belongs to account legacy already$/);
      expectRefused(await admin('account:legacy-login', name, '--user', user, '--password', 'short'), /--password must have at least 8 characters$/);
      expectRefused(await admin('account:legacy-login', name, '--user', user), /account:legacy-login needs --user and --password, or --off$/);
      expectRefused(await admin('account:legacy-login', name, '--off', '--user', user), /--off takes no --user or --password$/);
      expect(await accountRow(name)).toEqual(before);
      await adminOk(admin('account:legacy-login', name, '--off'));
      expect(await accountRow(name)).toMatchObject({ legacyLoginEnabled: false, legacyUser: null, legacyPassMd5: null });
    });

    it('account:show lists what the account owns and never its postback secret', async () => {
      const shown = await adminOk(admin('account:show', 'demo'));
      expect(shown).toMatch(/^ {4}60856 {2}US {2}short {2}default for US$/m);
      expect(shown).toMatch(/^ {4}35674 {2}READY {2}"Event ticket" {2}2 slides$/m);
      expect(shown).toMatch(/^ {4}17856 {2}QRCODE /m);
      expect(shown).toMatch(/^ {4}12333 {2}"Demo campaign" {2}\d+ subscribed$/m);
      expect(shown).not.toContain((await accountRow('demo'))?.postbackSecret);
    });
  });

  describe('API keys', () => {
    it('api-key:create prints a 32-character key once and stores only the digest the gateway looks up, and its first characters', async () => {
      const name = await newAccount();
      const run = await admin('api-key:create', name, '--label', 'box office');
      expect(run.code).toBe(0);
      const key = /^ {2}([A-Za-z0-9]{32})$/m.exec(run.stdout)?.[1] as string;
      expect(run.stdout.split(key)).toHaveLength(2);
      const account = await accountRow(name);
      const rows = await prisma.apiKey.findMany({ where: { accountId: account?.id } });
      expect(rows).toEqual([expect.objectContaining({ keyHash: hashApiKey(key), keyPrefix: key.slice(0, 6), label: 'box office', revokedAt: null })]);
      expect(hashApiKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
      // Nowhere in the row, and nowhere in what the other commands print.
      expect(JSON.stringify(rows)).not.toContain(key);
      for (const command of ['api-key:list', 'account:show']) expect(await adminOk(admin(command, name))).not.toContain(key);
      expect(await adminOk(admin('api-key:list', name))).toMatch(new RegExp(`^ +${rows[0]?.id}  ${key.slice(0, 6)}\\.\\.\\.  "box office"  created \\S+  in use$`, 'm'));
    });

    it('api-key:create makes a new key every time', async () => {
      const name = await newAccount();
      const keys = await Promise.all([1, 2, 3].map(async () => /^ {2}([A-Za-z0-9]{32})$/m.exec(await adminOk(admin('api-key:create', name)))?.[1]));
      expect(new Set(keys).size).toBe(3);
    });

    it('api-key:revoke takes the id, the first characters or the whole key, once; a key of another account or a bad form is refused', async () => {
      const name = await newAccount();
      const keys: string[] = [];
      for (let i = 0; i < 3; i += 1) keys.push(/^ {2}([A-Za-z0-9]{32})$/m.exec(await adminOk(admin('api-key:create', name)))?.[1] as string);
      const [byId, byPrefix, whole] = await Promise.all(keys.map((key) => prisma.apiKey.findUniqueOrThrow({ where: { keyHash: hashApiKey(key) } })));

      expectRefused(await admin('api-key:revoke', name, 'x!'), /<key> must be a key id, the key's first 4 to 6 characters, or the whole key/);
      expectRefused(await admin('api-key:revoke', 'demo', String(byId?.id)), new RegExp(`no API key of demo matches id ${byId?.id}`));
      expectRefused(await admin('api-key:revoke', name, keys[0]?.slice(0, 3) as string), /<key> must be/);
      expect(await prisma.apiKey.count({ where: { accountId: byId?.accountId, revokedAt: { not: null } } })).toBe(0);

      await adminOk(admin('api-key:revoke', name, String(byId?.id)));
      await adminOk(admin('api-key:revoke', name, keys[1]?.slice(0, 5) as string));
      const revokedWhole = await admin('api-key:revoke', name, keys[2] as string);
      expect(revokedWhole.code).toBe(0);
      expect(revokedWhole.stdout).not.toContain(keys[2]);
      for (const key of [byId, byPrefix, whole]) expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: key?.id } })).revokedAt).not.toBeNull();
      expectRefused(await admin('api-key:revoke', name, String(byId?.id)), new RegExp(`API key ${byId?.id} of ${name} was revoked already`));
      expect(await adminOk(admin('api-key:list', name))).toMatch(/revoked \d{4}-/);
    });

    it('api-key:create refuses an empty label', async () => {
      const name = await newAccount();
      expectRefused(await admin('api-key:create', name, '--label', ' '), /--label must be 1 to 100 characters/);
      expect(await prisma.apiKey.count({ where: { account: { name } } })).toBe(0);
    });
  });

  describe('sender codes', () => {
    const codesOf = async (name: string) =>
      (await prisma.senderCode.findMany({ where: { account: { name } }, orderBy: { code: 'asc' } })).map((c) => ({
        code: c.code,
        country: c.country,
        kind: c.kind,
        isDefault: c.isDefaultForCountry,
      }));

    it("sender-code:add makes the first code of a country its default; --default and sender-code:default move it", async () => {
      const name = await newAccount();
      expect(await adminOk(admin('sender-code:add', name, '60856', '--country', 'us'))).toMatch(/^sender code 60856 \(short, US\) added to acct-\w+, the default for US \(its first code there\)$/m);
      await adminOk(admin('sender-code:add', name, '60857', '--country', 'US'));
      await adminOk(admin('sender-code:add', name, '447700900123', '--country', 'GB'));
      expect(await codesOf(name)).toEqual([
        { code: '447700900123', country: 'GB', kind: 'LONG', isDefault: true },
        { code: '60856', country: 'US', kind: 'SHORT', isDefault: true },
        { code: '60857', country: 'US', kind: 'SHORT', isDefault: false },
      ]);
      await adminOk(admin('sender-code:default', name, '60857'));
      expect((await codesOf(name)).filter((c) => c.country === 'US').map((c) => [c.code, c.isDefault])).toEqual([
        ['60856', false],
        ['60857', true],
      ]);
      await adminOk(admin('sender-code:add', name, '12015550100', '--country', 'US', '--default'));
      expect((await codesOf(name)).filter((c) => c.isDefault).map((c) => c.code)).toEqual(['12015550100', '447700900123']);
      expect(await adminOk(admin('sender-code:list', name))).toMatch(/^US {2}12015550100 +long +default$/m);
    });

    it.each([
      [['6085a', '--country', 'US'], /a sender code is digits only, got: "6085a"$/],
      [['12', '--country', 'US'], /a short code has 3 to 8 digits and does not start with 0, got: 12$/],
      [['60856', '--country', 'USA'], /--country must be an ISO 3166-1 alpha-2 country code, got: USA$/],
      [['60856', '--country', 'XS'], /--country must be an ISO 3166-1 alpha-2 country code, got: XS$/],
      [['60856', '--country', 'US', '--kind', 'medium'], /--kind must be short or long, got: medium$/],
      [['12015550100', '--country', 'GB'], /long code 12015550100 is a number of US, not of GB$/],
      [['999999999', '--country', 'US'], /"999999999" is not a long code/],
      [['60856'], /required option '--country <CC>' not specified$/],
    ])('sender-code:add %j is refused, and no code is added', async (args, message) => {
      const name = await newAccount();
      expectRefused(await admin('sender-code:add', name, ...args), message);
      expect(await codesOf(name)).toEqual([]);
    });

    it('sender-code:add refuses a code the account has; sender-code:default one it has not', async () => {
      const name = await newAccount();
      await adminOk(admin('sender-code:add', name, '60856', '--country', 'US'));
      expectRefused(await admin('sender-code:add', name, '60856', '--country', 'CA'), /60856 is a sender code of acct-\w+ already \(US, short\)$/);
      expectRefused(await admin('sender-code:default', name, '60999'), /60999 is not a sender code of acct-\w+/);
      expect(await codesOf(name)).toEqual([{ code: '60856', country: 'US', kind: 'SHORT', isDefault: true }]);
    });
  });

  describe('credits', () => {
    it('credits:add adds to the balance and records the grant with the balance after, who and why', async () => {
      const name = await newAccount();
      expect(await adminOk(admin('credits:add', name, '250', '--note', 'order 118'))).toBe(`${name}: 250 credits added ("order 118"), balance 250\n`);
      await adminOk(admin('credits:add', name, '50'));
      const account = await accountRow(name);
      expect(account?.credits).toBe(300);
      expect(await prisma.creditGrant.findMany({ where: { accountId: account?.id }, orderBy: { id: 'asc' } })).toEqual([
        expect.objectContaining({ amount: 250, balance: 250, note: 'order 118', grantedBy: expect.any(String) }),
        expect.objectContaining({ amount: 50, balance: 300, note: null }),
      ]);
    });

    it.each([['0'], ['-5'], ['1.5'], ['ten'], ['1000000001']])('credits:add %s is refused, and nothing is added', async (amount) => {
      const name = await newAccount();
      expectRefused(await admin('credits:add', name, amount), new RegExp(`amount must be an integer from 1 to 1000000000, got: ${amount.replace('.', '\\.')}$`));
      expect(await accountRow(name)).toMatchObject({ credits: 0 });
      expect(await prisma.creditGrant.count({ where: { account: { name } } })).toBe(0);
    });

    it('credits:add refuses to pass the largest balance, and changes nothing', async () => {
      const name = await newAccount();
      await prisma.account.update({ where: { name }, data: { credits: 2_147_483_000 } });
      expectRefused(await admin('credits:add', name, '1000'), /acct-\w+ has 2147483000 credits: adding 1000 would pass the largest balance, 2147483647$/);
      expect(await accountRow(name)).toMatchObject({ credits: 2_147_483_000 });
      expect(await prisma.creditGrant.count({ where: { account: { name } } })).toBe(0);
    });

    it('credits:show gives the balance, the grants and the debits the ledger took, one per accepted message', async () => {
      const name = await newAccount();
      await adminOk(admin('credits:add', name, '3', '--note', 'trial'));
      const account = await accountRow(name);
      const pool = createPgPool(process.env.DATABASE_URL as string, 1);
      const accepted = await withTransaction(pool, async (client) => {
        const outcomes = await acceptMessages(client, [newMessageFixture(account?.id as number, { via: 'admin CLI test' })], {
          queue: QueueName.Barcode,
          jobName: JobName.RenderBarcode,
        });
        // Its render job never leaves the transaction: no worker of another suite takes it.
        await client.query('DELETE FROM outbox WHERE id = ANY($1)', [outcomes.flatMap((o) => (o.accepted ? [o.outboxId] : []))]);
        return outcomes[0];
      }).finally(() => pool.end());
      if (accepted?.accepted !== true) throw new Error('the test message was not accepted');

      const shown = await adminOk(admin('credits:show', name));
      expect(shown).toMatch(new RegExp(`^${name}: 2 credits$`, 'm'));
      expect(shown).toMatch(/^ {2}taken \(one per accepted message\): 1 in the last 24 hours, 1 in the last 30 days, 1 in all$/m);
      expect(shown).toMatch(/^ {4}\S+ {2}\+3 {2}balance 3 {2}by \S+ {2}"trial"$/m);
      expect(shown).toMatch(new RegExp(`^ {4}\\S+ {2}-1 {2}${accepted.trackingId.replace(/[+/=]/g, '\\$&')} {2}MMSID 35674 {2}to 16\\*+\\d\\d {2}ACCEPTED$`, 'm'));
      expect(shown).toMatch(/^ {2}returned: none /m);

      // Failed before any MMSC accepted it: the ledger gives the credit back, and credits:show lists it.
      const failPool = createPgPool(process.env.DATABASE_URL as string, 1);
      await markMessageFailed(failPool, accepted.trackingId, 'barcode', 'does not encode').finally(() => failPool.end());
      const afterFail = await adminOk(admin('credits:show', name));
      expect(afterFail).toMatch(new RegExp(`^${name}: 3 credits$`, 'm'));
      expect(afterFail).toMatch(new RegExp(`^ {4}\\S+ {2}\\+1 {2}${accepted.trackingId.replace(/[+/=]/g, '\\$&')} {2}"barcode: does not encode"$`, 'm'));
      expectRefused(await admin('credits:show', name, '--limit', '0'), /--limit must be an integer from 1 to 1000, got: 0$/);
    });
  });
});
