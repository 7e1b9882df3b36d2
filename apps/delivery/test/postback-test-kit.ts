import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { XMLParser } from 'fast-xml-parser';
import type { Pool } from 'pg';
import { JobName, MessageStatus, QueueName } from '@mms/contracts';
import { type OutboxRow, acceptMessages, recordTransitions } from '@mms/db';
import { newMessageFixture } from '../../../test/fixtures';

/**
 * What the postback suites share: a partner's receiver on a real port that answers as each test
 * tells it, partner accounts of their own, messages moved through the real message ledger, and
 * the two ways Skycore's PHP SDK reads a postback.
 */

/** One request as the receiver got it. */
export interface Received {
  readonly at: number;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** How the receiver answers a request: a status, after a delay, or never (the connection held open). */
export type Answer = { readonly status: number; readonly delayMs?: number; readonly body?: string } | 'hang';

export class PartnerReceiver {
  readonly received: Received[] = [];
  private readonly server: Server;
  private readonly answers = new Map<string, Array<Answer>>();
  private readonly held = new Set<() => void>();
  base = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({ at: Date.now(), path, headers: req.headers, body: Buffer.concat(chunks) });
        const answer = this.answers.get(path)?.shift() ?? { status: 200 };
        if (answer === 'hang') {
          const release = () => res.destroy();
          this.held.add(release);
          return;
        }
        setTimeout(() => res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? 'OK'), answer.delayMs ?? 0);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The answers to the next requests on this path, in order; 200 after they are used up. */
  answerNext(path: string, ...answers: Answer[]): void {
    this.answers.set(path, [...(this.answers.get(path) ?? []), ...answers]);
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const release of this.held) release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The document as Skycore's PHP SDK reads it: since 2014 `$_POST['xml']`, else the raw body
 * (PHP fills $_POST only for form bodies); before 2014 `$_POST['XML']`.
 */
export function readAsPhpSdk(request: Received, sdk: 'since-2014' | 'before-2014'): string | undefined {
  const isForm = String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded');
  const post = isForm ? new URLSearchParams(request.body.toString('utf8')) : new URLSearchParams();
  if (sdk === 'before-2014') return post.get('XML') ?? undefined;
  return post.get('xml') ?? request.body.toString('utf8');
}

const xmlParser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'POSTBACK' });

/** The notices of a document (one, or a bundle's), each as its element texts. */
export function noticesIn(xml: string): Array<Record<string, string>> {
  const parsed = xmlParser.parse(xml) as { POSTBACK?: Array<Record<string, string>>; POSTBACKS?: { POSTBACK: Array<Record<string, string>> } };
  return parsed.POSTBACKS?.POSTBACK ?? parsed.POSTBACK ?? [];
}

/** docs/postbacks.md's Node.js verification recipe, run exactly as the page prints it. */
export function documentedVerifier(): (secret: string, headers: IncomingHttpHeaders, rawBody: Buffer, now?: number) => boolean {
  const page = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'postbacks.md'), 'utf8');
  const recipe = /```js\n([\s\S]*?)```/.exec(page)?.[1];
  if (recipe === undefined) throw new Error('docs/postbacks.md has no ```js recipe');
  const context: { require: NodeJS.Require; Buffer: typeof Buffer; verifyPostback?: unknown } = { require, Buffer };
  runInNewContext(`${recipe}\nthis.verifyPostback = verifyPostback;`, context);
  if (typeof context.verifyPostback !== 'function') throw new Error('the recipe defines no verifyPostback');
  return context.verifyPostback as ReturnType<typeof documentedVerifier>;
}

export interface PartnerSettings {
  readonly postbackUrl: string | null;
  readonly form?: 'RAW_BODY' | 'FORM_FIELD_LOWER' | 'FORM_FIELD_UPPER';
  readonly bundle?: boolean;
  readonly retryDelayMs?: number;
  readonly maxAttempts?: number;
}

/** An account of the test's own (a unique name), with its postback settings; returns its id and secret. */
export async function partnerAccount(pool: Pool, settings: PartnerSettings): Promise<{ id: number; secret: string }> {
  const { rows } = await pool.query<{ id: number; postback_secret: string }>(
    `INSERT INTO accounts (name, credits, updated_at, postback_url, postback_form, postback_bundle, postback_retry_delay_ms, postback_max_attempts)
     VALUES ($1, 1000, now(), $2, $3::"PostbackForm", $4, $5, $6) RETURNING id, postback_secret`,
    [
      `postbacks-${randomBytes(5).toString('hex')}`,
      settings.postbackUrl,
      settings.form ?? 'RAW_BODY',
      settings.bundle ?? false,
      settings.retryDelayMs ?? null,
      settings.maxAttempts ?? null,
    ],
  );
  const row = rows[0] as { id: number; postback_secret: string };
  return { id: row.id, secret: row.postback_secret };
}

export interface LedgerMessage {
  readonly id: number;
  readonly trackingId: string;
  readonly toNumber: string;
}

/**
 * Messages of the account as the gateway accepts them (their barcode outbox rows removed, so no
 * other suite's sweeper hands them to its workers), moved to RENDERED as the barcode worker does.
 */
export async function renderedMessages(pool: Pool, accountId: number, count: number): Promise<LedgerMessage[]> {
  const fixtures = Array.from({ length: count }, () => newMessageFixture(accountId, { via: 'postback test' }));
  const outcomes = await acceptMessages(pool, fixtures, { queue: QueueName.Barcode, jobName: JobName.RenderBarcode });
  const accepted = outcomes.flatMap((o, index) =>
    o.accepted ? [{ id: o.messageId, trackingId: o.trackingId, toNumber: (fixtures[index] as { toNumber: string }).toNumber, outboxId: o.outboxId }] : [],
  );
  await pool.query('DELETE FROM outbox WHERE id = ANY($1::int[])', [accepted.map((m) => m.outboxId)]);
  await recordTransitions(
    pool,
    accepted.map((m) => ({ messageId: m.id, from: [MessageStatus.Accepted], to: MessageStatus.Rendered })),
  );
  return accepted.map(({ id, trackingId, toNumber }) => ({ id, trackingId, toNumber }));
}

/** The steps as the delivery worker and the delivery reports record them; returns the postback jobs they announce. */
export const step = {
  submitted: async (pool: Pool, messages: readonly LedgerMessage[]): Promise<readonly OutboxRow[]> =>
    (
      await recordTransitions(
        pool,
        messages.map((m) => ({
          messageId: m.id,
          from: [MessageStatus.Rendered],
          to: MessageStatus.Submitted,
          set: { transport: 'mm7:default', carrierMessageId: `mmsc-${m.id}` },
          detail: { transport: 'mm7:default', reference: `mmsc-${m.id}` },
        })),
      )
    ).announced,
  reported: async (pool: Pool, message: LedgerMessage, to: MessageStatus, handset: string | null): Promise<readonly OutboxRow[]> =>
    (
      await recordTransitions(pool, [
        {
          messageId: message.id,
          from: [MessageStatus.Submitted],
          to,
          set: { handset },
          detail: { mmStatus: 'Retrieved', handset, mmscMessageId: `mmsc-${message.id}` },
        },
      ])
    ).announced,
};
