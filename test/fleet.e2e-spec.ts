import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { Fleet, startFleet, waitForHttp } from '../scripts/lib/fleet';
import { decodeBarcodes } from './barcode-decoder';
import { DOCS_EXAMPLE_REQUEST, responseField } from './docs-examples';
import { freePort } from './free-port';

/**
 * The whole path on real parts: the three apps as separate processes, real HTTP, the run's
 * PostgreSQL database and Redis prefix. The docs' example goes in; an MMS whose barcode an
 * independent decoder reads comes out in the outbox.
 */
describe('the fleet, end to end', () => {
  let fleet: Fleet;
  let gateway: string;
  let ops: string;
  let outboxDir: string;
  let prisma: PrismaClient;
  const output: string[] = [];

  beforeAll(async () => {
    outboxDir = await mkdtemp(join(tmpdir(), 'mmsgw-outbox-'));
    const [port, opsPort] = [await freePort(), await freePort()];
    gateway = `http://127.0.0.1:${port}`;
    ops = `http://127.0.0.1:${opsPort}`;
    fleet = startFleet({
      env: { ...process.env, GATEWAY_PORT: String(port), OPS_PORT: String(opsPort), OUTBOX_DIR: outboxDir, LOG_FORMAT: 'json', ADMIN_PASSWORD: 'e2e-admin-password' },
      onLine: (service, line) => output.push(`${service}: ${line}`),
    });
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    try {
      await waitForHttp(`${ops}/health/ready`, 45_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output.slice(-30).join('\n')}`);
    }
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await prisma?.$disconnect();
    await rm(outboxDir, { recursive: true, force: true });
  });

  const post = (body: string) =>
    fetch(`${gateway}/API/wxml/1.3/index.php`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });

  it('delivers the docs\' example to the outbox with a barcode that scans as Ticket_12345', async () => {
    const started = Date.now();
    const response = await post(DOCS_EXAMPLE_REQUEST);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    const xml = await response.text();
    expect(responseField(xml, 'STATUS')).toBe('Success');
    expect(responseField(xml, 'MMSID')).toBe('35674');
    expect(responseField(xml, 'TO')).toBe('16501234123');
    const trackingId = responseField(xml, 'TRACKINGID') as string;
    expect(trackingId).toMatch(/^[A-Za-z0-9+/=]+$/);

    const barcodePath = join(outboxDir, trackingId, 'parts', 'barcode.png');
    while (Date.now() - started < 10_000) {
      if (await access(barcodePath).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const image = await readFile(barcodePath).catch(() => {
      throw new Error(`no barcode in the outbox after 10 s\n${output.slice(-30).join('\n')}`);
    });
    expect(await decodeBarcodes(image)).toEqual(['Ticket_12345']);

    const mime = await readFile(join(outboxDir, trackingId, 'message.mime'), 'utf8');
    expect(mime).toContain('To: 16501234123');
    expect(mime).toContain('From: 60856');
    expect(mime).toContain('type="application/smil"');

    const message = await prisma.message.findUniqueOrThrow({
      where: { trackingId },
      include: { events: { orderBy: { id: 'asc' } }, issued: true },
    });
    expect(message.events.map((e) => e.status)).toEqual(['ACCEPTED', 'RENDERED', 'SUBMITTED']);
    expect(message.transport).toBe('outbox');
    expect(message.issued).toMatchObject({ databaseId: 17856, barcodeId: 'Ticket_12345', phone: '16501234123', campaignId: 12333 });
  });

  it('answers E104 to a wrong API key and E620 to a missing MMSID, over real HTTP', async () => {
    const wrongKey = await (await post(DOCS_EXAMPLE_REQUEST.replace('qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ', 'not-a-key'))).text();
    expect(responseField(wrongKey, 'STATUS')).toBe('Failure');
    expect(responseField(wrongKey, 'ERRORCODE')).toBe('E104');
    expect(responseField(wrongKey, 'ERRORINFO')).toBe('User Authentication FAILED');
    expect(responseField(wrongKey, 'TO')).toBe('16501234123');

    const noMmsId = await (await post(DOCS_EXAMPLE_REQUEST.replace(/\s*<MMSID>35674<\/MMSID>/, ''))).text();
    expect(responseField(noMmsId, 'ERRORCODE')).toBe('E620');
    expect(responseField(noMmsId, 'ERRORINFO')).toBe("The 'mmsid' is required");
  });

  it('serves health, metrics and Bull Board behind basic auth on the ops port, only liveness on the partners\' port', async () => {
    expect((await fetch(`${gateway}/health/live`)).status).toBe(200);
    expect((await fetch(`${ops}/health/live`)).status).toBe(200);
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toMatch(/mmsgw_partner_requests_total\{outcome="Success"\} [1-9]/);
    expect((await fetch(`${ops}/admin/queues`)).status).toBe(401);
    const authorization = `Basic ${Buffer.from('admin:e2e-admin-password').toString('base64')}`;
    const board = await fetch(`${ops}/admin/queues`, { headers: { authorization } });
    expect(board.status).toBe(200);
    for (const path of ['/metrics', '/health/ready', '/admin/queues']) {
      expect({ path, status: (await fetch(`${gateway}${path}`, { headers: { authorization } })).status }).toEqual({ path, status: 404 });
    }
  });
});
