import type { AddressInfo } from 'node:net';
import bwipjs from 'bwip-js';
import { Job, type JobsOptions, Queue } from 'bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '@mms/config';
import { JobName, MessageStatus, QueueName, jobIdFor } from '@mms/contracts';
import { PrismaService, createPgPool, recordTransition } from '@mms/db';
import { PgImageStore } from '@mms/image-store';
import { jobOptionsFor, redisOptionsFrom } from '@mms/queue';
import { type MessageFixture, createDemoMessage } from '../../../test/fixtures';
import { BarcodeAppModule } from '../../barcode/src/app.module';
import { loadBarcodeConfig } from '../../barcode/src/config/barcode.config';
import { createSimulatorApp } from '../../mmsc-simulator/src/bootstrap';
import { DeliveryAppModule } from '../src/app.module';
import { loadDeliveryConfig } from '../src/config/delivery.config';
import { loadSimulatorConfig } from '../../mmsc-simulator/src/config/simulator.config';

/**
 * What the MM7 integration suites share: the MMSC simulator in-process on a real port with a
 * client for its JSON API, rendered messages as the barcode worker leaves them, and the delivery
 * queue seen from outside (enqueue, wait for a job to finish).
 */

/** GET /api/messages, the fields these suites read. */
export interface SimMessage {
  readonly id: string;
  readonly transactionId: string | null;
  readonly messageId: string | null;
  readonly receivedAt: string;
  readonly from: string | null;
  readonly to: string;
  readonly subject: string | null;
  readonly status: 'accepted' | 'rejected';
  readonly statusCode: number;
  readonly statusText: string;
  readonly details: string | null;
  readonly injected: string | null;
  readonly repeat: boolean;
  readonly repeatOf: string | null;
  readonly mm7Version: string | null;
  readonly deliveryReportRequested: boolean | null;
  readonly allowAdaptations: boolean | null;
  readonly warnings: readonly string[];
  readonly parts: ReadonlyArray<{ index: number; contentType: string; contentId: string | null; size: number }>;
  readonly deliveryReports: ReadonlyArray<{ state: string; mmStatus: string | null; statusCode: number | null; attempts: number }>;
}

/** GET /api/stats. */
export interface SimStats {
  readonly submissions: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly repeats: number;
  readonly unauthorized: number;
  readonly failuresInjected: { total: number; status: number; percent: number; timeout: number; drop: number };
  readonly deliveryReports: { delivered: number; failed: number };
  readonly stored: number;
}

/** POST /api/config fields (any subset). */
export interface SimSettings {
  statusCode?: number | null;
  failurePercent?: number;
  failureStatusCode?: number;
  latencyMs?: number;
  timeoutMs?: number;
  dropPercent?: number;
  errorStyle?: 'rsp' | 'fault';
  dlrUrl?: string | null;
  dlrStatus?: string;
  dlrDelayMs?: number;
  dlrWhen?: 'requested' | 'always' | 'never';
}

