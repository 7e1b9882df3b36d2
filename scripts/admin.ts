/**
 * `npm run admin -- <command>`: operator commands.
 *   message:show <TRACKINGID | BARCODEID | phone>   a message's whole history
 */
import { createPrismaClient, type PrismaClient } from '@mms/db';
import { messageIdOf } from '@mms/contracts';

const usage = 'usage: npm run admin -- message:show <TRACKINGID | BARCODEID | phone>';

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
  const [command, argument] = process.argv.slice(2);
  const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/mmsgw';
  if (command !== 'message:show' || argument === undefined) {
    console.error(usage);
    return 2;
  }
  const prisma = createPrismaClient(databaseUrl, 1);
  try {
    return await showMessages(prisma, argument.trim());
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
