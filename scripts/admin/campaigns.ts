import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Campaign, NumberValidation } from '@mms/db';
import { type AdminContext, AdminError, act, withExamples } from './context';
import { idFrom, receiverFrom } from './input';
import { numbersFromCsv } from './phone-csv';

interface NumbersOptions {
  csv?: string;
}

/** campaign:create, :show, :subscribe, :unsubscribe. CAMPAIGNREF names a campaign; where it requires subscription, TO must be subscribed (E715). */
export function registerCampaignCommands(program: Command, ctx: AdminContext): void {
  withExamples(
    program
      .command('campaign:create')
      .summary('a campaign (CAMPAIGNREF)')
      .description('a campaign of the account (CAMPAIGNREF); numbers must be subscribed before it may send to them, unless --no-subscription')
      .argument('<account>', 'the account name')
      .argument('<CAMPAIGNREF>', 'its id, as partners send it (1 to 9 digits)')
      .argument('<name>', 'its name')
      .option('--no-subscription', 'send to any number, subscribed or not')
      .action(act(ctx, (account: string, id: string, name: string, options: { subscription: boolean }) => createCampaign(ctx, account, id, name, options.subscription))),
    'campaign:create acme 900001 "Spring festival"',
  );
  withExamples(
    program
      .command('campaign:show')
      .summary('a campaign and its subscribers')
      .description('a campaign and its subscribers')
      .argument('<CAMPAIGNREF>', 'the campaign')
      .option('--numbers', 'list the subscribed numbers')
      .action(act(ctx, (id: string, options: { numbers?: boolean }) => showCampaign(ctx, id, options.numbers === true))),
    'campaign:show 900001 --numbers',
  );
  for (const [verb, run] of [
    ['subscribe', subscribe],
    ['unsubscribe', unsubscribe],
  ] as const) {
    withExamples(
      program
        .command(`campaign:${verb}`)
        .summary(`${verb}s numbers, from arguments or a CSV file`)
        .description(
          `${verb}s numbers, given as arguments or in a CSV file (a header naming a phone, number, msisdn, to or mobile column, or the number in the first column); every number is checked as the account checks TO, and one bad number refuses the whole list`,
        )
        .argument('<CAMPAIGNREF>', 'the campaign')
        .argument('[numbers...]', 'international numbers without + or 00')
        .option('--csv <file>', 'numbers from a CSV file')
        .action(act(ctx, (id: string, numbers: string[], options: NumbersOptions) => run(ctx, id, numbers, options))),
      `campaign:${verb} 900001 16501234123 16501234124`,
      `campaign:${verb} 900001 --csv subscribers.csv`,
    );
  }
}

async function createCampaign(ctx: AdminContext, accountName: string, idText: string, nameText: string, requiresSubscription: boolean): Promise<void> {
  const id = idFrom('CAMPAIGNREF', idText);
  const name = nameText.trim();
  if (name === '' || name.length > 200) throw new AdminError(`a campaign name has 1 to 200 characters, got: ${JSON.stringify(nameText)}`);
  const account = await ctx.account(accountName);
  const existing = await ctx.prisma.campaign.findUnique({ where: { id }, include: { account: { select: { name: true } } } });
  if (existing !== null) throw new AdminError(`campaign ${id} exists already (account ${existing.account.name})`);
  await ctx.prisma.campaign.create({ data: { id, accountId: account.id, name, requiresSubscription } });
  ctx.print(`campaign ${id} ${JSON.stringify(name)} created for ${account.name}: ${requiresSubscription ? 'numbers must be subscribed (campaign:subscribe)' : 'no subscription required'}`);
  await ctx.noteCatalogChange();
}

async function campaignOf(ctx: AdminContext, idText: string): Promise<Campaign & { account: { name: string; numberValidation: NumberValidation } }> {
  const id = idFrom('CAMPAIGNREF', idText);
  const campaign = await ctx.prisma.campaign.findUnique({ where: { id }, include: { account: { select: { name: true, numberValidation: true } } } });
  if (campaign === null) throw new AdminError(`no campaign ${id}`);
  return campaign;
}