export interface Simulator {
  readonly app: NestFastifyApplication;
  readonly base: string;
  /** The MM7 endpoint, for MM7_URL. */
  readonly mm7Url: string;
  configure(settings: SimSettings): Promise<unknown>;
  /** Back to the environment's settings, inbox, TransactionIDs, counters and pending reports cleared. */
  reset(): Promise<void>;
  stats(): Promise<SimStats>;
  /** Every SubmitReq received with this TransactionID, oldest first. */
  messagesOf(transactionId: string): Promise<SimMessage[]>;
  part(id: string, index: number): Promise<{ contentType: string | null; bytes: Buffer }>;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** The simulator as apps/mmsc-simulator/test/simulator.int-spec.ts boots it: in-process, port 0. */
export async function startSimulator(env: Record<string, string>): Promise<Simulator> {
  const app = await createSimulatorApp(loadSimulatorConfig({ LOG_LEVEL: 'error', MMSC_SIM_PORT: '0', ...env }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    app,
    base,
    mm7Url: `${base}/mm7`,
    configure: (settings) =>
      json(`${base}/api/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) }),
    reset: async () => {
      await json(`${base}/api/config`, { method: 'DELETE' });
      await json(`${base}/api/messages`, { method: 'DELETE' });
    },
    stats: () => json<SimStats>(`${base}/api/stats`),
    messagesOf: async (transactionId) =>
      (await json<SimMessage[]>(`${base}/api/messages`)).filter((m) => m.transactionId === transactionId).reverse(),
    part: async (id, index) => {
      const response = await fetch(`${base}/api/messages/${id}/parts/${index}`);
      if (!response.ok) throw new Error(`part ${index} of simulator message ${id}: HTTP ${response.status}`);
      return { contentType: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
    },
  };
}

/** Polls fast (the tests switch the simulator between two attempts of a job): value or timeout. */
export async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A message as the barcode worker leaves it: a scannable QR of its value in the (real, PostgreSQL)
 * image store, RENDERED with the image key and its RENDERED event.
 */
export async function renderedMessage(prisma: PrismaService, fixture: MessageFixture = {}) {
  const message = await createDemoMessage(prisma, fixture);
  const png = await bwipjs.toBuffer({
    bcid: 'qrcode',
    text: message.barcodeValue,
    scale: 4,
    paddingwidth: 8,
    paddingheight: 8,
    backgroundcolor: 'FFFFFF',
  });
  const imageKey = await new PgImageStore(prisma.pool).put(png, 'image/png');
  const { moved } = await recordTransition(prisma.pool, {
    messageId: message.id,
    from: [MessageStatus.Accepted],
    to: MessageStatus.Rendered,
    set: { imageKey },
    detail: { imageKey, via: 'test fixture' },
  });
  if (!moved.has(message.id)) throw new Error(`message ${message.trackingId} did not move to RENDERED`);
  return { message, imageKey, png };
}

/** The run's database through the same client class the apps use; $disconnect ends its pool. */
export function testPrisma(): PrismaService {
  return new PrismaService(createPgPool(process.env.DATABASE_URL as string, 3), { ownsPool: true });
}

/** The delivery queue under a prefix, as a producer (the gateway and the barcode worker) sees it. */
export function deliveryQueue(prefix: string): Queue {
  return new Queue(QueueName.Delivery, { prefix, connection: redisOptionsFrom(process.env.REDIS_URL as string, 'producer') });
}

/** `delivery.submit` exactly as the barcode worker enqueues it, with options overridden for the test. */
export function enqueueSubmit(queue: Queue, trackingId: string, imageKey: string, overrides: Partial<JobsOptions> = {}) {
  return queue.add(JobName.SubmitMms, { trackingId, imageKey }, { ...jobOptionsFor(JobName.SubmitMms, jobIdFor(trackingId)), ...overrides });
}

/** The job once it is completed or failed for good (a retry waiting its backoff is neither). */
export async function finishedJob(queue: Queue, jobId: string, timeoutMs = 15_000): Promise<{ job: Job; state: 'completed' | 'failed' }> {
  return until(
    async () => {
      // The state first: a job read before it finished would carry its old attemptsMade and no result.
      const state = await queue.getJobState(jobId);
      if (state !== 'completed' && state !== 'failed') return undefined;
      const job = await Job.fromId(queue, jobId);
      return job === undefined ? undefined : { job, state };
    },
    timeoutMs,
    `job ${jobId} to finish`,
  );
}

/** The message once it has reached the status, with its events in order. */
export async function messageIn(prisma: PrismaService, id: number, status: MessageStatus, timeoutMs = 15_000) {
  return until(
    async () => {
      const message = await prisma.message.findUniqueOrThrow({ where: { id }, include: { events: { orderBy: { id: 'asc' } } } });
      return message.status === status ? message : undefined;
    },
    timeoutMs,
    `message ${id} to be ${status}`,
  );
}

const REL6 = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';

/** A DeliveryReportReq as an MMSC writes it (TS 23.140 §8.7.5, shared/mm7/examples/deliveryreportreq.xml). */
export function deliveryReportReq(fields: { transactionId: string; messageId: string; recipient: string; mmStatus: string; handset?: string }): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">
  <env:Header>
    <mm7:TransactionID xmlns:mm7="${REL6}" env:mustUnderstand="1">${fields.transactionId}</mm7:TransactionID>
  </env:Header>
  <env:Body>
    <DeliveryReportReq xmlns="${REL6}">
      <MM7Version>6.8.0</MM7Version>
      <MMSRelayServerID>mmsc.example.net</MMSRelayServerID>
      <MessageID>${fields.messageId}</MessageID>
      <Recipient><Number>${fields.recipient}</Number></Recipient>
      <Sender><ShortCode>60856</ShortCode></Sender>
      <Date>2024-05-01T14:03:51Z</Date>
      <MMStatus>${fields.mmStatus}</MMStatus>
      <StatusText>Success</StatusText>${fields.handset === undefined ? '' : `\n      <UACapabilities UAProf="${fields.handset}"/>`}
    </DeliveryReportReq>
  </env:Body>
</env:Envelope>`;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * A delivery worker in-process, as `npm run delivery` builds it, on the run's database and Redis:
 * env overrides the environment (QUEUE_PREFIX at least), LOG_LEVEL error unless given.
 */
export async function startDeliveryWorker(env: Record<string, string>): Promise<INestApplicationContext> {
  const config = loadDeliveryConfig({ ...process.env, LOG_LEVEL: 'error', ...env });
  const app = await NestFactory.createApplicationContext(DeliveryAppModule.forRoot(config), { logger: createLogger('delivery', config.LOG_LEVEL, config.LOG_FORMAT) });
  await app.init();
  return app;
}

/** A barcode worker in-process, as `npm run barcode` builds it (see startDeliveryWorker). */
export async function startBarcodeWorker(env: Record<string, string>): Promise<INestApplicationContext> {
  const config = loadBarcodeConfig({ ...process.env, LOG_LEVEL: 'error', ...env });
  const app = await NestFactory.createApplicationContext(BarcodeAppModule.forRoot(config), { logger: createLogger('barcode', config.LOG_LEVEL, config.LOG_FORMAT) });
  await app.init();
  return app;
}
