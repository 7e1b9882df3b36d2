import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { type Prisma, PostbackForm, PostbackState } from '@mms/db';
import { type AdminContext, AdminError, act, withExamples } from './context';
import { integerFrom, onOffFrom, oneOf } from './input';

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

interface PostbackOptions {
  url?: string | false;
  form?: string;
  bundle?: string;
  retryDelayMs?: string;
  maxAttempts?: string;
  rotateSecret?: boolean;
}

/** account:postbacks: an account's postback URL, form, bundling, retries and signing secret. */
export function registerPostbackCommands(program: Command, ctx: AdminContext): void {
  const given = new Set<string>();
  const command = program
    .command('account:postbacks')
    .summary('postback URL, form, retries and signing secret')
    .description(
      "an account's postback settings, its signing secret (printed nowhere else) and its postbacks by state; options change them, all checked before anything is written",
    )
    .argument('<account>', 'the account name')
    .option('--url <url>', 'the http(s) URL postbacks go to')
    .option('--no-url', 'no postbacks (pending ones are given up at their next attempt)')
    .option('--form <form>', 'raw (XML body), xml or XML (the form field of that name)')
    .option('--bundle <on|off>', 'bundle the notices pending within POSTBACK_BUNDLE_WINDOW_MS into one request')
    .option('--retry-delay-ms <n|default>', "delay between attempts, 100..86400000, or default (the fleet's POSTBACK_RETRY_DELAY_MS)")
    .option('--max-attempts <n|default>', "attempts per postback, 1..100, or default (the fleet's POSTBACK_MAX_ATTEMPTS)")
    .option('--rotate-secret', 'a new random signing secret (the partner needs it at once)')
    .on('option:url', () => given.add('url'))
    .on('option:no-url', () => given.add('no-url'))
    .action(
      act(ctx, (accountName: string, options: PostbackOptions) => {
        if (given.has('url') && given.has('no-url')) throw new AdminError('--url and --no-url together');
        return accountPostbacks(ctx, accountName, postbackChanges(options));
      }),
    );
  withExamples(command, 'account:postbacks acme', 'account:postbacks acme --url https://partner.example/postbacks --form xml --max-attempts 3', 'account:postbacks acme --rotate-secret');
}

function postbackUrlFrom(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AdminError(`--url must be an http or https URL, got: ${text}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AdminError(`--url must be http or https, got: ${text}`);
  if (url.hostname === '') throw new AdminError(`--url needs a host, got: ${text}`);
  return url.toString();
}

/** An integer within bounds, or null for `default` (the fleet's setting). */
function overrideFrom(option: string, text: string, min: number, max: number): number | null {
  return text === 'default' ? null : integerFrom(`--${option}`, text, min, max, 'default');
}

/** The changes the options ask for, every option checked before anything is written. */
function postbackChanges(o: PostbackOptions): Prisma.AccountUpdateInput {
  const changes: Prisma.AccountUpdateInput = {};
  if (typeof o.url === 'string') changes.postbackUrl = postbackUrlFrom(o.url);
  if (o.url === false) changes.postbackUrl = null;
  if (o.form !== undefined) changes.postbackForm = oneOf('--form', o.form, POSTBACK_FORMS);
  if (o.bundle !== undefined) changes.postbackBundle = onOffFrom('--bundle', o.bundle);
  if (o.retryDelayMs !== undefined) changes.postbackRetryDelayMs = overrideFrom('retry-delay-ms', o.retryDelayMs, 100, 86_400_000);
  if (o.maxAttempts !== undefined) changes.postbackMaxAttempts = overrideFrom('max-attempts', o.maxAttempts, 1, 100);
  if (o.rotateSecret === true) changes.postbackSecret = randomBytes(32).toString('hex');
  return changes;
}

async function accountPostbacks(ctx: AdminContext, accountName: string, changes: Prisma.AccountUpdateInput): Promise<void> {
  const found = await ctx.account(accountName);
  const changing = Object.keys(changes).length > 0;
  const account = changing ? await ctx.prisma.account.update({ where: { id: found.id }, data: changes }) : found;
  const byState = await ctx.prisma.postback.groupBy({ by: ['state'], where: { accountId: account.id }, _count: { _all: true } });
  const count = (state: PostbackState) => byState.find((g) => g.state === state)?._count._all ?? 0;

  ctx.print(`account ${account.name}: postback settings${changing ? ' changed' : ''}`);
  ctx.print(`  url             ${account.postbackUrl ?? 'none (no postbacks are written)'}`);
  ctx.print(`  form            ${FORM_DESCRIPTIONS[account.postbackForm]}`);
  ctx.print(`  bundle          ${account.postbackBundle ? 'on' : 'off'}`);
  ctx.print(`  retry delay     ${account.postbackRetryDelayMs === null ? '(fleet default)' : `${account.postbackRetryDelayMs} ms`}`);
  ctx.print(`  max attempts    ${account.postbackMaxAttempts ?? '(fleet default)'}`);
  // Shown here and nowhere else: the operator hands it to the partner, who checks X-Postback-Signature with it.
  ctx.print(`  secret          ${account.postbackSecret}`);
  ctx.print(`  postbacks       ${Object.values(PostbackState).map((state) => `${state} ${count(state)}`).join(', ')}`);
  if (changes.postbackSecret !== undefined) ctx.print('the partner needs the new secret now: every notice from here on is signed with it');
  const pending = count('PENDING');
  if (changes.postbackUrl === null && pending > 0) ctx.print(`${pending} pending postback${pending === 1 ? '' : 's'} will be given up at the next attempt (no URL)`);
}
