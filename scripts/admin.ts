/**
 * `npm run admin -- <command>`: operator commands.
 *   message:show <TRACKINGID | BARCODEID | phone>          a message's whole history, its postbacks and their attempts
 *   database:create <account> <DATABASEID> <symbology> [settings JSON]
 *   database:settings <DATABASEID> <settings JSON>         replaces the settings, bumps the version
 *   database:holders <DATABASEID> <BARCODEID>              every issuance of a barcode
 *   account:postbacks <account> [options]                  an account's postback settings (and its
 *                                                          signing secret, printed nowhere else); options change them
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createPrismaClient, type Prisma, type PrismaClient, PostbackForm, PostbackState } from '@mms/db';
import { Symbology, messageIdOf, parseBarcodeSettings } from '@mms/contracts';

const usage = [
  'usage: npm run admin -- <command>',
  '  message:show <TRACKINGID | BARCODEID | phone>',
  '  database:create <account> <DATABASEID> <symbology> [settings JSON]',
  `      symbology: ${Object.values(Symbology).join(', ')}`,
  '  database:settings <DATABASEID> <settings JSON>',
  '  database:holders <DATABASEID> <BARCODEID>',
  '  account:postbacks <account> [--url <http(s) URL> | --no-url] [--form raw|xml|XML] [--bundle on|off]',
  '                    [--retry-delay-ms <100..86400000> | default] [--max-attempts <1..100> | default] [--rotate-secret]',
  '      no options: the settings, the signing secret and the postbacks by state',
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
    include: {
      events: { orderBy: { id: 'asc' } },
      account: { select: { name: true } },
      postbacks: { orderBy: { id: 'asc' }, include: { attemptLog: { orderBy: { number: 'asc' } } } },
    },
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
    printPostbacks(m.postbacks);
  }
  return 0;
}

type PostbackWithAttempts = Prisma.PostbackGetPayload<{ include: { attemptLog: true } }>;

function printPostbacks(postbacks: readonly PostbackWithAttempts[]): void {
  if (postbacks.length === 0) {
    console.log('  postbacks: none');
    return;
  }
  console.log('  postbacks:');
  for (const p of postbacks) {
    const line = [`postback ${p.id}`, p.code, p.state.padEnd(9), `${p.attempts} ${p.attempts === 1 ? 'attempt' : 'attempts'}`];
    if (p.state === 'PENDING') line.push(`next attempt ${p.nextAttemptAt.toISOString()}`);
    if (p.lastError !== null) line.push(`last error: ${p.lastError}`);
    console.log(`    ${line.join('  ')}`);
    for (const a of p.attemptLog) {
      const attempt = [`attempt ${a.number}`, a.startedAt.toISOString(), a.outcome ?? 'no outcome (in flight, or its worker died)'];
      if (a.httpStatus !== null) attempt.push(`HTTP ${a.httpStatus}`);
      if (a.durationMs !== null) attempt.push(`${a.durationMs} ms`);
      if (a.bundleSize > 1) attempt.push(`bundle of ${a.bundleSize}`);
      if (a.error !== null) attempt.push(`error: ${a.error}`);
      console.log(`      ${attempt.join('  ')}`);
    }
  }
}

/** The operator's names of the postback forms (skycore/API.md): the raw body, or the form field xml or XML. */
const POSTBACK_FORMS: Readonly<Record<string, PostbackForm>> = {
  raw: PostbackForm.RAW_BODY,
  xml: PostbackForm.FORM_FIELD_LOWER,
  XML: PostbackForm.FORM_FIELD_UPPER,
};
const FORM_DESCRIPTIONS: Readonly<Record<PostbackForm, string>> = {
  RAW_BODY: 'raw (the XML document is the request body)',
  FORM_FIELD_LOWER: 'xml (the XML document in the form field xml)',
  FORM_FIELD_UPPER: 'XML (the XML document in the form field XML)',
};

function postbackUrlFrom(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url must be an http or https URL, got: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http or https, got: ${text}`);
  if (url.hostname === '') throw new UsageError(`--url needs a host, got: ${text}`);
  return url.toString();
}

/** An integer within bounds, or null for `default` (the fleet's setting). */
function overrideFrom(option: string, text: string, min: number, max: number): number | null {
  if (text === 'default') return null;
  const n = /^[0-9]{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${option} must be an integer from ${min} to ${max}, or default; got: ${text}`);
  return n;
}

