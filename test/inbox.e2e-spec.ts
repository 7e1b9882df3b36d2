import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { Fleet, REPO_ROOT, startFleet, waitForHttp } from '../scripts/lib/fleet';
import { decodeBarcodes } from './barcode-decoder';
import { DOCS_EXAMPLE_REQUEST, responseField } from './docs-examples';
import { freePort } from './free-port';

/** Debian's chromium (installed by .ci/run); never a browser a test tool downloads. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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
  const output: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (see .ci/run)`);
    const [gatewayPort, simulatorPort] = [await freePort(), await freePort()];
    gateway = `http://127.0.0.1:${gatewayPort}`;
    simulator = `http://127.0.0.1:${simulatorPort}`;
    fleet = startFleet({
      services: ['mmsc-simulator', 'gateway', 'barcode', 'delivery'],
      env: {
        ...process.env,
        QUEUE_PREFIX: `${process.env.QUEUE_PREFIX}-inbox`,
        GATEWAY_PORT: String(gatewayPort),
        MMSC_SIM_PORT: String(simulatorPort),
        MM7_URL: `${simulator}/mm7`,
        MM7_INBOUND_USERNAME: 'mmsc',
        MM7_INBOUND_PASSWORD: 'inbox-test-password',
        MMSC_SIM_DLR_URL: `${gateway}/mm7/delivery-reports`,
        MMSC_SIM_DLR_USERNAME: 'mmsc',
        MMSC_SIM_DLR_PASSWORD: 'inbox-test-password',
        MMSC_SIM_DLR_DELAY_MS: '200',
        LOG_FORMAT: 'json',
      },
      onLine: (service, line) => output.push(`${service}: ${line}`),
    });
    try {
      await Promise.all([waitForHttp(`${gateway}/health/ready`, 45_000), waitForHttp(`${simulator}/api/messages`, 45_000)]);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output.slice(-30).join('\n')}`);
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
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
});