async function showCampaign(ctx: AdminContext, idText: string, listNumbers: boolean): Promise<void> {
  const campaign = await campaignOf(ctx, idText);
  const [subscribed, unsubscribed] = await Promise.all([
    ctx.prisma.subscription.count({ where: { campaignId: campaign.id, unsubscribedAt: null } }),
    ctx.prisma.subscription.count({ where: { campaignId: campaign.id, unsubscribedAt: { not: null } } }),
  ]);
  ctx.print(`campaign ${campaign.id} ${JSON.stringify(campaign.name)}  account ${campaign.account.name}  created ${campaign.createdAt.toISOString()}`);
  ctx.print(`  ${campaign.requiresSubscription ? 'numbers must be subscribed' : 'no subscription required'}: ${subscribed} subscribed, ${unsubscribed} unsubscribed`);
  if (!listNumbers) return;
  const rows = await ctx.prisma.subscription.findMany({ where: { campaignId: campaign.id, unsubscribedAt: null }, orderBy: { phone: 'asc' } });
  for (const s of rows) ctx.print(`    ${s.phone}  since ${s.subscribedAt.toISOString()}`);
}

/** The numbers of the arguments and the CSV file, each checked as the account checks TO, without repeats. */
async function numbersFor(validation: NumberValidation, args: readonly string[], options: NumbersOptions): Promise<string[]> {
  const given = args.map((text, i) => ({ text, where: `argument ${i + 1}` }));
  if (options.csv !== undefined) {
    let text: string;
    try {
      text = await readFile(options.csv, 'utf8');
    } catch (error) {
      throw new AdminError(`--csv ${options.csv}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    let rows: ReturnType<typeof numbersFromCsv>;
    try {
      rows = numbersFromCsv(text);
    } catch (error) {
      if (error instanceof AdminError) throw new AdminError(`--csv ${options.csv}: ${error.message}`);
      throw error;
    }
    given.push(...rows.map(({ text: number, line }) => ({ text: number, where: `${options.csv} line ${line}` })));
  }
  if (given.length === 0) throw new AdminError('no numbers: give them as arguments or --csv <file>');
  const bad: string[] = [];
  const numbers = new Set<string>();
  for (const { text, where } of given) {
    try {
      numbers.add(receiverFrom(text, validation).number);
    } catch (error) {
      if (!(error instanceof AdminError)) throw error;
      bad.push(`${where}: ${error.message}`);
    }
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, 10).join('\n  ');
    throw new AdminError(`${bad.length} of ${given.length} numbers refused, nothing changed:\n  ${shown}${bad.length > 10 ? `\n  ... and ${bad.length - 10} more` : ''}`);
  }
  return [...numbers];
}

async function subscribe(ctx: AdminContext, idText: string, args: string[], options: NumbersOptions): Promise<void> {
  const campaign = await campaignOf(ctx, idText);
  const numbers = await numbersFor(campaign.account.numberValidation, args, options);
  // One statement: new numbers inserted, unsubscribed ones subscribed again (from now), the rest left as they are.
  const rows = await ctx.prisma.$queryRaw<Array<{ outcome: 'new' | 'again' | 'already'; n: number }>>`
    WITH input AS (SELECT unnest(${numbers}::text[]) AS phone),
    before AS (
      SELECT i.phone, s.phone IS NULL AS is_new, s.unsubscribed_at IS NOT NULL AS was_unsubscribed
      FROM input i LEFT JOIN subscriptions s ON s.campaign_id = ${campaign.id} AND s.phone = i.phone
    ), written AS (
      INSERT INTO subscriptions (campaign_id, phone, subscribed_at)
      SELECT ${campaign.id}, phone, now() AT TIME ZONE 'UTC' FROM before WHERE is_new OR was_unsubscribed
      ON CONFLICT (campaign_id, phone) DO UPDATE SET subscribed_at = EXCLUDED.subscribed_at, unsubscribed_at = NULL
    )
    SELECT CASE WHEN is_new THEN 'new' WHEN was_unsubscribed THEN 'again' ELSE 'already' END AS outcome, count(*)::int AS n
    FROM before GROUP BY 1`;
  const count = (outcome: string) => rows.find((r) => r.outcome === outcome)?.n ?? 0;
  ctx.print(`campaign ${campaign.id}: ${count('new')} subscribed, ${count('again')} subscribed again, ${count('already')} subscribed already`);
}

async function unsubscribe(ctx: AdminContext, idText: string, args: string[], options: NumbersOptions): Promise<void> {
  const campaign = await campaignOf(ctx, idText);
  const numbers = await numbersFor(campaign.account.numberValidation, args, options);
  const count = await ctx.prisma.$executeRaw`
    UPDATE subscriptions SET unsubscribed_at = now() AT TIME ZONE 'UTC'
    WHERE campaign_id = ${campaign.id} AND phone = ANY(${numbers}::text[]) AND unsubscribed_at IS NULL`;
  ctx.print(`campaign ${campaign.id}: ${count} unsubscribed, ${numbers.length - count} were not subscribed`);
}
