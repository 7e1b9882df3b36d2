import { createHash, randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { JobName, MessageStatus, QueueName } from '@mms/contracts';
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { redisOptionsFrom } from '@mms/queue';
import { DEMO_DATABASE_ID, seedDevWorld } from '../../../prisma/seed-world';
import { runAdmin } from '../../../scripts/admin/cli';
import { createDemoMessage, eventually, suitePrefix } from '../../../test/fixtures';
import { freePort } from '../../../test/free-port';
import { createMigratedDatabase, dropDatabase } from '../../../test/test-database';
import { RETENTION_LOCK, RetentionPass, RetentionSummary } from '../src/retention/retention.pass';
import { GatewayHarness, startGateway } from './gateway-harness';

/**
 * Retention on real PostgreSQL and Redis, in a database of its own: a pass deletes whatever is old
 * enough in its database, so it must not meet the rows other suites age for their own tests.
 * Rows are aged with SQL, as if written that many days ago.
 */
const RETENTION_ENV = {
  // Only the explicit passes below run.
  RETENTION_INTERVAL_MS: '86400000',
  RETENTION_MESSAGES_DAYS: '90',
  RETENTION_SUBMITTED_DAYS: '180',
  RETENTION_EVENTS_DAYS: '30',
  RETENTION_DELIVERY_REPORTS_DAYS: '30',
  RETENTION_IMAGES_DAYS: '30',
  RETENTION_JOBS_HOURS: '24',
};
const HOUR_MS = 3_600_000;

/** Everything a message of the fleet has about it once it went all the way. */
interface MessageWorld {
  readonly id: number;
  readonly trackingId: string;
  readonly imageKey: string;
  readonly valueHash: string;
}

describe('gateway: retention (real PostgreSQL and Redis)', () => {
  const prefix = suitePrefix('retention');
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL as string;
  const databaseName = `${process.env.TEST_DATABASE_NAME as string}_retention`;
  let databaseUrl: string;
  let gateway: GatewayHarness;
  let prisma: PrismaClient;
  let pass: RetentionPass;

  beforeAll(async () => {
    databaseUrl = await createMigratedDatabase(serverUrl, databaseName);
    prisma = createPrismaClient(databaseUrl, 2);
    await seedDevWorld(prisma, null);
    gateway = await startGateway({ ...RETENTION_ENV, DATABASE_URL: databaseUrl, QUEUE_PREFIX: prefix });
    pass = gateway.app.get(RetentionPass);
  });

  afterAll(async () => {
    await gateway?.close();
    await prisma?.$disconnect();
    await dropDatabase(serverUrl, databaseName);
  });

  const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

  async function storeImage(): Promise<string> {
    const bytes = randomBytes(64);
    const key = sha256(bytes);
    await prisma.storedImage.create({ data: { key, contentType: 'image/png', bytes, byteSize: bytes.length } });
    return key;
  }

  /** A message in `status` with its image, render-cache row, issuance, events, a postback with an attempt and a delivery report. */
  async function messageWith(status: MessageStatus, postback: 'DELIVERED' | 'PENDING' = 'DELIVERED'): Promise<MessageWorld> {
    const imageKey = await storeImage();
    const message = await createDemoMessage(prisma, { status, imageKey });
    const valueHash = sha256(message.barcodeValue);
    const { settingsVersion } = await prisma.barcodeDatabase.findUniqueOrThrow({ where: { id: DEMO_DATABASE_ID } });
    await prisma.renderedBarcode.create({ data: { databaseId: DEMO_DATABASE_ID, settingsVersion, valueHash, imageKey, width: 10, height: 10, modulePx: 1 } });
    await prisma.issuedBarcode.create({
      data: { databaseId: DEMO_DATABASE_ID, barcodeId: message.barcodeValue, phone: message.toNumber, messageId: message.id, trackingId: message.trackingId, imageKey },
    });
    await prisma.messageEvent.create({ data: { messageId: message.id, status, detail: { test: 'retention' } } });
    await prisma.postback.create({
      data: {
        messageId: message.id,
        accountId: message.accountId,
        code: 'N102',
        occurredAt: new Date(),
        state: postback,
        attemptLog: { create: { number: 1, startedAt: new Date(), outcome: postback === 'DELIVERED' ? 'ACKNOWLEDGED' : 'TIMEOUT' } },
      },
    });
    await prisma.deliveryReport.create({
      data: { connector: 'default', mmscMessageId: `mmsc-${message.id}`, mmStatus: 'Retrieved', processedAt: new Date(), messageId: message.id },
    });
    return { id: message.id, trackingId: message.trackingId, imageKey, valueHash };
  }

  /** Everything about the message as if it happened `days` ago. */
  async function age(world: MessageWorld, days: number): Promise<void> {
    const ago = `(now() AT TIME ZONE 'UTC') - make_interval(days => ${days})`;
    await prisma.$executeRawUnsafe(`UPDATE messages SET created_at = ${ago}, updated_at = ${ago} WHERE id = $1`, world.id);
    await prisma.$executeRawUnsafe(`UPDATE message_events SET at = ${ago} WHERE message_id = $1`, world.id);
    await prisma.$executeRawUnsafe(`UPDATE delivery_reports SET received_at = ${ago} WHERE message_id = $1`, world.id);
    await ageImage(world.imageKey, days);
  }

  async function ageImage(key: string, days: number): Promise<void> {
    await prisma.$executeRawUnsafe(`UPDATE stored_images SET created_at = (now() AT TIME ZONE 'UTC') - make_interval(days => ${days}) WHERE key = $1`, key);
  }

  /** What is left of a message's world, per table. */
  async function leftOf(world: MessageWorld) {
    const [messages, events, postbacks, attempts, reports, images, cacheRows, issued] = await Promise.all([
      prisma.message.count({ where: { id: world.id } }),
      prisma.messageEvent.count({ where: { messageId: world.id } }),
      prisma.postback.count({ where: { messageId: world.id } }),
      prisma.postbackAttempt.count({ where: { postback: { messageId: world.id } } }),
      prisma.deliveryReport.count({ where: { mmscMessageId: `mmsc-${world.id}` } }),
      prisma.storedImage.count({ where: { key: world.imageKey } }),
      prisma.renderedBarcode.count({ where: { imageKey: world.imageKey } }),
      prisma.issuedBarcode.findMany({ where: { trackingId: world.trackingId }, select: { messageId: true } }),
    ]);
    return { messages, events, postbacks, attempts, reports, images, cacheRows, issued };
  }

  const whole = (world: MessageWorld, events = 2) => ({
    messages: 1,
    events,
    postbacks: 1,
    attempts: 1,
    reports: 1,
    images: 1,
    cacheRows: 1,
    issued: [{ messageId: world.id }],
  });

  const retiredDebits = async () => (await prisma.retiredDebit.aggregate({ _sum: { messages: true } }))._sum.messages ?? 0;

  it('deletes finished messages past RETENTION_MESSAGES_DAYS with all that hangs off them, keeping the issuance and counting the debit', async () => {
    const finished = await Promise.all([MessageStatus.Delivered, MessageStatus.Expired, MessageStatus.Rejected, MessageStatus.Failed].map((s) => messageWith(s)));
    for (const world of finished) await age(world, 100);
    const debitsBefore = await retiredDebits();

    const summary = await pass.retainOnce();

    expect(summary).toMatchObject({ ran: true, messages: 4, submitted: 0, errors: [] });
    for (const world of finished) {
      expect(await leftOf(world)).toEqual({ messages: 0, events: 0, postbacks: 0, attempts: 0, reports: 0, images: 0, cacheRows: 0, issued: [{ messageId: null }] });
    }
    expect((await retiredDebits()) - debitsBefore).toBe(4);
    // The operator's credit report still counts their debits.
    let report = '';
    expect(await runAdmin(['credits:show', 'demo'], { out: (text) => (report += text), err: (text) => (report += text) }, databaseUrl)).toBe(0);
    expect(report).toMatch(/^ {2}taken \(one per accepted message\): 0 in the last 24 hours, 0 in the last 30 days, 4 in all \(4 of them by messages since deleted by retention\)$/m);
  });

  it('never touches a message in flight, however old, nor one whose postback is still being sent, nor a recent finished one', async () => {
    const inFlight = await Promise.all([MessageStatus.Accepted, MessageStatus.Rendered, MessageStatus.Submitted].map((s) => messageWith(s)));
    for (const world of inFlight) await age(world, 170);
    const notifying = await messageWith(MessageStatus.Delivered, 'PENDING');
    await age(notifying, 100);
    const recent = await messageWith(MessageStatus.Delivered);
    await age(recent, 10);

    await pass.retainOnce();

    // The in-flight messages' events are old enough for RETENTION_EVENTS_DAYS too: kept all the same.
    for (const world of [...inFlight, notifying]) expect(await leftOf(world)).toEqual(whole(world));
    expect(await leftOf(recent)).toEqual(whole(recent));
  });

  it('deletes a message still SUBMITTED past RETENTION_SUBMITTED_DAYS: its report is never coming', async () => {
    const forgotten = await messageWith(MessageStatus.Submitted);
    await age(forgotten, 200);

    const summary = await pass.retainOnce();

    expect(summary.submitted).toBe(1);
    expect(await leftOf(forgotten)).toMatchObject({ messages: 0, events: 0, postbacks: 0, images: 0, issued: [{ messageId: null }] });
  });

  it("deletes the events of a finished message past RETENTION_EVENTS_DAYS before the message itself, and an applied report's row", async () => {
    const finished = await messageWith(MessageStatus.Delivered);
    await age(finished, 50);
    const unapplied = await prisma.deliveryReport.create({ data: { connector: 'default', mmscMessageId: 'never-applied', mmStatus: 'Retrieved' } });
    await prisma.$executeRaw`UPDATE delivery_reports SET received_at = (now() AT TIME ZONE 'UTC') - interval '50 days' WHERE id = ${unapplied.id}`;

    const summary = await pass.retainOnce();

    expect(summary.events).toBeGreaterThanOrEqual(2);
    expect(await leftOf(finished)).toEqual({ ...whole(finished, 0), reports: 0 });
    // An unapplied report is a job's work (or an operator's, once that job gave up).
    expect(await prisma.deliveryReport.count({ where: { id: unapplied.id } })).toBe(1);
  });

  it('deletes an old image nothing needs, with its cache rows; keeps one a kept message, a template or an ACCEPTED render needs, and a young one', async () => {
    const orphan = await storeImage();
    await ageImage(orphan, 40);
    await prisma.renderedBarcode.create({ data: { databaseId: DEMO_DATABASE_ID, settingsVersion: 1, valueHash: sha256(orphan), imageKey: orphan, width: 1, height: 1, modulePx: 1 } });
    const young = await storeImage();
    // A kept message's image, older than RETENTION_IMAGES_DAYS.
    const recent = await messageWith(MessageStatus.Delivered);
    await age(recent, 10);
    await ageImage(recent.imageKey, 40);
    // A template slide's media.
    const media = await storeImage();
    await ageImage(media, 400);
    await prisma.mmsTemplate.create({
      data: { id: 990_001, accountId: (await prisma.account.findUniqueOrThrow({ where: { name: 'demo' } })).id, name: 'retention', subject: 'kept', slides: { create: { position: 1, media: 'IMAGE', mediaContentType: 'image/png', mediaKey: media } } },
    });
    // The cache row an ACCEPTED message's render job is looking up: that job may record the image any moment.
    const rendering = await createDemoMessage(prisma, { status: MessageStatus.Accepted });
    const cached = await storeImage();
    await ageImage(cached, 40);
    const { settingsVersion } = await prisma.barcodeDatabase.findUniqueOrThrow({ where: { id: DEMO_DATABASE_ID } });
    await prisma.renderedBarcode.create({
      data: { databaseId: DEMO_DATABASE_ID, settingsVersion, valueHash: sha256(rendering.barcodeValue), imageKey: cached, width: 1, height: 1, modulePx: 1 },
    });

    const summary = await pass.retainOnce();

    expect(summary.images).toBeGreaterThanOrEqual(1);
    expect(await prisma.storedImage.count({ where: { key: orphan } })).toBe(0);
    expect(await prisma.renderedBarcode.count({ where: { imageKey: orphan } })).toBe(0);
    expect(await prisma.storedImage.count({ where: { key: { in: [young, recent.imageKey, media, cached] } } })).toBe(4);
    expect(await prisma.renderedBarcode.count({ where: { imageKey: cached } })).toBe(1);
    expect(await leftOf(recent)).toEqual(whole(recent));
  });

  it('cleans completed and failed jobs finished past RETENTION_JOBS_HOURS on every queue, never a waiting one', async () => {
    const connection = redisOptionsFrom(process.env.REDIS_URL as string, 'producer');
    const queue = new Queue(QueueName.Postback, { prefix, connection });
    const redis = new Redis(process.env.REDIS_URL as string);
    try {
      const add = (postbackId: number) => queue.add(JobName.SendPostback, { postbackId }, { jobId: `postback-${postbackId}`, attempts: 1 });
      await add(1);
      await add(2);
      await add(3);
      const worker = new Worker(QueueName.Postback, async (job) => {
        if (job.id === 'postback-2') throw new Error('the partner is away');
        return 'sent';
      }, { prefix, connection: redisOptionsFrom(process.env.REDIS_URL as string, 'worker') });
      await eventually(async () => {
        const { completed, failed } = await queue.getJobCounts('completed', 'failed');
        return completed === 2 && failed === 1 ? true : undefined;
      });
      await worker.close();
      // postback-1 completed and postback-2 failed two days ago; postback-3 completed just now.
      const twoDaysAgo = Date.now() - 48 * HOUR_MS;
      await redis.zadd(`${prefix}:${QueueName.Postback}:completed`, 'XX', twoDaysAgo, 'postback-1');
      await redis.zadd(`${prefix}:${QueueName.Postback}:failed`, 'XX', twoDaysAgo, 'postback-2');
      await add(4);

      const summary = await pass.retainOnce();

      expect(summary).toMatchObject({ ran: true, jobs: 2, errors: [] });
      const left = async (id: string) => (await queue.getJob(id)) === undefined ? 'gone' : await queue.getJobState(id);
      expect([await left('postback-1'), await left('postback-2'), await left('postback-3'), await left('postback-4')]).toEqual(['gone', 'gone', 'completed', 'waiting']);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });

  it('deletes nothing more on a second pass', async () => {
    await pass.retainOnce();
    const summary = await pass.retainOnce();
    expect(summary).toEqual<RetentionSummary>({ ran: true, messages: 0, submitted: 0, events: 0, deliveryReports: 0, images: 0, cacheRows: 0, jobs: 0, errors: [] });
  });

  it('does nothing while another gateway holds the retention lock', async () => {
    const finished = await messageWith(MessageStatus.Failed);
    await age(finished, 100);
    const other = new Client({ connectionString: databaseUrl });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK]);
      expect(await pass.retainOnce()).toMatchObject({ ran: false, messages: 0, errors: [] });
      expect(await leftOf(finished)).toMatchObject({ messages: 1 });
    } finally {
      await other.end();
    }
    expect(await pass.retainOnce()).toMatchObject({ ran: true, messages: 1 });
  });

  it('still applies the database steps with Redis away, and reports the jobs step as failed instead of throwing', async () => {
    const cutOff = await startGateway({ ...RETENTION_ENV, DATABASE_URL: databaseUrl, QUEUE_PREFIX: prefix, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      const finished = await messageWith(MessageStatus.Delivered);
      await age(finished, 100);

      const summary = await cutOff.app.get(RetentionPass).retainOnce();

      expect(summary).toMatchObject({ ran: true, messages: 1, errors: [expect.stringMatching(/^jobs: /)] });
      expect(await leftOf(finished)).toMatchObject({ messages: 0, images: 0 });
    } finally {
      await cutOff.close();
    }
  });
});
