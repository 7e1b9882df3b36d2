import type { Command } from 'commander';
import { messageIdOf } from '@mms/contracts';
import type { Prisma } from '@mms/db';
import { type AdminContext, act, withExamples } from './context';

type PostbackWithAttempts = Prisma.PostbackGetPayload<{ include: { attemptLog: true } }>;

/** message:show: a message's whole history (FIXED-POINTS.md), its postbacks and every attempt at them. */
export function registerMessageCommands(program: Command, ctx: AdminContext): void {
  withExamples(
    program
      .command('message:show')
      .summary("a message's whole history")
      .description("a message's whole history: its request, status steps, postbacks and every attempt at them (the 20 newest matches)")
      .argument('<TRACKINGID|BARCODEID|phone>', 'what the partner got back, the value encoded, or the receiving number')
      .action(act(ctx, (needle: string) => showMessages(ctx, needle.trim()))),
    'message:show TU1TXzE=',
    'message:show 16501234123',
  );
}

async function showMessages(ctx: AdminContext, needle: string): Promise<number> {
  const byTracking = messageIdOf(needle);
  const messages = await ctx.prisma.message.findMany({
    where: {
      OR: [
        ...(byTracking !== null ? [{ trackingId: needle }] : []),
        { barcodeValue: needle },
        ...(/^[0-9]{6,15}$/.test(needle) ? [{ toNumber: needle }] : []),
      ],
    },
    include: {
      events: { orderBy: { id: 'asc' } },
      account: { select: { name: true } },
      postbacks: { orderBy: { id: 'asc' }, include: { attemptLog: { orderBy: { number: 'asc' } } } },
    },
    orderBy: { id: 'desc' },
    take: 20,
  });
  if (messages.length === 0) {
    ctx.print(`no message found for ${needle}`);
    return 1;
  }
  for (const m of messages) {
    ctx.print(`\n${m.trackingId}  ${m.status}  account ${m.account.name}`);
    ctx.print(`  to ${m.toNumber} from ${m.senderCode} (asked ${m.requestedFrom})  MMSID ${m.templateId}  DATABASEID ${m.databaseId}  BARCODEID ${m.barcodeValue}`);
    // The id every log line, job, MM7 and postback call of the message carries: grep the logs for it.
    ctx.print(`  request ${m.requestId ?? '(none recorded)'}`);
    if (m.campaignId !== null) ctx.print(`  campaign ${m.campaignId}`);
    if (m.transport !== null) ctx.print(`  transport ${m.transport}: ${m.carrierMessageId ?? ''}`);
    if (m.failureReason !== null) ctx.print(`  failure: ${m.failureReason}`);
    ctx.print('  history:');
    for (const e of m.events) ctx.print(`    ${e.at.toISOString()}  ${e.status.padEnd(9)}  ${JSON.stringify(e.detail)}`);
    printPostbacks(ctx, m.postbacks);
  }
  return 0;
}

function printPostbacks(ctx: AdminContext, postbacks: readonly PostbackWithAttempts[]): void {
  if (postbacks.length === 0) {
    ctx.print('  postbacks: none');
    return;
  }
  ctx.print('  postbacks:');
  for (const p of postbacks) {
    const line = [`postback ${p.id}`, p.code, p.state.padEnd(9), `${p.attempts} ${p.attempts === 1 ? 'attempt' : 'attempts'}`];
    if (p.state === 'PENDING') line.push(`next attempt ${p.nextAttemptAt.toISOString()}`);
    if (p.lastError !== null) line.push(`last error: ${p.lastError}`);
    ctx.print(`    ${line.join('  ')}`);
    for (const a of p.attemptLog) {
      const attempt = [`attempt ${a.number}`, a.startedAt.toISOString(), a.outcome ?? 'no outcome (in flight, or its worker died)'];
      if (a.httpStatus !== null) attempt.push(`HTTP ${a.httpStatus}`);
      if (a.durationMs !== null) attempt.push(`${a.durationMs} ms`);
      if (a.bundleSize > 1) attempt.push(`bundle of ${a.bundleSize}`);
      if (a.error !== null) attempt.push(`error: ${a.error}`);
      ctx.print(`      ${attempt.join('  ')}`);
    }
  }
}
