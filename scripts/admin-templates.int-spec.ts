import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { PrismaService, createPgPool } from '@mms/db';
import { imageKeyOf } from '@mms/image-store';
import { type AdminRun, admin, adminOk } from './admin/fixtures/run-admin';

const FIXTURES = join(__dirname, 'admin', 'fixtures');
const id = () => String(randomInt(800_000_000, 900_000_000));

function expectRefused(run: AdminRun, message: RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
  expect(run.stderr).toMatch(message);
}

/** A picture no other test stored: its key tells whether a refused run stored anything. */
function uniquePhoto(width = 120, height = 90) {
  const [r, g, b] = [randomInt(256), randomInt(256), randomInt(256)];
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
}

/**
 * Templates and campaigns through the CLI (in-process, the run's database): templates checked as
 * saveMMS checks them before anything is stored, images in the image store delivery reads;
 * campaigns and their subscriptions, from a CSV file too.
 */
describe('admin CLI: templates and campaigns (real PostgreSQL)', () => {
  let prisma: PrismaService;
  let dir: string;
  const account = `tpl-${randomBytes(3).toString('hex')}`;
  const databaseId = id();

  beforeAll(async () => {
    prisma = new PrismaService(createPgPool(process.env.DATABASE_URL as string, 2), { ownsPool: true });
    dir = await mkdtemp(join(tmpdir(), 'admin-templates-'));
    await adminOk(admin('account:create', account));
    await adminOk(admin('database:create', account, databaseId, 'QRCODE'));
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  /** A template source of its own folder: the manifest (an object, or raw text) and its files. */
  async function source(manifest: unknown, files: Record<string, Buffer> = {}): Promise<string> {
    const folder = await mkdtemp(join(dir, 'source-'));
    await writeFile(join(folder, 'template.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(folder, name), bytes);
    return folder;
  }

  const ticket = (slides: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'Ticket', subject: 'Your ticket', slides, ...extra });
  const barcodeSlide = { text: 'Show this at the gate', barcode: true };

  describe('template:create', () => {
    it('stores the template, its slides and its images (in the store delivery reads by slide.mediaKey)', async () => {
      const mmsId = id();
      const run = await admin('template:create', account, mmsId, join(FIXTURES, 'festival-ticket'), '--database', databaseId);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^ {2}slide 1 {2}4 s {2}image image\/png {2}1220 bytes, key [0-9a-f]{12}\.\.\. {2}text "Welcome to the Spring Festival, \{\{FIRST_NAME\}\}!"$/m);
      expect(run.stdout).toMatch(/^ {2}slide 2 {2}10 s {2}barcode slot {2}text "Show this code at the gate\."$/m);
      const logo = await readFile(join(FIXTURES, 'festival-ticket', 'logo.png'));
      const template = await prisma.mmsTemplate.findUniqueOrThrow({ where: { id: Number(mmsId) }, include: { slides: { orderBy: { position: 'asc' } }, account: true } });
      expect(template).toMatchObject({ name: 'Festival ticket', subject: 'Your festival ticket', status: 'READY', defaultDatabaseId: Number(databaseId) });
      expect(template.account.name).toBe(account);
      expect(template.slides.map(({ position, text, durationSeconds, media, mediaContentType, mediaKey }) => ({ position, text, durationSeconds, media, mediaContentType, mediaKey }))).toEqual([
        { position: 1, text: 'Welcome to the Spring Festival, {{FIRST_NAME}}!', durationSeconds: 4, media: 'IMAGE', mediaContentType: 'image/png', mediaKey: imageKeyOf(logo) },
        { position: 2, text: 'Show this code at the gate.', durationSeconds: 10, media: 'BARCODE', mediaContentType: null, mediaKey: null },
      ]);
      const stored = await prisma.storedImage.findUniqueOrThrow({ where: { key: imageKeyOf(logo) } });
      expect(Buffer.from(stored.bytes).equals(logo)).toBe(true);
      expect(stored.contentType).toBe('image/png');
      expect(await adminOk(admin('template:show', mmsId))).toContain(`default database ${databaseId}`);
    });

    it('takes a JSON file with images beside it, GIF and JPEG too, and a default database in the file', async () => {
      const gif = await uniquePhoto().gif().toBuffer();
      const jpeg = await uniquePhoto().jpeg().toBuffer();
      const folder = await source({}, { 'a.gif': gif, 'b.jpg': jpeg });
      const file = join(folder, 'festival.json');
      await writeFile(file, JSON.stringify(ticket([{ image: 'a.gif' }, { image: 'b.jpg', duration: 60 }, { barcode: true }], { defaultDatabase: Number(databaseId) })));
      const mmsId = id();
      await adminOk(admin('template:create', account, mmsId, file));
      const slides = await prisma.templateSlide.findMany({ where: { templateId: Number(mmsId) }, orderBy: { position: 'asc' } });
      expect(slides.map((s) => [s.media, s.mediaContentType, s.mediaKey, s.durationSeconds])).toEqual([
        ['IMAGE', 'image/gif', imageKeyOf(gif), 5],
        ['IMAGE', 'image/jpeg', imageKeyOf(jpeg), 60],
        ['BARCODE', null, null, 5],
      ]);
      expect((await prisma.mmsTemplate.findUniqueOrThrow({ where: { id: Number(mmsId) } })).defaultDatabaseId).toBe(Number(databaseId));
    });

    const text = (n: number) => 'x'.repeat(n);
    it.each<[string, () => Promise<{ manifest: unknown; files?: Record<string, Buffer> }>, RegExp]>([
      ['no slides', async () => ({ manifest: ticket([]) }), /a template has 1 to 8 slides \(saveMMS\); "slides" has 0$/],
      ['nine slides', async () => ({ manifest: ticket([barcodeSlide, ...Array.from({ length: 8 }, () => ({ text: 'more' }))]) }), /a template has 1 to 8 slides \(saveMMS\); "slides" has 9$/],
      ['no barcode slot', async () => ({ manifest: ticket([{ text: 'hello' }]) }), /no slide has the barcode slot \("barcode": true\): sendMMSBarcode would answer E633$/],
      ['two barcode slots', async () => ({ manifest: ticket([barcodeSlide, { text: 'b' }, barcodeSlide]) }), /slides 1 and 3 each have a barcode slot: a template has exactly one$/],
      ['text of 501 characters', async () => ({ manifest: ticket([{ text: text(501) }, barcodeSlide]) }), /slide 1: text has 501 characters, saveMMS takes at most 500$/],
      ['a duration of 61 s', async () => ({ manifest: ticket([{ ...barcodeSlide, duration: 61 }]) }), /slide 1: "duration" is whole seconds from 1 to 60 \(saveMMS\), got 61$/],
      ['a duration of 2.5 s', async () => ({ manifest: ticket([{ ...barcodeSlide, duration: 2.5 }]) }), /slide 1: "duration" is whole seconds from 1 to 60 \(saveMMS\), got 2\.5$/],
      ['an image and the barcode on one slide', async () => ({ manifest: ticket([{ ...barcodeSlide, image: 'a.png' }]), files: { 'a.png': await uniquePhoto().png().toBuffer() } }), /slide 1: one media per slide: an image or the barcode slot, not both$/],
      ['audio', async () => ({ manifest: ticket([{ audio: 'a.amr' }, barcodeSlide]) }), /slide 1: audio and video need encoding, which this fleet does not do: the template would answer E626 for ever/],
      ['a WebP image', async () => ({ manifest: ticket([{ image: 'a.webp' }, barcodeSlide]), files: { 'a.webp': await uniquePhoto().webp().toBuffer() } }), /slide 1: image a\.webp is webp: saveMMS takes GIF, JPEG or PNG images \(else E629\)$/],
      ['a PNG named .jpg that is not one', async () => ({ manifest: ticket([{ image: 'a.jpg' }, barcodeSlide]), files: { 'a.jpg': Buffer.from('not a picture') } }), /slide 1: image a\.jpg cannot be read as an image: /],
      ['a truncated PNG', async () => ({ manifest: ticket([{ image: 'a.png' }, barcodeSlide]), files: { 'a.png': (await uniquePhoto(400, 300).png().toBuffer()).subarray(0, 200) } }), /slide 1: image a\.png cannot be read as an image: /],
      ['a missing image', async () => ({ manifest: ticket([{ image: 'gone.png' }, barcodeSlide]) }), /slide 1: image gone\.png: no such file \(/],
      ['an image over 600000 bytes', async () => ({ manifest: ticket([{ image: 'big.png' }, barcodeSlide]), files: { 'big.png': await noise(600, 600) } }), /slide 1: image big\.png has \d{6,} bytes, at most 600000 are taken/],
      ['an image wider than 4096 pixels', async () => ({ manifest: ticket([{ image: 'wide.png' }, barcodeSlide]), files: { 'wide.png': await uniquePhoto(5000, 4).png().toBuffer() } }), /slide 1: image wide\.png is 5000x4 pixels, at most 4096 a side are taken$/],
      ['an empty slide', async () => ({ manifest: ticket([{}, barcodeSlide]) }), /slide 1 is empty: give it text, an image or the barcode slot$/],
      ['a misspelt field', async () => ({ manifest: ticket([{ text: 'a', imgae: 'a.png' }, barcodeSlide]) }), /slide 1 has unknown field "imgae" \(known: text, image, barcode, duration, audio, video\)$/],
      ['no subject', async () => ({ manifest: { name: 'Ticket', slides: [barcodeSlide] } }), /"subject" must be a non-empty string$/],
      ['a default database that is no id', async () => ({ manifest: ticket([barcodeSlide], { defaultDatabase: '17856' }) }), /"defaultDatabase" must be a DATABASEID \(an integer of 1 to 9 digits\), got "17856"$/],
      ['a manifest that is not JSON', async () => ({ manifest: '{ "name": "Ticket", ' }), /is not JSON: /],
    ])('refuses %s, naming the rule, and stores nothing', async (_, make, message) => {
      const { manifest, files = {} } = await make();
      const mmsId = id();
      const run = await admin('template:create', account, mmsId, await source(manifest, files));
      expectRefused(run, new RegExp(`^admin: \\S+template\\.json:? ${message.source}`, 'm'));
      expect(await prisma.mmsTemplate.findUnique({ where: { id: Number(mmsId) } })).toBeNull();
      const keys = Object.values(files).map(imageKeyOf);
      expect(await prisma.storedImage.count({ where: { key: { in: keys } } })).toBe(0);
    });

    it("refuses another account's database or MMSID, an MMSID taken without --replace, a bad MMSID and a missing source", async () => {
      const good = join(FIXTURES, 'festival-ticket');
      expectRefused(await admin('template:create', account, id(), good, '--database', '17856'), new RegExp(`^admin: database 17856 is not one of ${account}'s \\(database:create\\)$`, 'm'));
      expectRefused(await admin('template:create', account, '35674', good), /^admin: MMSID 35674 is a template of account demo$/m);
      expectRefused(await admin('template:create', account, '0', good), /^admin: MMSID must be a positive integer of up to 9 digits, got: 0$/m);
      expectRefused(await admin('template:create', account, '1234567890', good), /^admin: MMSID must be a positive integer/m);
      expectRefused(await admin('template:create', account, id(), join(dir, 'nowhere')), /^admin: \S+nowhere: no such file \(a template is a JSON file, or a folder with template\.json\)$/m);
      expectRefused(await admin('template:create', 'no-such-account', id(), good), /^admin: no account named no-such-account$/m);
      const mmsId = id();
      await adminOk(admin('template:create', account, mmsId, good));
      expectRefused(await admin('template:create', account, mmsId, good), new RegExp(`^admin: MMSID ${mmsId} exists already \\("Festival ticket"\\): --replace to replace its content$`, 'm'));
    });

    it('--replace replaces the name, subject and slides, keeping a disabled template disabled; template:disable and :enable switch it', async () => {
      const mmsId = id();
      await adminOk(admin('template:create', account, mmsId, join(FIXTURES, 'festival-ticket')));
      expect(await adminOk(admin('template:disable', mmsId))).toMatch(new RegExp(`^template ${mmsId} of ${account} is now DISABLED: requests naming it get E241$`, 'm'));
      await adminOk(admin('template:create', account, mmsId, await source({ name: 'Plain', subject: 'Plain ticket', slides: [barcodeSlide] }), '--replace'));
      const replaced = await prisma.mmsTemplate.findUniqueOrThrow({ where: { id: Number(mmsId) }, include: { slides: true } });
      expect(replaced).toMatchObject({ name: 'Plain', subject: 'Plain ticket', status: 'DISABLED', defaultDatabaseId: null });
      expect(replaced.slides.map((s) => [s.position, s.media, s.text])).toEqual([[1, 'BARCODE', 'Show this at the gate']]);
      await adminOk(admin('template:enable', mmsId));
      expect((await prisma.mmsTemplate.findUniqueOrThrow({ where: { id: Number(mmsId) } })).status).toBe('READY');
      expect(await adminOk(admin('template:enable', mmsId))).toBe(`template ${mmsId} is READY already\n`);
      expectRefused(await admin('template:enable', '35676'), /^admin: template 35676 is ENCODING: it becomes READY when its media is encoded$/m);
      expectRefused(await admin('template:show', '999999999'), /^admin: no template 999999999$/m);
    });
  });

  describe('barcode databases', () => {
    it('database:create takes a name and checks the settings as the barcode service does; database:settings bumps the version', async () => {
      const created = id();
      await adminOk(admin('database:create', account, created, 'CODE128', '{"moduleSize":4}', '--name', 'Gate tickets'));
      expect(await prisma.barcodeDatabase.findUnique({ where: { id: Number(created) } })).toMatchObject({
        name: 'Gate tickets',
        symbology: 'CODE128',
        settings: expect.objectContaining({ moduleSize: 4 }),
        settingsVersion: 1,
      });
      expect(await adminOk(admin('database:settings', created, '{"moduleSize":6}'))).toMatch(new RegExp(`^database ${created} settings version 2: \\{"moduleSize":6,`));
    });

    it.each([
      [['ACCOUNT', 'ID', 'QR'], /^admin: unknown symbology QR: QRCODE, AZTEC, PDF417, DATAMATRIX, CODE128, CODE39, EAN13, UPCA, ITF14 or GS1_128$/m],
      [['ACCOUNT', 'ID', 'QRCODE', '{moduleSize:4}'], /^admin: settings must be JSON, got: \{moduleSize:4\}$/m],
      [['ACCOUNT', 'ID', 'QRCODE', '{"moduleSize":1}'], /^admin: invalid barcode setting moduleSize: /m],
      [['ACCOUNT', 'ID', 'QRCODE', '{}', '--name', ''], /^admin: --name must not be empty$/m],
      [['ACCOUNT', '-1', 'QRCODE'], /^admin: DATABASEID must be a positive integer of up to 9 digits, got: -1$/m],
      [['ACCOUNT', '17856', 'QRCODE'], /^admin: database 17856 exists already \(account demo\)$/m],
      [['no-such-account', 'ID', 'QRCODE'], /^admin: no account named no-such-account$/m],
    ])('database:create %j is refused, and no database is made', async (args, message) => {
      const databaseId = id();
      expectRefused(await admin('database:create', ...args.map((a) => (a === 'ACCOUNT' ? account : a === 'ID' ? databaseId : a))), message);
      expect(await prisma.barcodeDatabase.findUnique({ where: { id: Number(databaseId) } })).toBeNull();
    });

    it('database:settings refuses bad settings and an unknown database; database:holders answers 1 for a value never issued', async () => {
      const before = await prisma.barcodeDatabase.findUniqueOrThrow({ where: { id: Number(databaseId) } });
      expectRefused(await admin('database:settings', databaseId, '{"format":"bmp"}'), /^admin: invalid barcode setting format: /m);
      expect(await prisma.barcodeDatabase.findUniqueOrThrow({ where: { id: Number(databaseId) } })).toEqual(before);
      expectRefused(await admin('database:settings', '999999999', '{}'), /^admin: no database 999999999$/m);
      expect(await admin('database:holders', databaseId, 'never')).toEqual({ code: 1, stdout: `BARCODEID never was never issued in database ${databaseId}\n`, stderr: '' });
    });
  });

  describe('campaigns', () => {
    const subscribers = (campaignId: string) =>
      prisma.subscription.findMany({ where: { campaignId: Number(campaignId) }, orderBy: { phone: 'asc' } }).then((rows) => rows.map((r) => [r.phone, r.unsubscribedAt === null]));

    async function newCampaign(...options: string[]): Promise<string> {
      const campaignId = id();
      await adminOk(admin('campaign:create', account, campaignId, 'Spring festival', ...options));
      return campaignId;
    }

    it('campaign:create requires subscription unless --no-subscription, and refuses a taken id, a bad id or name', async () => {
      const campaignId = await newCampaign();
      const open = await newCampaign('--no-subscription');
      const campaign = (n: string) => prisma.campaign.findUnique({ where: { id: Number(n) }, include: { account: true } });
      expect(await campaign(campaignId)).toMatchObject({ name: 'Spring festival', requiresSubscription: true, account: { name: account } });
      expect(await campaign(open)).toMatchObject({ requiresSubscription: false });
      expectRefused(await admin('campaign:create', account, '12333', 'Mine'), /^admin: campaign 12333 exists already \(account demo\)$/m);
      expectRefused(await admin('campaign:create', account, 'x1', 'Mine'), /^admin: CAMPAIGNREF must be a positive integer of up to 9 digits, got: x1$/m);
      const unnamed = id();
      expectRefused(await admin('campaign:create', account, unnamed, ' '), /^admin: a campaign name has 1 to 200 characters/m);
      expect(await prisma.campaign.findUnique({ where: { id: Number(unnamed) } })).toBeNull();
    });

    it('campaign:subscribe takes a CSV file (header, comments, repeats) and numbers; unsubscribe and subscribe again count what changed', async () => {
      const campaignId = await newCampaign();
      expect(await adminOk(admin('campaign:subscribe', campaignId, '--csv', join(FIXTURES, 'subscribers.csv')))).toBe(
        `campaign ${campaignId}: 3 subscribed, 0 subscribed again, 0 subscribed already\n`,
      );
      expect(await subscribers(campaignId)).toEqual([
        ['12015550101', true],
        ['12015550102', true],
        ['12015550103', true],
      ]);
      expect(await adminOk(admin('campaign:unsubscribe', campaignId, '12015550102', '12015550109'))).toBe(`campaign ${campaignId}: 1 unsubscribed, 1 were not subscribed\n`);
      expect(await adminOk(admin('campaign:subscribe', campaignId, '12015550104', '--csv', join(FIXTURES, 'subscribers.csv')))).toBe(
        `campaign ${campaignId}: 1 subscribed, 1 subscribed again, 2 subscribed already\n`,
      );
      expect(await subscribers(campaignId)).toEqual([
        ['12015550101', true],
        ['12015550102', true],
        ['12015550103', true],
        ['12015550104', true],
      ]);
      const shown = await adminOk(admin('campaign:show', campaignId, '--numbers'));
      expect(shown).toMatch(/^ {2}numbers must be subscribed: 4 subscribed, 0 unsubscribed$/m);
      expect(shown).toMatch(/^ {4}12015550104 {2}since \S+$/m);
    });

    it('reads a CSV without a header (first column, semicolons, quotes, a byte order mark)', async () => {
      const campaignId = await newCampaign();
      const file = join(dir, 'plain.csv');
      await writeFile(file, '\uFEFF"12015550111";Ada\r\n12015550112,Grace\r\n');
      await adminOk(admin('campaign:subscribe', campaignId, '--csv', file));
      expect(await subscribers(campaignId)).toEqual([
        ['12015550111', true],
        ['12015550112', true],
      ]);
    });

    it('checks every number as the account checks TO: one bad number refuses the whole list, naming its line, and nothing is written', async () => {
      const campaignId = await newCampaign();
      const file = join(dir, 'bad.csv');
      await writeFile(file, 'phone\n12015550121\n+12015550122\n16501234123\n12015550123\n');
      const run = await admin('campaign:subscribe', campaignId, '--csv', file);
      expectRefused(run, /^admin: 2 of 4 numbers refused, nothing changed:$/m);
      expect(run.stderr).toContain(`  ${file} line 3: "+12015550122" is not a number the API takes as TO (international digits, no + or 00, a number valid in its numbering plan that can be a mobile: E110)`);
      expect(run.stderr).toContain(`  ${file} line 4: "16501234123" is not a number the API takes as TO`);
      expect(await subscribers(campaignId)).toEqual([]);

      // The demo account checks only the length: the docs' own number is one of its numbers.
      await adminOk(admin('campaign:subscribe', '12333', '16501234123'));
    });

    it('refuses a CSV without a phone column, a missing file, no numbers and an unknown campaign', async () => {
      const campaignId = await newCampaign();
      const file = join(dir, 'names.csv');
      await writeFile(file, 'name,seat\nAda,A1\n');
      expectRefused(await admin('campaign:subscribe', campaignId, '--csv', file), /^admin: --csv \S+names\.csv: line 1 is a header without a phone, number, msisdn, to, mobile column: name, seat$/m);
      expectRefused(await admin('campaign:subscribe', campaignId, '--csv', join(dir, 'none.csv')), /^admin: --csv \S+none\.csv: no such file$/m);
      expectRefused(await admin('campaign:unsubscribe', campaignId), /^admin: no numbers: give them as arguments or --csv <file>$/m);
      expectRefused(await admin('campaign:subscribe', '999999999', '12015550101'), /^admin: no campaign 999999999$/m);
      expect(await subscribers(campaignId)).toEqual([]);
    });
  });
});

/** A PNG that does not compress: random pixels. */
function noise(width: number, height: number): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } }).png().toBuffer();
}