/** The account's name and the changes its options ask for, every option checked before anything is written. */
function postbackOptions(args: string[]): { accountName: string; changes: Prisma.AccountUpdateInput } {
  let parsed: ReturnType<typeof parsePostbackArgs>;
  try {
    parsed = parsePostbackArgs(args);
  } catch (error) {
    // Node's own words ("Unknown option '--x'"), without its advice on positionals that start with '-'.
    throw new UsageError(`account:postbacks: ${(error instanceof Error ? error.message : String(error)).split('. ')[0]}`);
  }
  const [accountName, ...extra] = parsed.positionals;
  if (accountName === undefined) throw new UsageError('account:postbacks needs an account name');
  if (extra.length > 0) throw new UsageError(`account:postbacks takes one account, got also: ${extra.join(' ')}`);
  const { values: o } = parsed;
  const changes: Prisma.AccountUpdateInput = {};
  if (o.url !== undefined && o['no-url'] === true) throw new UsageError('--url and --no-url together');
  if (o.url !== undefined) changes.postbackUrl = postbackUrlFrom(o.url);
  if (o['no-url'] === true) changes.postbackUrl = null;
  if (o.form !== undefined) {
    const form = Object.hasOwn(POSTBACK_FORMS, o.form) ? POSTBACK_FORMS[o.form] : undefined;
    if (form === undefined) throw new UsageError(`--form must be raw, xml or XML, got: ${o.form}`);
    changes.postbackForm = form;
  }
  if (o.bundle !== undefined) {
    if (o.bundle !== 'on' && o.bundle !== 'off') throw new UsageError(`--bundle must be on or off, got: ${o.bundle}`);
    changes.postbackBundle = o.bundle === 'on';
  }
  if (o['retry-delay-ms'] !== undefined) changes.postbackRetryDelayMs = overrideFrom('retry-delay-ms', o['retry-delay-ms'], 100, 86_400_000);
  if (o['max-attempts'] !== undefined) changes.postbackMaxAttempts = overrideFrom('max-attempts', o['max-attempts'], 1, 100);
  if (o['rotate-secret'] === true) changes.postbackSecret = randomBytes(32).toString('hex');
  return { accountName, changes };
}

function parsePostbackArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      url: { type: 'string' },
      'no-url': { type: 'boolean' },
      form: { type: 'string' },
      bundle: { type: 'string' },
      'retry-delay-ms': { type: 'string' },
      'max-attempts': { type: 'string' },
      'rotate-secret': { type: 'boolean' },
    },
  });
}

async function accountPostbacks(prisma: PrismaClient, args: string[]): Promise<number> {
  const { accountName, changes } = postbackOptions(args);
  const found = await prisma.account.findUnique({ where: { name: accountName } });
  if (found === null) throw new UsageError(`no account named ${accountName}`);
  const changing = Object.keys(changes).length > 0;
  const account = changing ? await prisma.account.update({ where: { id: found.id }, data: changes }) : found;
  const byState = await prisma.postback.groupBy({ by: ['state'], where: { accountId: account.id }, _count: { _all: true } });
  const count = (state: PostbackState) => byState.find((g) => g.state === state)?._count._all ?? 0;

  console.log(`account ${account.name}: postback settings${changing ? ' changed' : ''}`);
  console.log(`  url             ${account.postbackUrl ?? 'none (no postbacks are written)'}`);
  console.log(`  form            ${FORM_DESCRIPTIONS[account.postbackForm]}`);
  console.log(`  bundle          ${account.postbackBundle ? 'on' : 'off'}`);
  console.log(`  retry delay     ${account.postbackRetryDelayMs === null ? '(fleet default)' : `${account.postbackRetryDelayMs} ms`}`);
  console.log(`  max attempts    ${account.postbackMaxAttempts ?? '(fleet default)'}`);
  // Shown here and nowhere else: the operator hands it to the partner, who checks X-Postback-Signature with it.
  console.log(`  secret          ${account.postbackSecret}`);
  console.log(`  postbacks       ${Object.values(PostbackState).map((state) => `${state} ${count(state)}`).join(', ')}`);
  if (changes.postbackSecret !== undefined) console.log('the partner needs the new secret now: every notice from here on is signed with it');
  const pending = count('PENDING');
  if (changes.postbackUrl === null && pending > 0) console.log(`${pending} pending postback${pending === 1 ? '' : 's'} will be given up at the next attempt (no URL)`);
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
    'account:postbacks': accountPostbacks,
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
