/**
 * `npm run admin -- <command>`: operator commands.
 *   message:show <TRACKINGID | BARCODEID | phone>          a message's whole history
 *   database:create <account> <DATABASEID> <symbology> [settings JSON]
 *   database:settings <DATABASEID> <settings JSON>         replaces the settings, bumps the version
 *   database:holders <DATABASEID> <BARCODEID>              every issuance of a barcode
 */
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { Symbology, messageIdOf, parseBarcodeSettings } from '@mms/contracts';

const usage = [
  'usage: npm run admin -- <command>',
  '  message:show <TRACKINGID | BARCODEID | phone>',
  '  database:create <account> <DATABASEID> <symbology> [settings JSON]',
  `      symbology: ${Object.values(Symbology).join(', ')}`,
  '  database:settings <DATABASEID> <settings JSON>',
  '  database:holders <DATABASEID> <BARCODEID>',
].join('\n');

class UsageError extends Error {}

function settingsFrom(json: string | undefined): object {
  let raw: unknown = {};
  if (json !== undefined) {
    try {
      raw = JSON.parse(json);
    } catch {
      throw new UsageError(`settings must be JSON, got: ${json}`);
    }
  }
  // Refused here, at creation, with the name of the bad setting; never at render time.
  return parseBarcodeSettings(raw);
}

function databaseIdFrom(text: string | undefined): number {
  if (text === undefined || !/^[1-9][0-9]{0,8}$/.test(text)) throw new UsageError(`DATABASEID must be a positive integer, got: ${text}`);
  return Number(text);
}

async function createDatabase(prisma: PrismaClient, [accountName, idText, symbology, json]: string[]): Promise<number> {
  const id = databaseIdFrom(idText);
  if (!Object.values(Symbology).includes(symbology as Symbology)) throw new UsageError(`unknown symbology ${symbology}`);
  const settings = settingsFrom(json);
  const account = await prisma.account.findUnique({ where: { name: accountName ?? '' } });
  if (account === null) throw new UsageError(`no account named ${accountName}`);
  if ((await prisma.barcodeDatabase.findUnique({ where: { id } })) !== null) throw new UsageError(`database ${id} exists already`);
  await prisma.barcodeDatabase.create({
    data: { id, accountId: account.id, name: `${symbology} database ${id}`, symbology: symbology as Symbology, settings },
  });
  console.log(`database ${id} (${symbology}) created for ${accountName}: ${JSON.stringify(settings)}`);
  return 0;
}

async function changeSettings(prisma: PrismaClient, [idText, json]: string[]): Promise<number> {
  const id = databaseIdFrom(idText);
  const settings = settingsFrom(json);
  const updated = await prisma.barcodeDatabase.update({
    where: { id },
    data: { settings, settingsVersion: { increment: 1 } },
  });
  console.log(`database ${id} settings version ${updated.settingsVersion}: ${JSON.stringify(settings)}`);
  return 0;
}

async function showHolders(prisma: PrismaClient, [idText, barcodeId]: string[]): Promise<number> {
  const databaseId = databaseIdFrom(idText);
  const issued = await prisma.issuedBarcode.findMany({ where: { databaseId, barcodeId: barcodeId ?? '' }, orderBy: { issuedAt: 'asc' } });
  if (issued.length === 0) console.log(`BARCODEID ${barcodeId} was never issued in database ${databaseId}`);
  for (const i of issued) console.log(`${i.issuedAt.toISOString()}  ${i.phone}  ${i.trackingId}  campaign ${i.campaignId ?? '-'}`);
  return issued.length === 0 ? 1 : 0;
}

async function showMessages(prisma: PrismaClient, needle: string): Promise<number> {
  const byTracking = messageIdOf(needle);
  const messages = await prisma.message.findMany({
    where: {
      OR: [
        ...(byTracking !== null ? [{ trackingId: needle }] : []),
        { barcodeValue: needle },
        ...(/^[0-9]{6,15}$/.test(needle) ? [{ toNumber: needle }] : []),
      ],
    },
    include: { events: { orderBy: { id: 'asc' } }, account: { select: { name: true } } },
    orderBy: { id: 'desc' },
    take: 20,
  });
  if (messages.length === 0) {
    console.log(`no message found for ${needle}`);
    return 1;
  }
  for (const m of messages) {
    console.log(`\n${m.trackingId}  ${m.status}  account ${m.account.name}`);
    console.log(`  to ${m.toNumber} from ${m.senderCode} (asked ${m.requestedFrom})  MMSID ${m.templateId}  DATABASEID ${m.databaseId}  BARCODEID ${m.barcodeValue}`);
    if (m.campaignId !== null) console.log(`  campaign ${m.campaignId}`);
    if (m.transport !== null) console.log(`  transport ${m.transport}: ${m.carrierMessageId ?? ''}`);
    if (m.failureReason !== null) console.log(`  failure: ${m.failureReason}`);
    console.log('  history:');
    for (const e of m.events) console.log(`    ${e.at.toISOString()}  ${e.status.padEnd(9)}  ${JSON.stringify(e.detail)}`);
  }
  return 0;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/mmsgw';
  const commands: Record<string, (prisma: PrismaClient, args: string[]) => Promise<number>> = {
    'message:show': (prisma, [needle]) => {
      if (needle === undefined) throw new UsageError('message:show needs a TRACKINGID, BARCODEID or phone');
      return showMessages(prisma, needle.trim());
    },
    'database:create': createDatabase,
    'database:settings': changeSettings,
    'database:holders': showHolders,
  };
  const run = command === undefined ? undefined : commands[command];
  if (run === undefined) {
    console.error(usage);
    return 2;
  }
  const prisma = createPrismaClient(databaseUrl, 1);
  try {
    return await run(prisma, args);
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.message.startsWith('invalid barcode setting'))) {
      console.error(`admin: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await prisma.$disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`admin: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
