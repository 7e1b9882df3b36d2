import type { Command } from 'commander';
import type { MmsTemplate, TemplateSlide } from '@mms/db';
import { type AdminContext, AdminError, act, withExamples } from './context';
import { idFrom } from './input';
import { MANIFEST_FILE, MAX_DURATION_SECONDS, MAX_IMAGE_BYTES, MAX_IMAGE_SIDE, MAX_SLIDES, MAX_TEXT, readTemplateSource } from './template-source';

interface CreateOptions {
  database?: string;
  replace?: boolean;
}

const SOURCE_HELP = `
A template is a JSON file, or a folder with ${MANIFEST_FILE} and its images (named relative to it):
  {
    "name": "Event ticket",
    "subject": "Your ticket",
    "defaultDatabase": 900001,
    "slides": [
      { "text": "Welcome to the festival", "image": "logo.png", "duration": 5 },
      { "text": "Show this code at the gate", "barcode": true }
    ]
  }
Checked as saveMMS checks a template: 1 to ${MAX_SLIDES} slides; text up to ${MAX_TEXT} characters;
one media per slide (a GIF, JPEG or PNG image, or the barcode slot); a duration of 1 to
${MAX_DURATION_SECONDS} s (default 5); exactly one slide with the barcode slot. Ours: images up to
${MAX_IMAGE_BYTES} bytes and ${MAX_IMAGE_SIDE} pixels a side; no audio or video (nothing encodes them).
"defaultDatabase" (or --database) lets partners leave DATABASEID out.`;

/** template:create, :show, :disable, :enable. MMSID names a template; delivery composes the MMS from its slides. */
export function registerTemplateCommands(program: Command, ctx: AdminContext): void {
  withExamples(
    program
      .command('template:create')
      .summary('an MMS template (MMSID) from a folder or JSON file')
      .description('an MMS template of the account (MMSID) from a folder or a JSON file: checked, its images put in the image store the services read')
      .argument('<account>', 'the account name')
      .argument('<MMSID>', 'its id, as partners send it (1 to 9 digits)')
      .argument('<source>', `a folder with ${MANIFEST_FILE} and its images, or a JSON file`)
      .option('--database <DATABASEID>', 'the default barcode database (over the source\'s "defaultDatabase")')
      .option('--replace', "replace the content of the account's template of that MMSID")
      .addHelpText('after', SOURCE_HELP)
      .action(act(ctx, (account: string, id: string, source: string, options: CreateOptions) => createTemplate(ctx, account, id, source, options))),
    'template:create acme 900001 ./templates/festival',
    'template:create acme 900001 ./templates/festival.json --database 900002 --replace',
  );
  withExamples(
    program
      .command('template:show')
      .summary('a template and its slides')
      .description('a template: subject, status, default database and each slide')
      .argument('<MMSID>', 'the template')
      .action(act(ctx, (id: string) => showTemplate(ctx, id))),
    'template:show 35674',
  );
  for (const [verb, status, effect] of [
    ['disable', 'DISABLED', 'requests naming it get E241'],
    ['enable', 'READY', 'it may be sent again'],
  ] as const) {
    withExamples(
      program
        .command(`template:${verb}`)
        .description(`${verb}s the template: ${effect}`)
        .argument('<MMSID>', 'the template')
        .action(act(ctx, (id: string) => setStatus(ctx, id, status, effect))),
      `template:${verb} 900001`,
    );
  }
}

