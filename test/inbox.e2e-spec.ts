import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createPrismaClient } from '@mms/db';
import { Fleet, REPO_ROOT, startFleet, waitForHttp } from '../scripts/lib/fleet';
import { decodeBarcodes } from './barcode-decoder';
import { launchChromium } from './browser';
import { DOCS_EXAMPLE_REQUEST, responseField } from './docs-examples';
import { type PartnerWorld, createPartnerWorld } from './fixtures';
import { freePort } from './free-port';

/** GET /api/postbacks on the simulator, the fields read here. */
interface CaughtPostback {
  readonly id: number;
  readonly signature: string;
  readonly notices: ReadonlyArray<{ code: string; trackingId: string; status: string; statusDetails: string | null }>;
}

/**
 * The demo as a developer sees it: the whole fleet plus the MMSC simulator as separate processes
 * over real HTTP and MM7, the docs' example sent to the gateway, and the simulator's inbox page
 * opened in headless Chromium, where the message's barcode image shows and scans.
 */
describe('the handset inbox in a browser', () => {
  let fleet: Fleet;
  let browser: Browser;
  let gateway: string;
  let simulator: string;
  let partner: PartnerWorld;
  const output: string[] = [];

  beforeAll(async () => {
    const [gatewayPort, opsPort, simulatorPort] = [await freePort(), await freePort(), await freePort()];
    gateway = `http://127.0.0.1:${gatewayPort}`;
    const gatewayOps = `http://127.0.0.1:${opsPort}`;
    simulator = `http://127.0.0.1:${simulatorPort}`;
    // A partner of this suite's own whose postbacks go to the simulator's dev page (the seed's
    // demo account is shared by every suite, so its postback URL stays as it is).
    const prisma = createPrismaClient(process.env.DATABASE_URL as string, 1);
    partner = await createPartnerWorld(prisma, { url: `${simulator}/postbacks` }).finally(() => prisma.$disconnect());
    fleet = startFleet({
      services: ['mmsc-simulator', 'gateway', 'barcode', 'delivery'],
      env: {
        ...process.env,
        QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}-inbox`,
        GATEWAY_PORT: String(gatewayPort),
        OPS_PORT: String(opsPort),
        MMSC_SIM_PORT: String(simulatorPort),
        MM7_URL: `${simulator}/mm7`,
        MM7_INBOUND_USERNAME: 'mmsc',
        MM7_INBOUND_PASSWORD: 'inbox-test-password',
        MMSC_SIM_DLR_URL: `${gateway}/mm7/delivery-reports`,
        MMSC_SIM_DLR_USERNAME: 'mmsc',
        MMSC_SIM_DLR_PASSWORD: 'inbox-test-password',
        MMSC_SIM_DLR_DELAY_MS: '200',
        MMSC_SIM_POSTBACK_SECRET: partner.postbackSecret,
        POSTBACK_ALLOW_PRIVATE_NETWORKS: 'true',
        LOG_FORMAT: 'json',
      },
      onLine: (service, line) => output.push(`${service}: ${line}`),
    });
    try {
      await Promise.all([waitForHttp(`${gatewayOps}/health/ready`, 45_000), waitForHttp(`${simulator}/api/messages`, 45_000)]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output.slice(-30).join('\n')}`);
    }
    // The Chromium npm installed (@sparticuz/chromium), or Debian's: test/browser.ts.
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await fleet?.stop();
  });

  it('shows the message just sent with its barcode, which scans', async () => {
    const answer = await (
      await fetch(`${gateway}/API/wxml/1.3/index.php`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: DOCS_EXAMPLE_REQUEST })
    ).text();
    expect(responseField(answer, 'STATUS')).toBe('Success');
    const trackingId = responseField(answer, 'TRACKINGID') as string;

    const page = await browser.newPage();
    try {
      // The inbox refreshes itself; reload until the message is there (10 s at most).
      const deadline = Date.now() + 10_000;
      let article = page.locator('article.phone', { hasText: trackingId });
      await page.goto(`${simulator}/`);
      while ((await article.count()) === 0) {
        if (Date.now() > deadline) throw new Error(`message ${trackingId} not in the inbox\n${output.slice(-20).join('\n')}`);
        await page.waitForTimeout(300);
        await page.reload();
        article = page.locator('article.phone', { hasText: trackingId });
      }
      await expect(article.locator('.subject').textContent()).resolves.toBe('Your ticket');
      const image = article.locator('img.media').first();
      await image.waitFor({ state: 'visible' });
      // Really painted by the browser, not just present in the HTML.
      expect(await image.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

      const screenshots = join(REPO_ROOT, 'var', 'screenshots');
      await mkdir(screenshots, { recursive: true });
      const shot = await image.screenshot({ path: join(screenshots, 'inbox-barcode.png') });
      expect(await decodeBarcodes(shot)).toEqual(['Ticket_12345']);
      await page.screenshot({ path: join(screenshots, 'inbox.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  /** The docs' example as the suite's partner sends it (its key, template and database; no campaign). */
  const partnerRequest = (barcode: string) =>
    DOCS_EXAMPLE_REQUEST.replace(/<API_KEY>[^<]*</, `<API_KEY>${partner.apiKey}<`)
      .replace(/<MMSID>[^<]*</, `<MMSID>${partner.templateId}<`)
      .replace(/<DATABASEID>[^<]*</, `<DATABASEID>${partner.databaseId}<`)
      .replace(/<BARCODEID>[^<]*</, `<BARCODEID>${barcode}<`)
      .replace(/\s*<CAMPAIGNREF>[^<]*<\/CAMPAIGNREF>/, '');

  async function send(request: string): Promise<string> {
    const answer = await (await fetch(`${gateway}/API/wxml/1.3/index.php`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: request })).text();
    expect(responseField(answer, 'STATUS')).toBe('Success');
    return responseField(answer, 'TRACKINGID') as string;
  }

  /** The codes the simulator caught for a tracking id, oldest first, once there are `count`. */
  async function caughtCodes(trackingId: string, count: number): Promise<string[]> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const caught = ((await (await fetch(`${simulator}/api/postbacks`)).json()) as CaughtPostback[]).reverse();
      const mine = caught.flatMap((record) => record.notices.filter((n) => n.trackingId === trackingId).map((n) => ({ ...n, signature: record.signature })));
      if (mine.length >= count) {
        expect(mine.map((n) => n.signature)).toEqual(mine.map(() => 'valid'));
        return mine.map((n) => (n.code === 'E101' ? `${n.code} ${n.statusDetails}` : n.code));
      }
      if (Date.now() > deadline) throw new Error(`postbacks of ${trackingId}: ${JSON.stringify(mine)}\n${output.slice(-20).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('shows the partner postbacks on the dev page: N101 then N102 for a sent message, E101 for one the MMSC refuses', async () => {
    const sent = await send(partnerRequest('Ticket_postbacks'));
    expect(await caughtCodes(sent, 2)).toEqual(['N101', 'N102']);

    // The MMSC refuses every SubmitReq with a permanent status: the message fails, the partner hears E101.
    const configure = (body: object) => fetch(`${simulator}/api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await configure({ statusCode: 4004 });
    let refused: string;
    try {
      refused = await send(partnerRequest('Ticket_refused'));
      const [e101] = await caughtCodes(refused, 1);
      expect(e101).toMatch(/^E101 .*4004/);
    } finally {
      await configure({ statusCode: null });
    }

    const page = await browser.newPage();
    try {
      await page.goto(`${simulator}/postbacks?refresh=0`);
      const notice = (code: string, trackingId: string) => page.locator(`article.postback[data-code="${code}"][data-tracking-id="${trackingId}"]`);
      await notice('N102', sent).waitFor({ state: 'visible' });
      await expect(notice('N101', sent).getAttribute('data-signature')).resolves.toBe('valid');
      await expect(notice('E101', refused).locator('.status').textContent()).resolves.toBe('Message Failed');
      // Newest first: the N102 above its N101.
      const codes = await page.locator(`article.postback[data-tracking-id="${sent}"]`).evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-code')));
      expect(codes).toEqual(['N102', 'N101']);
      await page.screenshot({ path: join(REPO_ROOT, 'var', 'screenshots', 'postbacks.png'), fullPage: true });

      // The TRACKINGID leads to the inbox message the MMSC received with it.
      await notice('N101', sent).locator('a.tracking-id').click();
      await page.waitForURL(/\/#message-/);
      const anchor = new URL(page.url()).hash.slice(1);
      await expect(page.locator(`#${anchor}`).textContent()).resolves.toContain(sent);
    } finally {
      await page.close();
    }
  }, 60_000);
});
