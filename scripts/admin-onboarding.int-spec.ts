import { randomBytes, randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { escapeXmlText } from '@mms/contracts';
import { PrismaService, createPgPool } from '@mms/db';
import { type Simulator, startBarcodeWorker, startDeliveryWorker, startSimulator, until } from '../apps/delivery/test/mm7-test-kit';
import { PartnerReceiver, documentedVerifier, noticesIn } from '../apps/delivery/test/postback-test-kit';
import { type GatewayHarness, startGateway } from '../apps/gateway/test/gateway-harness';
import { decodeBarcodes } from '../test/barcode-decoder';
import { responseField } from '../test/docs-examples';
import { suitePrefix } from '../test/fixtures';
import { adminOk, adminProcess } from './admin/fixtures/run-admin';

const FIXTURES = join(__dirname, 'admin', 'fixtures');
/** Ids of this run's own (the partner API's ids are the operator's): far from the seed's and other suites'. */
const id = () => String(randomInt(800_000_000, 900_000_000));

/**
 * An account manager onboards a partner with `npm run admin` alone (each command a child process,
 * as an operator runs it), then the partner's first sendMMSBarcode goes through the real gateway,
 * barcode worker and delivery worker to the MMSC simulator, and its postback reaches the partner
 * signed with the secret the CLI printed. Later CLI changes reach the running gateway through the
 * catalog generation, without a restart.
 */
describe('onboarding with the admin CLI: from nothing to a delivered MMS', () => {
  const prefix = suitePrefix('onboard');
  const account = `festival-${randomBytes(3).toString('hex')}`;
  const mmsId = id();
  const databaseId = id();
  const campaignId = id();
  const shortCode = '71234';
  const receiver = new PartnerReceiver();
  const verifyPostback = documentedVerifier();
  let gateway: GatewayHarness;
  let simulator: Simulator;
  let barcode: INestApplicationContext;
  let delivery: INestApplicationContext;
  let prisma: PrismaService;
  let apiKey: string;
  let secret: string;

  /** One CLI command, as an operator runs it, that must succeed: its stdout. */
  const run = (...args: string[]) => adminOk(adminProcess(...args));

  beforeAll(async () => {
    await receiver.start();
    simulator = await startSimulator({});
    await simulator.configure({ dlrWhen: 'never' });
    // The sweeps would hand this suite rows other suites left in the shared database.
    gateway = await startGateway({ QUEUE_PREFIX: prefix, OUTBOX_SWEEP_INTERVAL_MS: '600000', RECONCILE_INTERVAL_MS: '3600000', LOG_LEVEL: 'error' });
    barcode = await startBarcodeWorker({ QUEUE_PREFIX: prefix });
    delivery = await startDeliveryWorker({
      QUEUE_PREFIX: prefix,
      MM7_URL: simulator.mm7Url,
      // The partner's receiver listens on 127.0.0.1.
      POSTBACK_ALLOW_PRIVATE_NETWORKS: 'true',
      POSTBACK_SWEEP_INTERVAL_MS: '3600000',
    });
    prisma = new PrismaService(createPgPool(process.env.DATABASE_URL as string, 2), { ownsPool: true });

    // The account manager's whole job, in the order the CLI's overview gives.
    await run('account:create', account);
    const created = await run('api-key:create', account, '--label', 'box office');
    apiKey = /^ {2}([A-Za-z0-9]{32})$/m.exec(created)?.[1] as string;
    await run('sender-code:add', account, shortCode, '--country', 'US');
    await run('credits:add', account, '5', '--note', 'first order');
    await run('database:create', account, databaseId, 'QRCODE');
    await run('template:create', account, mmsId, join(FIXTURES, 'festival-ticket'), '--database', databaseId);
    await run('campaign:create', account, campaignId, 'Spring festival');
    await run('campaign:subscribe', campaignId, '--csv', join(FIXTURES, 'subscribers.csv'));
    const postbacks = await run('account:postbacks', account, '--url', `${receiver.base}/postbacks`);
    secret = /^ {2}secret +([0-9a-f]+)$/m.exec(postbacks)?.[1] as string;
  }, 120_000);

  afterAll(async () => {
    await delivery?.close();
    await barcode?.close();
    await gateway?.close();
    await simulator?.app.close();
    await receiver.close();
    await prisma?.$disconnect();
  });

  /** The partner's request, as API.md writes it: no DATABASEID (the template names its default). */
  const request = (to: string, barcodeId: string, key = apiKey) =>
    gateway.post(
      `<REQUEST><ACTION>sendMMSBarcode</ACTION><API_KEY>${key}</API_KEY><TO>${to}</TO><FROM>${shortCode}</FROM>` +
        `<MMSID>${mmsId}</MMSID><BARCODEID>${escapeXmlText(barcodeId)}</BARCODEID><CAMPAIGNREF>${campaignId}</CAMPAIGNREF>` +
        `<DATA><FIRST_NAME>Grace</FIRST_NAME></DATA></REQUEST>`,
      'text/xml',
    );

  const answer = async (sent: ReturnType<typeof request>) => {
    const { status, xml } = await sent;
    expect(status).toBe(200);
    return { status: responseField(xml, 'STATUS'), code: responseField(xml, 'ERRORCODE'), trackingId: responseField(xml, 'TRACKINGID'), xml };
  };

  it('printed the key once, and the world it built is what the gateway reads', async () => {
    expect(apiKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const shown = await run('account:show', account);
    expect(shown).not.toContain(apiKey);
    expect(shown).toMatch(new RegExp(`^ {4}${shortCode} {2}US {2}short {2}default for US$`, 'm'));
    expect(shown).toMatch(new RegExp(`^ {4}${mmsId} {2}READY {2}"Festival ticket" {2}2 slides {2}default database ${databaseId}$`, 'm'));
    expect(shown).toMatch(new RegExp(`^ {4}${campaignId} {2}"Spring festival" {2}3 subscribed$`, 'm'));
  });

  it("delivers the partner's first sendMMSBarcode to the MMSC with the template's photo, the barcode and the merged text, and posts N101 signed", async () => {
    const value = `FEST-${randomBytes(4).toString('hex')}`;
    const sent = await answer(request('12015550102', value));
    expect(sent).toMatchObject({ status: 'Success', code: undefined });
    const trackingId = sent.trackingId as string;

    const message = await until(
      async () => {
        const m = await prisma.message.findUniqueOrThrow({ where: { trackingId }, include: { events: { orderBy: { id: 'asc' } } } });
        return m.status === 'SUBMITTED' || m.status === 'FAILED' ? m : undefined;
      },
      20_000,
      `message ${trackingId} to be SUBMITTED`,
    );
    expect({ failure: message.failureReason, steps: message.events.map((e) => e.status) }).toEqual({ failure: null, steps: ['ACCEPTED', 'RENDERED', 'SUBMITTED'] });
    expect(message).toMatchObject({ databaseId: Number(databaseId), campaignId: Number(campaignId), senderCode: shortCode });

    const [received, ...again] = await simulator.messagesOf(trackingId);
    expect(again).toEqual([]);
    expect(received).toMatchObject({ status: 'accepted', from: shortCode, subject: 'Your festival ticket' });
    expect(received?.to).toContain('12015550102');
    const parts = await Promise.all((received?.parts ?? []).map(async (p) => ({ ...p, bytes: (await simulator.part(received?.id as string, p.index)).bytes })));
    const images = parts.filter((p) => p.contentType.startsWith('image/'));
    const logo = await readFile(join(FIXTURES, 'festival-ticket', 'logo.png'));
    // The photo as the CLI stored it (small enough to go untouched), and the barcode, which scans as the value.
    expect(images.filter((p) => p.bytes.equals(logo))).toHaveLength(1);
    const codes = await Promise.all(images.filter((p) => !p.bytes.equals(logo)).map((p) => decodeBarcodes(p.bytes)));
    expect(codes).toEqual([[value]]);
    const texts = parts.filter((p) => p.contentType.startsWith('text/plain')).map((p) => p.bytes.toString('utf8'));
    expect(texts).toEqual(['Welcome to the Spring Festival, Grace!', 'Show this code at the gate.']);

    const postback = await until(async () => receiver.on('/postbacks').find((r) => r.body.toString('utf8').includes(trackingId)), 15_000, 'the N101 postback');
    expect(noticesIn(postback.body.toString('utf8'))).toEqual([expect.objectContaining({ CODE: 'N101', TRACKINGID: trackingId, MMSID: mmsId })]);
    expect(verifyPostback(secret, postback.headers, postback.body)).toBe(true);

    const credits = await run('credits:show', account);
    expect(credits).toMatch(/^festival-[0-9a-f]+: 4 credits$/m);
    expect(credits).toMatch(/^ {4}\S+ {2}\+5 {2}balance 5 {2}by \S+ {2}"first order"$/m);
    expect(credits).toMatch(new RegExp(`^ {4}\\S+ {2}-1 {2}${trackingId.replace(/[+/=]/g, '\\$&')} {2}MMSID ${mmsId} {2}to 12\\*+02 {2}SUBMITTED$`, 'm'));
    const shown = await run('message:show', trackingId);
    expect(shown).toMatch(/^ {2}request \S+/m);
  });

  it('refuses what the CLI set up to refuse: a number not subscribed (E715), a number strict validation rejects (E110)', async () => {
    expect(await answer(request('12015550109', 'FEST-X'))).toMatchObject({ status: 'Failure', code: 'E715' });
    expect(await answer(request('16501234123', 'FEST-X'))).toMatchObject({ status: 'Failure', code: 'E110' });
  });

  it('reaches the running gateway without a restart: disable (E109), enable, revoke the key (E104)', async () => {
    // Asked for a number the campaign does not have: E715 while the account may send, and no
    // credit spent while the gateway still has the old catalog.
    const refusal = (code: string) =>
      until(async () => ((await answer(request('12015550109', 'FEST-X'))).code === code ? code : undefined), 5_000, `the gateway to answer ${code}`);
    await run('account:disable', account);
    await refusal('E109');
    await run('account:enable', account);
    await refusal('E715');
    expect(await answer(request('12015550101', 'FEST-AGAIN'))).toMatchObject({ status: 'Success' });
    await run('api-key:revoke', account, apiKey.slice(0, 6));
    await refusal('E104');
  });
});
