import { createHash } from 'node:crypto';
import type { BarcodeSettings, Symbology } from '@mms/contracts';
import type { PrismaClient, SlideMedia, TemplateStatus } from '@mms/db';
// Relative imports: test/global-setup.ts loads this file where the @mms/* paths do not resolve.
import { hashApiKey } from '../libs/contracts/src/lib/api-key';
import { DEV_SEED_API_KEYS, DEV_SEED_LEGACY_LOGIN, DEV_SEED_POSTBACK_SECRET } from '../libs/config/src/lib/dev-defaults';

/**
 * The dev seed world of FIXED-POINTS.md: the docs' example works verbatim against it, and each
 * error code of the partner API has an account or a row that reaches it. Ids and keys are fixed
 * points; change them only together with everything that uses them.
 */
export const DEMO_API_KEY = DEV_SEED_API_KEYS.demo;
export const DEMO_SHORT_CODE = '60856';
export const DEMO_TEMPLATE_ID = 35674;
export const DEMO_DATABASE_ID = 17856;
export const DEMO_CAMPAIGN_ID = 12333;
/** The demo account's postback signing key: a dev value, so the simulator's postback page can check signatures. */
export const DEMO_POSTBACK_SECRET = DEV_SEED_POSTBACK_SECRET;
export const DEMO_SUBSCRIBER = '16501234123';

export const symbologyDatabases: ReadonlyArray<{ id: number; symbology: Symbology; name: string }> = [
  { id: 17861, symbology: 'QRCODE', name: 'QR Code' },
  { id: 17862, symbology: 'AZTEC', name: 'Aztec' },
  { id: 17863, symbology: 'PDF417', name: 'PDF417' },
  { id: 17864, symbology: 'DATAMATRIX', name: 'Data Matrix' },
  { id: 17865, symbology: 'CODE128', name: 'Code 128' },
  { id: 17866, symbology: 'CODE39', name: 'Code 39' },
  { id: 17867, symbology: 'EAN13', name: 'EAN-13' },
  { id: 17868, symbology: 'UPCA', name: 'UPC-A' },
  { id: 17869, symbology: 'ITF14', name: 'ITF-14' },
  { id: 17870, symbology: 'GS1_128', name: 'GS1-128' },
];

/** Countries with a route to an MMSC. Demo numbers elsewhere get E628 (after the sender check). */
export const routedCountries: readonly string[] = ['US'];

/**
 * A UK long code of the demo account, default for GB, so that a UK number passes the sender check
 * and reaches the route check (no GB route: E628).
 */
export const DEMO_UK_LONG_CODE = '447700900000';

interface SlideSeed {
  readonly text?: string;
  readonly media?: SlideMedia;
  readonly mediaContentType?: string;
}

interface AccountSeed {
  readonly name: string;
  readonly apiKey?: string;
  readonly credits: number;
  readonly apiActivated?: boolean;
  readonly apiRights?: boolean;
  readonly allowedActions?: string[];
  readonly legacy?: { user: string; password: string };
  readonly numberValidation?: 'STRICT' | 'POSSIBLE_LENGTH';
  readonly postbackUrl?: string | null;
  readonly postbackSecret?: string;
  readonly templates?: ReadonlyArray<{ id: number; name: string; subject: string; status?: TemplateStatus; slides: SlideSeed[] }>;
  readonly databases?: ReadonlyArray<{ id: number; name: string; symbology: Symbology }>;
  readonly campaigns?: ReadonlyArray<{ id: number; name: string; subscribers: string[] }>;
}

const ticketSlides: SlideSeed[] = [
  { text: 'Your mobile ticket' },
  { text: 'Show this code at the entrance.', media: 'BARCODE' },
];

const ticketTemplate = (id: number) => ({ id, name: 'Event ticket', subject: 'Your ticket', slides: ticketSlides });
const qrDatabase = (id: number) => ({ id, name: 'Tickets (QR Code)', symbology: 'QRCODE' as const });

