import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { maskPhone } from '@mms/config';
import { trackingIdOf } from '@mms/contracts';
import { Prisma } from '@mms/db';
import { type AdminContext, AdminError, act, withExamples } from './context';
import { integerFrom } from './input';

/** accounts.credits is a PostgreSQL integer. */
const MAX_CREDITS = 2_147_483_647;
const DAY_MS = 86_400_000;

/**
 * credits:add, credits:show. The balance is accounts.credits; the message ledger takes one credit
 * per accepted message in the accepting statement (acceptMessages), so the debits are the
 * account's messages, and the grants are kept in credit_grants. A message that fails before any
 * MMSC accepted it gets its credit back, kept in credit_returns (written by the ledger). Messages
 * retention deleted are counted in retired_debits (at least 30 days old, so only "in all" needs them).
 */
export function registerCreditCommands(program: Command, ctx: AdminContext): void {
  withExamples(
    program
      .command('credits:add')
      .summary('adds credits')
      .description("adds credits to the account's balance (one per accepted message), recorded with the balance after, who and why")
      .argument('<account>', 'the account name')
      .argument('<amount>', 'credits to add, 1..1000000000')
      .option('--note <text>', 'why (an order number, a correction...)')
      .action(act(ctx, (account: string, amount: string, options: { note?: string }) => addCredits(ctx, account, amount, options.note))),
    'credits:add acme 10000 --note "order 2026-118"',
  );
  withExamples(
    program
      .command('credits:show')
      .summary('the balance, credits added, recent debits and returns')
      .description(
        'the balance, the credits added, the recent debits (each accepted message took one) and the returns (a message that failed before any MMSC accepted it gave its credit back)',
      )
      .argument('<account>', 'the account name')
      .option('--limit <n>', 'how many grants, debits and returns to list, 1..1000 (default 20)')
      .action(act(ctx, (account: string, options: { limit?: string }) => showCredits(ctx, account, options.limit))),
    'credits:show acme',
    'credits:show acme --limit 100',
  );
}

function operator(): string | null {
  try {
    return process.env.SUDO_USER ?? userInfo().username;
  } catch {
    return process.env.USER ?? null;
  }
}

async function addCredits(ctx: AdminContext, accountName: string, amountText: string, noteText: string | undefined): Promise<void> {
  const amount = integerFrom('amount', amountText, 1, 1_000_000_000);
  const note = noteText?.trim();
  if (note !== undefined && (note === '' || note.length > 500)) throw new AdminError(`--note must be 1 to 500 characters, got: ${JSON.stringify(noteText)}`);
  const account = await ctx.account(accountName);
  const grant = await ctx.prisma.$transaction(async (tx) => {
    let balance: number;
    try {
      // One statement against concurrent accepts: the balance the grant records is the row's.
      ({ credits: balance } = await tx.account.update({
        where: { id: account.id, credits: { lte: MAX_CREDITS - amount } },
        data: { credits: { increment: amount } },
      }));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') {
        throw new AdminError(`${account.name} has ${account.credits} credits: adding ${amount} would pass the largest balance, ${MAX_CREDITS}`);
      }
      throw error;
    }
    return tx.creditGrant.create({ data: { accountId: account.id, amount, balance, note: note ?? null, grantedBy: operator() } });
  });
  ctx.print(`${account.name}: ${amount} credits added${note === undefined ? '' : ` (${JSON.stringify(note)})`}, balance ${grant.balance}`);
}

async function showCredits(ctx: AdminContext, accountName: string, limitText: string | undefined): Promise<void> {
  const limit = limitText === undefined ? 20 : integerFrom('--limit', limitText, 1, 1000);
  const account = await ctx.account(accountName);
  const now = Date.now();
  const taken = (since?: number) =>
    ctx.prisma.message.count({ where: { accountId: account.id, ...(since === undefined ? {} : { createdAt: { gte: new Date(now - since) } }) } });
  const [day, month, all, retired, grants, debits, returns] = await Promise.all([
    taken(DAY_MS),
    taken(30 * DAY_MS),
    taken(),
    ctx.prisma.retiredDebit.aggregate({ where: { accountId: account.id }, _sum: { messages: true } }),
    ctx.prisma.creditGrant.findMany({ where: { accountId: account.id }, orderBy: { id: 'desc' }, take: limit }),
    ctx.prisma.message.findMany({
      where: { accountId: account.id },
      orderBy: { id: 'desc' },
      take: limit,
      select: { createdAt: true, trackingId: true, templateId: true, toNumber: true, status: true },
    }),
    ctx.prisma.creditReturn.findMany({ where: { accountId: account.id }, orderBy: { id: 'desc' }, take: limit }),
  ]);
  ctx.print(`${account.name}: ${account.credits} credits`);
  const deleted = retired._sum.messages ?? 0;
  ctx.print(
    `  taken (one per accepted message): ${day} in the last 24 hours, ${month} in the last 30 days, ${all + deleted} in all` +
      (deleted === 0 ? '' : ` (${deleted} of them by messages since deleted by retention)`),
  );
  ctx.print(grants.length === 0 ? '  added: never (credits:add)' : '  added (newest first):');
  for (const g of grants) {
    ctx.print(`    ${g.createdAt.toISOString()}  +${g.amount}  balance ${g.balance}${g.grantedBy === null ? '' : `  by ${g.grantedBy}`}${g.note === null ? '' : `  ${JSON.stringify(g.note)}`}`);
  }
  ctx.print(debits.length === 0 ? '  debits: none yet' : '  recent debits (newest first):');
  for (const m of debits) {
    ctx.print(`    ${m.createdAt.toISOString()}  -1  ${m.trackingId}  MMSID ${m.templateId}  to ${maskPhone(m.toNumber)}  ${m.status}`);
  }
  ctx.print(returns.length === 0 ? '  returned: none (a message that fails before any MMSC accepted it gives its credit back)' : '  recent returns (newest first):');
  for (const r of returns) {
    ctx.print(`    ${r.createdAt.toISOString()}  +${r.amount}  ${trackingIdOf(r.messageId)}  ${JSON.stringify(r.reason)}`);
  }
}
