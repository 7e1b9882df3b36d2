import type { Command } from 'commander';
import { isSupportedCountry } from 'libphonenumber-js/max';
import type { SenderCode, SenderCodeKind } from '@mms/db';
import { type AdminContext, AdminError, act, withExamples } from './context';
import { receiverFrom } from './input';

interface AddOptions {
  country: string;
  kind?: string;
  default?: boolean;
}

/**
 * sender-code:add, :default, :list. FROM must be one of the account's codes; where TO is in
 * another country than FROM's, the account's default code for TO's country goes out instead
 * (skycore/API.md, the gateway's checkSender).
 */
export function registerSenderCodeCommands(program: Command, ctx: AdminContext): void {
  withExamples(
    program
      .command('sender-code:add')
      .summary('a short or long code the account sends FROM')
      .description("a short or long code the account may send FROM; the first code of a country becomes that country's default")
      .argument('<account>', 'the account name')
      .argument('<code>', 'digits: a short code (3 to 8), or a long code in international form without + or 00')
      .requiredOption('--country <CC>', 'ISO 3166-1 alpha-2 country the code is assigned in (e.g. US)')
      .option('--kind <short|long>', 'default: short up to 8 digits, long above')
      .option('--default', "make it the default for its country (the code used when TO is in that country and FROM is not)")
      .action(act(ctx, (account: string, code: string, options: AddOptions) => addCode(ctx, account, code, options))),
    'sender-code:add acme 60856 --country US',
    'sender-code:add acme 447700900000 --country GB --default',
  );
  withExamples(
    program
      .command('sender-code:default')
      .summary('the default code of a country')
      .description("makes the code its country's default for the account (the other codes of that country stop being it)")
      .argument('<account>', 'the account name')
      .argument('<code>', 'one of its codes')
      .action(act(ctx, (account: string, code: string) => makeDefault(ctx, account, code))),
    'sender-code:default acme 60857',
  );
  withExamples(
    program
      .command('sender-code:list')
      .summary("an account's sender codes")
      .description("the account's sender codes by country")
      .argument('<account>', 'the account name')
      .action(act(ctx, (account: string) => listCodes(ctx, account))),
    'sender-code:list acme',
  );
}

function countryFrom(text: string): string {
  const country = text.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country) || !isSupportedCountry(country)) throw new AdminError(`--country must be an ISO 3166-1 alpha-2 country code, got: ${text}`);
  return country;
}

function kindFrom(code: string, text: string | undefined): SenderCodeKind {
  if (text === undefined) return code.length <= 8 ? 'SHORT' : 'LONG';
  if (text !== 'short' && text !== 'long') throw new AdminError(`--kind must be short or long, got: ${text}`);
  return text === 'short' ? 'SHORT' : 'LONG';
}

/** The code checked for its kind: a short code's length, or a long code's number in that country. */
function checkCode(code: string, kind: SenderCodeKind, country: string): void {
  if (!/^[0-9]+$/.test(code)) throw new AdminError(`a sender code is digits only, got: ${JSON.stringify(code)}`);
  if (kind === 'SHORT') {
    if (!/^[1-9][0-9]{2,7}$/.test(code)) throw new AdminError(`a short code has 3 to 8 digits and does not start with 0, got: ${code}`);
    return;
  }
  const { country: numberCountry } = receiverFrom(code, 'POSSIBLE_LENGTH', 'a long code');
  if (numberCountry !== country) throw new AdminError(`long code ${code} is a number of ${numberCountry}, not of ${country}`);
}

async function addCode(ctx: AdminContext, accountName: string, code: string, options: AddOptions): Promise<void> {
  const country = countryFrom(options.country);
  const kind = kindFrom(code, options.kind);
  checkCode(code, kind, country);
  const account = await ctx.account(accountName);
  const codes = await ctx.prisma.senderCode.findMany({ where: { accountId: account.id } });
  const existing = codes.find((c) => c.code === code);
  if (existing !== undefined) throw new AdminError(`${code} is a sender code of ${account.name} already (${existing.country}, ${existing.kind.toLowerCase()})`);
  const firstOfCountry = !codes.some((c) => c.country === country);
  const isDefault = options.default === true || firstOfCountry;
  await ctx.prisma.$transaction(async (tx) => {
    if (isDefault) await tx.senderCode.updateMany({ where: { accountId: account.id, country }, data: { isDefaultForCountry: false } });
    await tx.senderCode.create({ data: { accountId: account.id, code, kind, country, isDefaultForCountry: isDefault } });
  });
  const why = isDefault ? (firstOfCountry && options.default !== true ? `, the default for ${country} (its first code there)` : `, the default for ${country}`) : '';
  ctx.print(`sender code ${code} (${kind.toLowerCase()}, ${country}) added to ${account.name}${why}`);
  await ctx.noteCatalogChange();
}

async function makeDefault(ctx: AdminContext, accountName: string, code: string): Promise<void> {
  const account = await ctx.account(accountName);
  const found = await ctx.prisma.senderCode.findUnique({ where: { accountId_code: { accountId: account.id, code } } });
  if (found === null) throw new AdminError(`${code} is not a sender code of ${account.name} (sender-code:list ${account.name})`);
  if (found.isDefaultForCountry) {
    ctx.print(`${code} is the default for ${found.country} of ${account.name} already`);
    return;
  }
  await ctx.prisma.$transaction([
    ctx.prisma.senderCode.updateMany({ where: { accountId: account.id, country: found.country }, data: { isDefaultForCountry: false } }),
    ctx.prisma.senderCode.update({ where: { id: found.id }, data: { isDefaultForCountry: true } }),
  ]);
  ctx.print(`${code} is now the default sender code for ${found.country} of ${account.name}`);
  await ctx.noteCatalogChange();
}

function describeCode(c: SenderCode): string {
  return `${c.country}  ${c.code.padEnd(15)}  ${c.kind.toLowerCase().padEnd(5)}${c.isDefaultForCountry ? '  default' : ''}`;
}

async function listCodes(ctx: AdminContext, accountName: string): Promise<void> {
  const account = await ctx.account(accountName);
  const codes = await ctx.prisma.senderCode.findMany({ where: { accountId: account.id }, orderBy: [{ country: 'asc' }, { code: 'asc' }] });
  if (codes.length === 0) ctx.print(`account ${account.name} has no sender codes: sender-code:add ${account.name} <code> --country <CC>`);
  for (const c of codes) ctx.print(describeCode(c));
}
