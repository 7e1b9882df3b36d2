import { createHash, randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type PrismaClient, createPrismaClient } from '@mms/db';
import { PartnerReceiver } from '../apps/delivery/test/postback-test-kit';
import { Fleet, ServiceName, startFleet, waitForHttp } from '../scripts/lib/fleet';
import { DOCS_EXAMPLE_REQUEST, responseField } from './docs-examples';
import { type PartnerWorld, createPartnerWorld, eventually, suitePrefix, uniquePhone } from './fixtures';
import { freePort } from './free-port';

/** One line a service wrote: its JSON when it was a JSON line. */
interface LogLine {
  readonly service: ServiceName;
  readonly text: string;
  readonly json?: { readonly level?: string; readonly message?: unknown; readonly context?: string; readonly requestId?: string };
}

/** An HTTP peer in front of the MMSC simulator's MM7 endpoint: records each request's headers, passes it on. */
class Mm7Tap {
  readonly requests: IncomingHttpHeaders[] = [];
  private readonly server: Server;
  url = '';

  constructor(target: () => string) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requests.push(req.headers);
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && !['host', 'connection', 'content-length'].includes(e[0])),
        );
        fetch(target(), { method: 'POST', headers, body: Buffer.concat(chunks) }).then(
          async (answer) => res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/xml' }).end(Buffer.from(await answer.arrayBuffer())),
          () => res.destroy(),
        );
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/mm7`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Observability on the whole fleet: gateway, barcode, delivery and the MMSC simulator as separate
 * processes over real HTTP and MM7, LOG_LEVEL=debug, every line they write kept. One partner
 * request's id is followed from the gateway's access line through the barcode and delivery jobs
 * to the SubmitReq and the postbacks; each worker's ops port answers with the fleet's metrics;
 * and no line shows an API key, a password (or its md5) or a whole phone number.
 */
describe('observability of the fleet (processes, real HTTP and MM7)', () => {
  const prefix = suitePrefix('observability');
  const MM7_PASSWORD = `mm7-${randomBytes(6).toString('hex')}`;
  const INBOUND_PASSWORD = `dlr-${randomBytes(6).toString('hex')}`;
  const DEMO_API_KEY = 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ';
  const LEGACY_PASSWORD = 'legacy-pass';
  const LEGACY_MD5 = createHash('md5').update(LEGACY_PASSWORD).digest('hex');
  const lines: LogLine[] = [];
  const phones: string[] = ['16501234123'];
  let fleet: Fleet;
  let prisma: PrismaClient;
  let partner: PartnerWorld;
  let receiver: PartnerReceiver;
  let tap: Mm7Tap;
  let gateway: string;
  let simulator: string;
  let gatewayOps: string;
  let barcodeOps: string;
  let deliveryOps: string;

  const tail = (n = 40) => lines.slice(-n).map((l) => `${l.service}: ${l.text}`).join('\n');

  beforeAll(async () => {
    const [gatewayPort, opsPort, simulatorPort, barcodePort, deliveryPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    gateway = `http://127.0.0.1:${gatewayPort}`;
    gatewayOps = `http://127.0.0.1:${opsPort}`;
    simulator = `http://127.0.0.1:${simulatorPort}`;
    barcodeOps = `http://127.0.0.1:${barcodePort}`;
    deliveryOps = `http://127.0.0.1:${deliveryPort}`;
    receiver = await new PartnerReceiver().start();
    tap = await new Mm7Tap(() => `${simulator}/mm7`).start();
    prisma = createPrismaClient(process.env.DATABASE_URL as string, 2);
    partner = await createPartnerWorld(prisma, { url: `${receiver.base}/postbacks` });
    fleet = startFleet({
      services: ['mmsc-simulator', 'gateway', 'barcode', 'delivery'],
      env: {
        ...process.env,
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
        GATEWAY_PORT: String(gatewayPort),
        OPS_PORT: String(opsPort),
        MMSC_SIM_PORT: String(simulatorPort),
        BARCODE_OPS_PORT: String(barcodePort),
        DELIVERY_OPS_PORT: String(deliveryPort),
        MM7_URL: tap.url,
        MM7_USERNAME: 'mmsgw',
        MM7_PASSWORD,
        MM7_INBOUND_USERNAME: 'mmsc',
        MM7_INBOUND_PASSWORD: INBOUND_PASSWORD,
        MMSC_SIM_DLR_URL: `${gateway}/mm7/delivery-reports`,
        MMSC_SIM_DLR_USERNAME: 'mmsc',
        MMSC_SIM_DLR_PASSWORD: INBOUND_PASSWORD,
        MMSC_SIM_DLR_DELAY_MS: '200',
        POSTBACK_ALLOW_PRIVATE_NETWORKS: 'true',
        POSTBACK_BUNDLE_WINDOW_MS: '0',
        // This suite's own sweeps only: the outbox of other suites is theirs.
        OUTBOX_SWEEP_INTERVAL_MS: '600000',
        RECONCILE_INTERVAL_MS: '3600000',
      },
      onLine: (service, text) => {
        let json: LogLine['json'];
        try {
          json = JSON.parse(text) as LogLine['json'];
        } catch {
          json = undefined;
        }
        lines.push({ service, text, json });
      },
    });
    try {
      await Promise.all(
        [`${gatewayOps}/health/ready`, `${simulator}/api/messages`, `${barcodeOps}/health/ready`, `${deliveryOps}/health/ready`].map((url) => waitForHttp(url, 60_000)),
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${tail()}`);
    }
  }, 90_000);

  afterAll(async () => {
    await fleet?.stop();
    await receiver?.close();
    await tap?.close();
    await prisma?.$disconnect();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway}/API/wxml/1.3/index.php`, { method: 'POST', headers: { 'content-type': 'text/xml', ...headers }, body });

  /** A sendMMSBarcode to a fresh number (remembered for the log grep). */
  const requestXml = (fields: Record<string, string>) => {
    const to = uniquePhone();
    phones.push(to);
    const all = { ACTION: 'sendMMSBarcode', TO: to, FROM: '60856', BARCODEID: `Obs_${randomBytes(4).toString('hex')}`, ...fields };
    return `<REQUEST>${Object.entries(all)
      .map(([name, value]) => `<${name}>${value}</${name}>`)
      .join('')}</REQUEST>`;
  };
  const partnerXml = () => requestXml({ API_KEY: partner.apiKey, MMSID: String(partner.templateId), DATABASEID: String(partner.databaseId) });

  const waitForStatus = (trackingId: string, status: string) =>
    eventually(
      async () => {
        const message = await prisma.message.findUnique({ where: { trackingId } });
        return message?.status === status ? message : undefined;
      },
      20_000,
      `${trackingId} ${status}\n${tail()}`,
    );

  const linesOf = (service: ServiceName, requestId: string) => lines.filter((l) => l.service === service && l.json?.requestId === requestId).map((l) => String(l.json?.message));

  const scrape = async (base: string) => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };
  /** The value of one sample of a scrape (undefined: no such sample). */
  const sample = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  let traced: { requestId: string; trackingId: string };

  it('carries one request id from the access line through every job, the SubmitReq and the postbacks', async () => {
    const requestId = `obs-${randomBytes(8).toString('hex')}`;
    const answer = await post(partnerXml(), { 'x-request-id': requestId });
    expect(answer.headers.get('x-request-id')).toBe(requestId);
    const xml = await answer.text();
    expect(responseField(xml, 'STATUS')).toBe('Success');
    const trackingId = responseField(xml, 'TRACKINGID') as string;
    traced = { requestId, trackingId };

    const message = await waitForStatus(trackingId, 'DELIVERED');
    expect(message.requestId).toBe(requestId);
    const postbacks = await eventually(async () => {
      const got = receiver.on('/postbacks');
      return got.length >= 2 ? got : undefined;
    }, 15_000, `N101 and N102\n${tail()}`);

    // The gateway's access line: action, result, duration, the request id.
    expect(linesOf('gateway', requestId)).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`action=sendMMSBarcode result=Success trackingId=${escape(trackingId)} to=\\S+ durationMs=\\d+(\\.\\d+)?$`))]),
    );
    expect(linesOf('barcode', requestId)).toEqual(expect.arrayContaining([expect.stringContaining(`rendered ${trackingId}`)]));
    await eventually(async () => (linesOf('delivery', requestId).some((l) => l.startsWith('postback')) ? true : undefined), 10_000, 'postback log line');
    const delivery = linesOf('delivery', requestId);
    expect(delivery).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`submitted ${trackingId}`),
        expect.stringMatching(new RegExp(`delivery report \\d+ \\(Retrieved\\) for ${escape(trackingId)}: now DELIVERED`)),
        expect.stringMatching(/^postback \S+ acknowledged/),
        expect.stringMatching(new RegExp(`^composed ${escape(trackingId)}: \\d+ parts`)),
      ]),
    );
    expect(tap.requests.filter((h) => h['x-request-id'] === requestId)).toHaveLength(1);
    expect(postbacks.map((p) => p.headers['x-request-id'])).toEqual([requestId, requestId]);
  });

  it('makes a request id when the partner sends none (or a bad one), answers it and keeps it with the message', async () => {
    for (const header of [undefined, 'has spaces in it']) {
      const answer = await post(partnerXml(), header === undefined ? {} : { 'x-request-id': header });
      const requestId = answer.headers.get('x-request-id') as string;
      expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const trackingId = responseField(await answer.text(), 'TRACKINGID') as string;
      expect((await waitForStatus(trackingId, 'DELIVERED')).requestId).toBe(requestId);
      expect(linesOf('gateway', requestId)).toEqual([expect.stringContaining('result=Success')]);
    }
    // A refused request has its access line too.
    const refused = await post(requestXml({ API_KEY: 'not-a-key-at-all', MMSID: '35674', DATABASEID: '17856' }), { 'x-request-id': 'obs-refused-1' });
    expect(refused.headers.get('x-request-id')).toBe('obs-refused-1');
    expect(linesOf('gateway', 'obs-refused-1')).toEqual([expect.stringMatching(/action=sendMMSBarcode result=E104 to=\S+ durationMs=/)]);
  });

  it('counts a message the MMSC refuses for good as FAILED, and its SubmitReq by status code', async () => {
    await fetch(`${simulator}/api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ statusCode: 2001 }) });
    try {
      const answer = await post(partnerXml(), { 'x-request-id': 'obs-refused-by-mmsc' });
      const trackingId = responseField(await answer.text(), 'TRACKINGID') as string;
      await waitForStatus(trackingId, 'FAILED');
      await eventually(async () => (linesOf('delivery', 'obs-refused-by-mmsc').some((l) => /failed \(attempt \d+, final\)/.test(l)) ? true : undefined), 10_000, 'failure line');
    } finally {
      await fetch(`${simulator}/api/config`, { method: 'DELETE' });
    }
  });

  it('serves each worker\'s /metrics and /health on its own port', async () => {
    for (const ops of [barcodeOps, deliveryOps]) {
      expect((await fetch(`${ops}/health/live`)).status).toBe(200);
      const ready = await fetch(`${ops}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', postgres: 'up' });
      expect((await fetch(`${ops}/nothing-here`)).status).toBe(404);
    }
    expect(await (await fetch(`${barcodeOps}/health/ready`)).json()).toMatchObject({ 'worker barcode': 'running' });
    expect(await (await fetch(`${deliveryOps}/health/ready`)).json()).toMatchObject({
      'worker delivery': 'running',
      'worker delivery-report': 'running',
      'worker postback': 'running',
    });

    const barcode = await scrape(barcodeOps);
    // Four messages so far: three delivered, one refused by the MMSC.
    expect(sample(barcode, 'mmsgw_job_duration_seconds_count{queue="barcode",job_name="barcode.render",outcome="completed"}')).toBeGreaterThanOrEqual(4);
    expect(barcode).toMatch(/^process_cpu_user_seconds_total /m);

    const delivery = await scrape(deliveryOps);
    expect(sample(delivery, 'mmsgw_job_duration_seconds_count{queue="delivery",job_name="delivery.submit",outcome="completed"}')).toBeGreaterThanOrEqual(3);
    expect(sample(delivery, 'mmsgw_job_duration_seconds_count{queue="delivery",job_name="delivery.submit",outcome="failed"}')).toBe(1);
    expect(sample(delivery, 'mmsgw_job_duration_seconds_count{queue="delivery-report",job_name="delivery.report",outcome="completed"}')).toBeGreaterThanOrEqual(1);
    expect(sample(delivery, 'mmsgw_job_duration_seconds_count{queue="postback",job_name="postback.send",outcome="completed"}')).toBeGreaterThanOrEqual(2);
    expect(sample(delivery, 'mmsgw_mm7_submissions_total{connector="default",status_code="1000"}')).toBeGreaterThanOrEqual(3);
    expect(sample(delivery, 'mmsgw_mm7_submissions_total{connector="default",status_code="2001"}')).toBe(1);
    expect(sample(delivery, 'mmsgw_mm7_submit_seconds_count{connector="default"}')).toBeGreaterThanOrEqual(4);
    expect(sample(delivery, 'mmsgw_delivery_reports_total{mm_status="Retrieved",outcome="final"}')).toBeGreaterThanOrEqual(1);
  });

  it('serves the fleet-wide series on the gateway: queues, outbox, final statuses, postback attempts', async () => {
    // The docs' example and a legacy login go through too (the log grep wants their secrets tried).
    const docs = await (await post(DOCS_EXAMPLE_REQUEST)).text();
    expect(responseField(docs, 'STATUS')).toBe('Success');
    const legacy = await (await post(requestXml({ USER: 'legacy', PASS: LEGACY_MD5, MMSID: '35694', DATABASEID: '17859' }))).text();
    expect(responseField(legacy, 'STATUS')).toBe('Success');
    await waitForStatus(responseField(docs, 'TRACKINGID') as string, 'DELIVERED');
    await waitForStatus(responseField(legacy, 'TRACKINGID') as string, 'DELIVERED');

    let last = '';
    const text = await eventually(async () => {
      const scraped = await scrape(gatewayOps);
      const settled =
        (sample(scraped, 'mmsgw_postback_attempts_total{outcome="ACKNOWLEDGED"}') ?? 0) >= 7 &&
        (sample(scraped, 'mmsgw_messages_final_total{status="DELIVERED"}') ?? 0) >= 5;
      last = scraped;
      return settled ? scraped : undefined;
    }, 15_000, 'every message delivered and its postbacks acknowledged').catch((error: Error) => {
      throw new Error(`${error.message}\n${last.split('\n').filter((l) => /^mmsgw_(messages|postback)/.test(l)).join('\n')}\n${tail()}`);
    });
    for (const queue of ['barcode', 'delivery', 'delivery-report', 'postback']) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        expect(sample(text, `mmsgw_queue_jobs{queue="${queue}",state="${state}"}`)).toBeGreaterThanOrEqual(0);
      }
    }
    // The refused message's submit job failed for good and is kept in view.
    expect(sample(text, 'mmsgw_queue_jobs{queue="delivery",state="failed"}')).toBe(1);
    expect(sample(text, 'mmsgw_outbox_rows{state="waiting"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'mmsgw_outbox_rows{state="set_aside"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'mmsgw_outbox_oldest_waiting_seconds')).toBeGreaterThanOrEqual(0);
    // This suite's prefix counts this suite's messages: 5 delivered (3 partner, docs, legacy), 1 failed.
    expect(sample(text, 'mmsgw_messages_final_total{status="DELIVERED"}')).toBe(5);
    expect(sample(text, 'mmsgw_messages_final_total{status="FAILED"}')).toBe(1);
    expect(sample(text, 'mmsgw_messages_final_total{status="EXPIRED"}')).toBe(0);
    // N101 + N102 for 3 partner messages, E101 for the refused one (the demo and legacy accounts have no postback URL here).
    expect(sample(text, 'mmsgw_postback_attempts_total{outcome="ACKNOWLEDGED"}')).toBe(7);
    expect(sample(text, 'mmsgw_partner_requests_total{outcome="Success"}')).toBe(6);
    expect(sample(text, 'mmsgw_partner_requests_total{outcome="E104"}')).toBe(1);
    expect(sample(text, 'mmsgw_partner_request_seconds_count')).toBe(7);
  });

  it('never logs an API key, a password or its md5, or a whole phone number (LOG_LEVEL=debug, every line)', () => {
    // The MMSC simulator's lines too: it is a dev peer, but its log is read beside ours.
    const fleetLines = lines;
    expect(fleetLines.length).toBeGreaterThan(30);
    expect(fleetLines.some((l) => l.json?.level === 'debug')).toBe(true);
    // Every line is a JSON line.
    expect(fleetLines.filter((l) => l.json === undefined).map((l) => l.text)).toEqual([]);
    const secrets = [DEMO_API_KEY, partner.apiKey, 'not-a-key-at-all', LEGACY_PASSWORD, LEGACY_MD5, MM7_PASSWORD, INBOUND_PASSWORD, partner.postbackSecret, ...phones];
    const leaks = fleetLines.flatMap((l) => secrets.filter((secret) => l.text.includes(secret)).map((secret) => `${l.service} shows ${secret}: ${l.text}`));
    expect(leaks).toEqual([]);
    // The numbers did reach the logs, masked.
    expect(fleetLines.some((l) => l.text.includes(`to=${phones[1]?.slice(0, 2)}`))).toBe(true);
    expect(traced.requestId).toMatch(/^obs-/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