function worldAccounts(demoPostbackUrl: string | null): AccountSeed[] {
  return [
    {
      name: 'demo',
      apiKey: DEMO_API_KEY,
      credits: 1_000_000,
      // The docs' own example number (16501234123) is not a valid NANP number; demo checks length only.
      numberValidation: 'POSSIBLE_LENGTH',
      postbackUrl: demoPostbackUrl,
      postbackSecret: DEMO_POSTBACK_SECRET,
      templates: [
        ticketTemplate(DEMO_TEMPLATE_ID),
        { id: 35675, name: 'Text only', subject: 'News', slides: [{ text: 'No barcode on this one.' }] },
        {
          id: 35676,
          name: 'Video ticket (encoding)',
          subject: 'Your ticket',
          status: 'ENCODING',
          slides: [{ text: 'Welcome', media: 'VIDEO', mediaContentType: 'video/mp4' }, { media: 'BARCODE' }],
        },
      ],
      databases: [
        qrDatabase(DEMO_DATABASE_ID),
        ...symbologyDatabases.map((d) => ({ id: d.id, name: `Demo ${d.name}`, symbology: d.symbology })),
      ],
      campaigns: [{ id: DEMO_CAMPAIGN_ID, name: 'Demo campaign', subscribers: [DEMO_SUBSCRIBER] }],
    },
    {
      name: 'broke',
      apiKey: DEV_SEED_API_KEYS.broke,
      credits: 0,
      numberValidation: 'POSSIBLE_LENGTH',
      templates: [ticketTemplate(35684)],
      databases: [qrDatabase(17858)],
    },
    { name: 'inactive', apiKey: DEV_SEED_API_KEYS.inactive, credits: 1000, apiActivated: false },
    { name: 'norights', apiKey: DEV_SEED_API_KEYS.norights, credits: 1000, apiRights: false },
    { name: 'noaction', apiKey: DEV_SEED_API_KEYS.noaction, credits: 1000, allowedActions: [] },
    {
      name: 'other',
      apiKey: DEV_SEED_API_KEYS.other,
      credits: 1000,
      numberValidation: 'POSSIBLE_LENGTH',
      templates: [ticketTemplate(40001)],
      databases: [qrDatabase(50001)],
      campaigns: [{ id: 60001, name: 'Other campaign', subscribers: [DEMO_SUBSCRIBER] }],
    },
    {
      name: 'legacy',
      credits: 1000,
      legacy: DEV_SEED_LEGACY_LOGIN,
      numberValidation: 'POSSIBLE_LENGTH',
      templates: [ticketTemplate(35694)],
      databases: [qrDatabase(17859)],
    },
  ];
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const defaultSettings: Partial<BarcodeSettings> = {};

export interface SeedSummary {
  readonly accounts: string[];
  readonly templates: number[];
  readonly databases: number[];
  readonly campaigns: number[];
}

/** Applies the dev seed world; running it again leaves the same rows (credits reset included). */
export async function seedDevWorld(prisma: PrismaClient, demoPostbackUrl: string | null): Promise<SeedSummary> {
  const summary: SeedSummary = { accounts: [], templates: [], databases: [], campaigns: [] };
  for (const country of routedCountries) {
    const route = await prisma.carrierRoute.findFirst({ where: { country, carrier: null } });
    if (route === null) await prisma.carrierRoute.create({ data: { country, connector: 'default' } });
    else await prisma.carrierRoute.update({ where: { id: route.id }, data: { enabled: true, connector: 'default' } });
  }
  for (const seed of worldAccounts(demoPostbackUrl)) {
    await prisma.$transaction(async (tx) => {
      const state = {
        credits: seed.credits,
        apiActivated: seed.apiActivated ?? true,
        apiRights: seed.apiRights ?? true,
        allowedActions: seed.allowedActions ?? ['sendmmsbarcode'],
        legacyLoginEnabled: seed.legacy !== undefined,
        legacyUser: seed.legacy?.user ?? null,
        legacyPassMd5: seed.legacy ? md5(seed.legacy.password) : null,
        numberValidation: seed.numberValidation ?? 'STRICT',
        postbackUrl: seed.postbackUrl ?? null,
        ...(seed.postbackSecret === undefined ? {} : { postbackSecret: seed.postbackSecret }),
        status: 'ACTIVE' as const,
      };
      const account = await tx.account.upsert({
        where: { name: seed.name },
        create: { name: seed.name, ...state },
        update: state,
      });
      if (seed.name === 'demo') {
        await tx.senderCode.upsert({
          where: { accountId_code: { accountId: account.id, code: DEMO_UK_LONG_CODE } },
          create: { accountId: account.id, code: DEMO_UK_LONG_CODE, kind: 'LONG', country: 'GB', isDefaultForCountry: true },
          update: { kind: 'LONG', country: 'GB', isDefaultForCountry: true },
        });
      }
      if (seed.apiKey !== undefined) {
        const keyHash = hashApiKey(seed.apiKey);
        await tx.apiKey.upsert({
          where: { keyHash },
          create: { accountId: account.id, keyHash, keyPrefix: seed.apiKey.slice(0, 6), label: 'dev seed' },
          update: { accountId: account.id, keyPrefix: seed.apiKey.slice(0, 6), revokedAt: null },
        });
      }
      await tx.senderCode.upsert({
        where: { accountId_code: { accountId: account.id, code: DEMO_SHORT_CODE } },
        create: { accountId: account.id, code: DEMO_SHORT_CODE, kind: 'SHORT', country: 'US', isDefaultForCountry: true },
        update: { kind: 'SHORT', country: 'US', isDefaultForCountry: true },
      });
      for (const db of seed.databases ?? []) {
        const fields = { accountId: account.id, name: db.name, symbology: db.symbology, settings: defaultSettings };
        await tx.barcodeDatabase.upsert({ where: { id: db.id }, create: { id: db.id, ...fields }, update: fields });
        summary.databases.push(db.id);
      }
      for (const template of seed.templates ?? []) {
        const fields = {
          accountId: account.id,
          name: template.name,
          subject: template.subject,
          status: template.status ?? 'READY',
          defaultDatabaseId: null,
        };
        await tx.mmsTemplate.upsert({ where: { id: template.id }, create: { id: template.id, ...fields }, update: fields });
        await tx.templateSlide.deleteMany({ where: { templateId: template.id } });
        await tx.templateSlide.createMany({
          data: template.slides.map((slide, index) => ({
            templateId: template.id,
            position: index + 1,
            text: slide.text ?? null,
            media: slide.media ?? null,
            mediaContentType: slide.mediaContentType ?? null,
          })),
        });
        summary.templates.push(template.id);
      }
      for (const campaign of seed.campaigns ?? []) {
        const fields = { accountId: account.id, name: campaign.name, requiresSubscription: true };
        await tx.campaign.upsert({ where: { id: campaign.id }, create: { id: campaign.id, ...fields }, update: fields });
        for (const phone of campaign.subscribers) {
          await tx.subscription.upsert({
            where: { campaignId_phone: { campaignId: campaign.id, phone } },
            create: { campaignId: campaign.id, phone },
            update: { unsubscribedAt: null },
          });
        }
        summary.campaigns.push(campaign.id);
      }
    });
    summary.accounts.push(seed.name);
  }
  return summary;
}
