import type { Command } from 'commander';
import { type BarcodeSettings, Symbology, parseBarcodeSettings } from '@mms/contracts';
import { type AdminContext, AdminError, act, withExamples } from './context';
import { describeChoices, idFrom } from './input';

/** database:create, database:settings, database:holders: an account's barcode databases (DATABASEID). */
export function registerDatabaseCommands(program: Command, ctx: AdminContext): void {
  withExamples(
    program
      .command('database:create')
      .summary('a barcode database (DATABASEID)')
      .description('a barcode database of the account: its symbology and image settings (checked as the barcode service checks them)')
      .argument('<account>', 'the account name')
      .argument('<DATABASEID>', 'its id, as partners send it (1 to 9 digits)')
      .argument('<symbology>', describeChoices(Object.values(Symbology)))
      .argument('[settings]', 'image settings as JSON (scale, height, quiet zone, colours, format...); default {}')
      .option('--name <name>', 'its name (default: "<symbology> database <DATABASEID>")')
      .action(
        act(ctx, (account: string, id: string, symbology: string, json: string | undefined, options: { name?: string }) =>
          createDatabase(ctx, account, id, symbology, json, options.name),
        ),
      ),
    'database:create acme 900001 QRCODE',
    `database:create acme 900002 CODE128 '{"scale":3}' --name "Gate tickets"`,
  );
  withExamples(
    program
      .command('database:settings')
      .summary("replaces a database's image settings")
      .description('replaces the image settings and bumps the settings version (images rendered before are not reused)')
      .argument('<DATABASEID>', 'the database')
      .argument('<settings>', 'image settings as JSON')
      .action(act(ctx, (id: string, json: string) => changeSettings(ctx, id, json))),
    `database:settings 900001 '{"scale":4}'`,
  );
  withExamples(
    program
      .command('database:holders')
      .summary('every issuance of a BARCODEID')
      .description('every issuance of a BARCODEID in a database: when, to which number, in which message (exit code 1: never issued)')
      .argument('<DATABASEID>', 'the database')
      .argument('<BARCODEID>', 'the value')
      .action(act(ctx, (id: string, barcodeId: string) => showHolders(ctx, id, barcodeId))),
    'database:holders 17856 Ticket_12345',
  );
}

function settingsFrom(json: string | undefined): BarcodeSettings {
  let raw: unknown = {};
  if (json !== undefined) {
    try {
      raw = JSON.parse(json);
    } catch {
      throw new AdminError(`settings must be JSON, got: ${json}`);
    }
  }
  // Refused here, at creation, with the name of the bad setting; never at render time.
  try {
    return parseBarcodeSettings(raw);
  } catch (error) {
    throw new AdminError(error instanceof Error ? error.message : String(error));
  }
}

function symbologyFrom(text: string): Symbology {
  const symbology = Object.values(Symbology).find((s) => s === text);
  if (symbology === undefined) throw new AdminError(`unknown symbology ${text}: ${describeChoices(Object.values(Symbology))}`);
  return symbology;
}

async function createDatabase(ctx: AdminContext, accountName: string, idText: string, symbologyText: string, json: string | undefined, name: string | undefined) {
  const id = idFrom('DATABASEID', idText);
  const symbology = symbologyFrom(symbologyText);
  const settings = settingsFrom(json);
  if (name !== undefined && name.trim() === '') throw new AdminError('--name must not be empty');
  const account = await ctx.account(accountName);
  const existing = await ctx.prisma.barcodeDatabase.findUnique({ where: { id }, include: { account: { select: { name: true } } } });
  if (existing !== null) throw new AdminError(`database ${id} exists already (account ${existing.account.name})`);
  await ctx.prisma.barcodeDatabase.create({
    data: { id, accountId: account.id, name: name?.trim() ?? `${symbology} database ${id}`, symbology, settings },
  });
  ctx.print(`database ${id} (${symbology}) created for ${accountName}: ${JSON.stringify(settings)}`);
  await ctx.noteCatalogChange();
}

async function changeSettings(ctx: AdminContext, idText: string, json: string) {
  const id = idFrom('DATABASEID', idText);
  const settings = settingsFrom(json);
  if ((await ctx.prisma.barcodeDatabase.findUnique({ where: { id } })) === null) throw new AdminError(`no database ${id}`);
  const updated = await ctx.prisma.barcodeDatabase.update({
    where: { id },
    data: { settings, settingsVersion: { increment: 1 } },
  });
  ctx.print(`database ${id} settings version ${updated.settingsVersion}: ${JSON.stringify(settings)}`);
}

async function showHolders(ctx: AdminContext, idText: string, barcodeId: string): Promise<number> {
  const databaseId = idFrom('DATABASEID', idText);
  const issued = await ctx.prisma.issuedBarcode.findMany({ where: { databaseId, barcodeId }, orderBy: { issuedAt: 'asc' } });
  if (issued.length === 0) ctx.print(`BARCODEID ${barcodeId} was never issued in database ${databaseId}`);
  for (const i of issued) ctx.print(`${i.issuedAt.toISOString()}  ${i.phone}  ${i.trackingId}  campaign ${i.campaignId ?? '-'}`);
  return issued.length === 0 ? 1 : 0;
}
