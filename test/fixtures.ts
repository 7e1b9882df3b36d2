import { createHash, randomBytes, randomInt } from 'node:crypto';
import { MessageStatus, trackingIdOf } from '@mms/contracts';
import type { NewMessage, Prisma, PrismaClient } from '@mms/db';

/** A BullMQ prefix of this test run, one per suite so suites' workers never take each other's jobs. */
export function suitePrefix(suite: string): string {
  const base = process.env.QUEUE_PREFIX;
  if (!base?.startsWith('mmsgw-test-')) throw new Error('QUEUE_PREFIX is not a test prefix: run through jest (global setup)');
  return `${base}-${suite}`;
}

/** A phone number no other test uses (the demo campaign's subscriber is left alone). */
export function uniquePhone(): string {
  return `1650${randomInt(1_000_000, 9_999_999)}`;
}

export interface MessageFixture {
  readonly databaseId?: number;
  readonly barcodeValue?: string;
  readonly status?: MessageStatus;
  readonly imageKey?: string | null;
  readonly customTexts?: Array<{ slide: string; value: string }>;
  readonly mergeData?: Record<string, string>;
  readonly customSubject?: string | null;
}

/**
 * A message of the demo account as the gateway records it (row + ACCEPTED event), for worker
 * tests that start after the gateway's part.
 */
export async function createDemoMessage(prisma: PrismaClient, fixture: MessageFixture = {}) {
  const [{ id }] = await prisma.$queryRaw<[{ id: bigint }]>`SELECT nextval(pg_get_serial_sequence('messages', 'id')) AS id`;
  const messageId = Number(id);
  const account = await prisma.account.findUniqueOrThrow({ where: { name: 'demo' } });
  const data: Prisma.MessageUncheckedCreateInput = {
    id: messageId,
    trackingId: trackingIdOf(messageId),
    accountId: account.id,
    templateId: 35674,
    databaseId: fixture.databaseId ?? 17856,
    barcodeValue: fixture.barcodeValue ?? `Ticket_${messageId}`,
    toNumber: uniquePhone(),
    requestedFrom: '60856',
    senderCode: '60856',
    customSubject: fixture.customSubject ?? null,
    customTexts: fixture.customTexts ?? [],
    mergeData: fixture.mergeData ?? {},
    status: fixture.status ?? 'ACCEPTED',
    imageKey: fixture.imageKey ?? null,
    events: { create: { status: 'ACCEPTED', detail: { via: 'test fixture' } } },
  };
  return prisma.message.create({ data });
}

/** Polls until the check returns a value (not undefined), or throws after the timeout. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A message as the gateway's checks pass it to the ledger: the docs' example, to a fresh number. */
export function newMessageFixture(accountId: number, overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    accountId,
    templateId: 35674,
    databaseId: 17856,
    barcodeValue: `Ticket_${randomInt(1_000_000, 9_999_999)}`,
    toNumber: uniquePhone(),
    toCountry: 'US',
    requestedFrom: '60856',
    senderCode: '60856',
    campaignId: null,
    customSubject: null,
    customTexts: [],
    mergeData: {},
    device: null,
    ddmTitle: null,
    ddmText: null,
    ddmTimeoutMinutes: null,
    via: 'test fixture',
    ...overrides,
  };
}

/** A partner of its own (for suites that change account settings the seed world shares). */
export interface PartnerWorld {
  readonly accountId: number;
  readonly apiKey: string;
  readonly templateId: number;
  readonly databaseId: number;
  readonly postbackSecret: string;
}

/**
 * An account set up like the demo for the docs' example (US short code 60856, a ticket template
 * with a barcode slot, a QR Code database, number length checks only), with ids no other suite
 * uses and the postback settings given.
 */
export async function createPartnerWorld(prisma: PrismaClient, postback: { url: string | null; secret?: string }): Promise<PartnerWorld> {
  const apiKey = randomBytes(16).toString('hex');
  const templateId = randomInt(900_000_000, 999_999_999);
  const databaseId = randomInt(900_000_000, 999_999_999);
  const account = await prisma.account.create({
    data: {
      name: `partner-${apiKey.slice(0, 10)}`,
      credits: 1000,
      numberValidation: 'POSSIBLE_LENGTH',
      postbackUrl: postback.url,
      ...(postback.secret === undefined ? {} : { postbackSecret: postback.secret }),
      apiKeys: { create: { keyHash: createHash('sha256').update(apiKey).digest('hex'), label: 'test' } },
      senderCodes: { create: { code: '60856', kind: 'SHORT', country: 'US', isDefaultForCountry: true } },
      databases: { create: { id: databaseId, name: 'Tickets (QR Code)', symbology: 'QRCODE' } },
      templates: {
        create: {
          id: templateId,
          name: 'Event ticket',
          subject: 'Your ticket',
          slides: { create: [{ position: 1, text: 'Your mobile ticket' }, { position: 2, text: 'Show this code at the entrance.', media: 'BARCODE' }] },
        },
      },
    },
  });
  return { accountId: account.id, apiKey, templateId, databaseId, postbackSecret: account.postbackSecret };
}
