import { createHash, randomBytes } from 'node:crypto';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { responseField } from '../../../test/docs-examples';
import { eventually, suitePrefix, uniquePhone } from '../../../test/fixtures';
import { verifyLegacyPassword } from '../src/partner-api/credentials';
import { LegacyPasswords } from '../src/partner-api/legacy-passwords';
import { GatewayHarness, startGateway } from './gateway-harness';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const SCRYPT_FORM = /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/;

/** A legacy request (USER + PASS) of the seeded `legacy` account's template and database, fields replaced. */
function request(user: string, pass: string, fields: Record<string, string | undefined> = {}): string {
  const base: Record<string, string | undefined> = {
    ACTION: 'sendMMSBarcode',
    USER: user,
    PASS: pass,
    TO: uniquePhone(),
    FROM: '60856',
    MMSID: '35694',
    DATABASEID: '17859',
    BARCODEID: `Ticket_${randomBytes(4).toString('hex')}`,
    ...fields,
  };
  return `<REQUEST>${Object.entries(base)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<${name}>${value}</${name}>`)
    .join('')}</REQUEST>`;
}

/**
 * The legacy password after its migration to a slow salted hash: rows that still hold the md5
 * PASS carries (the dev seed writes them so, as every row did before) are converted in place when
 * a gateway starts, or at their first login, and the login keeps working throughout.
 */
describe('gateway: legacy passwords stored as scrypt of the md5, converted in place', () => {
  const prefix = suitePrefix('legacy-pass');
  const tag = randomBytes(3).toString('hex');
  const oldUser = `old-${tag}`;
  const oldPass = md5('an old password');
  let gateway: GatewayHarness;
  let prisma: PrismaClient;

  const storedOf = async (legacyUser: string) => (await prisma.account.findUniqueOrThrow({ where: { legacyUser } })).legacyPassMd5 as string;
  const answer = async (xml: string) => {
    const { xml: response } = await gateway.post(xml, 'text/xml');
    return responseField(response, 'STATUS') === 'Success' ? 'Success' : (responseField(response, 'ERRORCODE') as string);
  };

  beforeAll(async () => {
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    // A row as every row was before the migration: the md5 in clear.
    await prisma.account.create({ data: { name: `legacy-old-${tag}`, credits: 10, legacyLoginEnabled: true, legacyUser: oldUser, legacyPassMd5: oldPass } });
    gateway = await startGateway({ QUEUE_PREFIX: prefix });
  });

  afterAll(async () => {
    await gateway?.close();
    await prisma?.$disconnect();
  });

  it('converts the md5 rows when the gateway starts; the same PASS still logs in, and the stored value no longer does', async () => {
    const stored = await eventually(async () => {
      const value = await storedOf(oldUser);
      return SCRYPT_FORM.test(value) ? value : undefined;
    }, 10_000, 'the md5 row converted');
    expect(stored).not.toContain(oldPass);
    expect(await verifyLegacyPassword(stored, oldPass)).toBe(true);
    // Authenticated: E620 (no MMSID) comes after the credentials; a wrong PASS is E104.
    expect(await answer(request(oldUser, oldPass, { MMSID: undefined }))).toBe('E620');
    expect(await answer(request(oldUser, oldPass.toUpperCase(), { MMSID: undefined }))).toBe('E620');
    expect(await answer(request(oldUser, md5('another password'), { MMSID: undefined }))).toBe('E104');
    // What a database leak now shows is no working PASS.
    expect(await answer(request(oldUser, stored, { MMSID: undefined }))).toBe('E104');
  });

  it("the dev seed's legacy account (seeded with its md5) is converted too, and sends as before", async () => {
    const seeded = await eventually(async () => {
      const value = await storedOf('legacy');
      return SCRYPT_FORM.test(value) ? value : undefined;
    }, 10_000, "the seeded legacy account's row converted");
    expect(await verifyLegacyPassword(seeded, md5('legacy-pass'))).toBe(true);
    expect(await answer(request('legacy', md5('legacy-pass')))).toBe('Success');
  });

  it('converts a row written as md5 while the gateway runs at its first login', async () => {
    const user = `late-${tag}`;
    const pass = md5('a late password');
    await prisma.account.create({ data: { name: `legacy-late-${tag}`, credits: 10, legacyLoginEnabled: true, legacyUser: user, legacyPassMd5: pass } });
    await eventually(async () => ((await answer(request(user, pass, { MMSID: undefined }))) === 'E620' ? true : undefined), 5000, 'the late account logging in');
    const converted = await eventually(async () => {
      const value = await storedOf(user);
      return SCRYPT_FORM.test(value) ? value : undefined;
    }, 5000, 'the late row converted');
    expect(await verifyLegacyPassword(converted, pass)).toBe(true);
    expect(await answer(request(user, pass, { MMSID: undefined }))).toBe('E620');
  });

  it('converting again changes nothing (idempotent), and never overwrites a value that is not a bare md5', async () => {
    const before = await storedOf(oldUser);
    expect(await gateway.app.get(LegacyPasswords).upgradeAll()).toBe(0);
    expect(await storedOf(oldUser)).toBe(before);
  });
});