async function createTemplate(ctx: AdminContext, accountName: string, idText: string, source: string, options: CreateOptions): Promise<void> {
  const id = idFrom('MMSID', idText);
  const databaseOption = options.database === undefined ? undefined : idFrom('--database', options.database);
  const spec = await readTemplateSource(source);
  const account = await ctx.account(accountName);
  const defaultDatabaseId = databaseOption ?? spec.defaultDatabaseId;
  if (defaultDatabaseId !== null) {
    const database = await ctx.prisma.barcodeDatabase.findUnique({ where: { id: defaultDatabaseId } });
    if (database === null || database.accountId !== account.id) throw new AdminError(`database ${defaultDatabaseId} is not one of ${account.name}'s (database:create)`);
  }
  const existing = await ctx.prisma.mmsTemplate.findUnique({ where: { id }, include: { account: { select: { name: true } } } });
  if (existing !== null && existing.accountId !== account.id) throw new AdminError(`MMSID ${id} is a template of account ${existing.account.name}`);
  if (existing !== null && options.replace !== true) throw new AdminError(`MMSID ${id} exists already (${JSON.stringify(existing.name)}): --replace to replace its content`);

  // Content-addressed: a put that outlives a failed transaction below is one harmless unused row.
  const withImages = spec.slides.filter((s) => s.image !== null);
  const keys = await ctx.images.putMany(withImages.map((s) => ({ bytes: s.image?.bytes as Buffer, contentType: s.image?.contentType as string })));
  const keyAt = new Map(withImages.map((s, i) => [s.position, keys[i] as string]));
  // A replaced template keeps its status (a disabled one stays disabled).
  const fields = { accountId: account.id, name: spec.name, subject: spec.subject, defaultDatabaseId };
  await ctx.prisma.$transaction(async (tx) => {
    await tx.mmsTemplate.upsert({ where: { id }, create: { id, ...fields }, update: fields });
    await tx.templateSlide.deleteMany({ where: { templateId: id } });
    await tx.templateSlide.createMany({
      data: spec.slides.map((s) => ({
        templateId: id,
        position: s.position,
        text: s.text,
        durationSeconds: s.durationSeconds,
        media: s.media,
        mediaContentType: s.image?.contentType ?? null,
        mediaKey: keyAt.get(s.position) ?? null,
      })),
    });
  });
  ctx.print(`template ${id} ${existing === null ? 'created' : 'replaced'} for ${account.name}`);
  await printTemplate(ctx, id);
  await ctx.noteCatalogChange();
}

async function templateOf(ctx: AdminContext, idText: string): Promise<MmsTemplate & { slides: TemplateSlide[]; account: { name: string } }> {
  const id = idFrom('MMSID', idText);
  const template = await ctx.prisma.mmsTemplate.findUnique({
    where: { id },
    include: { slides: { orderBy: { position: 'asc' } }, account: { select: { name: true } } },
  });
  if (template === null) throw new AdminError(`no template ${id}`);
  return template;
}

async function printTemplate(ctx: AdminContext, id: number): Promise<void> {
  const t = await templateOf(ctx, String(id));
  const keys = t.slides.flatMap((s) => (s.mediaKey === null ? [] : [s.mediaKey]));
  const stored = new Map(
    (await ctx.prisma.storedImage.findMany({ where: { key: { in: keys } }, select: { key: true, byteSize: true } })).map((i) => [i.key, i.byteSize]),
  );
  ctx.print(`  MMSID ${t.id}  ${t.status}  account ${t.account.name}  name ${JSON.stringify(t.name)}`);
  ctx.print(`  subject ${JSON.stringify(t.subject)}`);
  ctx.print(`  default database ${t.defaultDatabaseId ?? 'none (DATABASEID required)'}`);
  for (const s of t.slides) {
    const media =
      s.media === 'BARCODE'
        ? 'barcode slot'
        : s.media === null
          ? 'text only'
          : `${s.media.toLowerCase()} ${s.mediaContentType ?? '?'}${s.mediaKey === null ? '' : `  ${describeStored(stored.get(s.mediaKey))}, key ${s.mediaKey.slice(0, 12)}...`}`;
    ctx.print(`  slide ${s.position}  ${s.durationSeconds} s  ${media}${s.text === null ? '' : `  text ${JSON.stringify(s.text)}`}`);
  }
}

function describeStored(byteSize: number | undefined): string {
  return byteSize === undefined ? 'MISSING from the image store' : `${byteSize} bytes`;
}

async function showTemplate(ctx: AdminContext, idText: string): Promise<void> {
  await printTemplate(ctx, idFrom('MMSID', idText));
}

async function setStatus(ctx: AdminContext, idText: string, status: 'READY' | 'DISABLED', effect: string): Promise<void> {
  const template = await templateOf(ctx, idText);
  if (template.status === status) {
    ctx.print(`template ${template.id} is ${status} already`);
    return;
  }
  if (template.status === 'ENCODING') throw new AdminError(`template ${template.id} is ENCODING: it becomes READY when its media is encoded`);
  await ctx.prisma.mmsTemplate.update({ where: { id: template.id }, data: { status } });
  ctx.print(`template ${template.id} of ${template.account.name} is now ${status}: ${effect}`);
  await ctx.noteCatalogChange();
}
