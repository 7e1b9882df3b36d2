import { esc, renderPage, utcTime } from '../common/html-page';
import { messageAnchor } from '../inbox/inbox-page';
import type { StoredMessage } from '../store/stored-message';
import type { PostbackNotice } from './postback-document';
import type { StoredPostback } from './postback-store';

/**
 * The postbacks page: what the partner's server received, newest first, one
 * `<article class="postback" data-code data-tracking-id>` per notice (a bundle's notices carry
 * `data-bundle="<request id>"`). Each TRACKINGID links to the inbox message whose TransactionID it
 * is (the fleet sends the TRACKINGID as the SubmitReq's TransactionID). Same safety as the inbox:
 * no script, every received value through esc().
 */

export interface PostbacksView {
  readonly records: readonly StoredPostback[];
  readonly total: number;
  /** TRACKINGID (= TransactionID) -> id of the inbox message to link to. */
  readonly inboxLinks: ReadonlyMap<string, string>;
  readonly statusCode: number;
  readonly signaturesChecked: boolean;
  /** Seconds between reloads; 0: none. */
  readonly refreshSeconds: number;
}

/**
 * Which inbox message a TransactionID links to: an accepted one before a refused one (a refused
 * SubmitReq sent again is not what was delivered), and of those the newest (the one whose answer
 * the sender saw when an earlier answer timed out).
 */
export function inboxLinks(messagesNewestFirst: readonly StoredMessage[]): Map<string, string> {
  const chosen = new Map<string, StoredMessage>();
  for (const message of messagesNewestFirst) {
    if (message.transactionId === null) continue;
    const earlier = chosen.get(message.transactionId);
    if (earlier === undefined || (earlier.status === 'rejected' && message.status === 'accepted')) chosen.set(message.transactionId, message);
  }
  return new Map([...chosen].map(([transactionId, message]) => [transactionId, message.id]));
}

const SIGNATURE_TEXT: Record<StoredPostback['signature'], string> = {
  valid: 'signature valid',
  invalid: 'signature INVALID',
  missing: 'no signature',
  unchecked: 'signature not checked (no secret)',
};

function trackingId(notice: PostbackNotice, links: ReadonlyMap<string, string>): string {
  if (notice.trackingId === null) return '<span class="tracking-id missing">(none)</span>';
  const messageId = links.get(notice.trackingId);
  if (messageId === undefined) return `<span class="tracking-id" title="no inbox message has this TransactionID">${esc(notice.trackingId)}</span>`;
  return `<a class="tracking-id" href="/#${esc(encodeURIComponent(messageAnchor(messageId)))}">${esc(notice.trackingId)}</a>`;
}

function field(className: string, label: string, value: string | null): string {
  return value === null ? '' : `<dt>${label}</dt><dd class="${className}">${esc(value)}</dd>`;
}

function renderNotice(record: StoredPostback, notice: PostbackNotice, n: number, links: ReadonlyMap<string, string>): string {
  const attributes = [
    `class="postback ${codeClass(notice.code)}"`,
    `data-code="${esc(notice.code)}"`,
    `data-tracking-id="${esc(notice.trackingId)}"`,
    `data-record="${record.id}"`,
    record.bundled ? `data-bundle="${record.id}"` : '',
    `data-signature="${record.signature}"`,
    `data-answered-status="${record.answeredStatus}"`,
    record.repeat ? 'data-repeat="true"' : '',
  ].filter((a) => a !== '');
  const badges = [
    `<span class="badge signature ${record.signature}">${SIGNATURE_TEXT[record.signature]}</span>`,
    record.repeat ? `<span class="badge repeat" title="same Idempotency-Key as request #${record.repeatOf}">repeat of #${record.repeatOf}</span>` : '',
    record.answeredStatus === 200 ? '' : `<span class="badge answered">answered ${record.answeredStatus}</span>`,
  ].filter((b) => b !== '');
  const request =
    `<div class="request">#${record.id}${record.bundled ? ` · <span class="bundle">notice ${n + 1}/${record.notices.length} of a bundle</span>` : ''}` +
    ` · <span class="form">${esc(record.form)}</span> · key <code class="idempotency-key">${esc(record.idempotencyKey ?? '(no Idempotency-Key)')}</code></div>` +
    `<div class="badges">${badges.join(' ')}</div>`;
  const fields =
    `<dl class="fields"><dt>TO</dt><dd class="to">${esc(notice.to ?? '(none)')}</dd><dt>TRACKINGID</dt><dd>${trackingId(notice, links)}</dd>` +
    field('status-details', 'STATUSDETAILS', notice.statusDetails) +
    field('handset', 'HANDSET', notice.handset) +
    field('spid', 'SPID', notice.spid) +
    field('sent-as', 'SENTAS', notice.sentAs) +
    field('mms-id', 'MMSID', notice.mmsId) +
    field('timestamp', 'TIMESTAMP', notice.timestamp) +
    '</dl>';
  const warnings =
    record.warnings.length === 0
      ? ''
      : `<details class="warnings"><summary>${record.warnings.length} warning(s)</summary><ul>${record.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></details>`;
  const document = `<details class="document"><summary>document (${esc(record.form)}, ${esc(record.contentType)})</summary><pre>${esc(record.document)}</pre></details>`;
  return (
    `<article ${attributes.join(' ')}>` +
    `<header><span class="code">${esc(notice.code ?? '(no CODE)')}</span> <span class="status">${esc(notice.status ?? '(no STATUS)')}</span>` +
    `<time class="received" datetime="${record.receivedAt.toISOString()}">${esc(utcTime(record.receivedAt))}</time></header>` +
    `${request}${fields}${warnings}${document}</article>`
  );
}

/** N101, N102, E101 get their colour; anything else the neutral one. */
function codeClass(code: string | null): string {
  return code === 'N101' || code === 'N102' || code === 'E101' ? code.toLowerCase() : 'unknown';
}

const STYLE = `
.postback{width:420px;background:#fff;color:#111;border-radius:10px;border-left:8px solid #888;padding:10px 12px;box-shadow:0 4px 14px #0006}
.postback.n101{border-left-color:#1a5fb4}.postback.n102{border-left-color:#1b7f3b}.postback.e101{border-left-color:#b3261e}
.postback header{display:flex;gap:8px;align-items:baseline}.code{font-weight:700}.status{flex:1}.received{font-size:11px;color:#666}
.request{font-size:12px;color:#555;margin-top:4px;word-break:break-all}.idempotency-key{font-size:11px}
.badges{margin-top:4px}.badge.valid{background:#1b7f3b}.badge.invalid{background:#b3261e}.badge.missing,.badge.unchecked{background:#777}
.badge.repeat{background:#c66a00}.badge.answered{background:#6a3fb5}
.fields{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:8px 0;font-size:13px}.fields dt{color:#666;font-size:11px;padding-top:2px}
.fields dd{margin:0;word-break:break-all}.status-details{color:#7a1b14}a.tracking-id{color:#1a5fb4}
.warnings{font-size:12px;color:#7a5600}.warnings ul{padding-left:18px;margin:4px 0}
.document{font-size:12px;margin-top:4px}.document pre{white-space:pre-wrap;word-break:break-all;background:#f4f4f4;padding:6px;border-radius:6px;max-height:320px;overflow:auto}
`;

export function renderPostbacks(view: PostbacksView): string {
  const notices = view.records.reduce((sum, r) => sum + r.notices.length, 0);
  const shown = view.records.length < view.total ? ` (newest ${view.records.length} shown)` : '';
  const answer = view.statusCode === 200 ? 'answering 200 OK' : `<strong>answering HTTP ${view.statusCode}</strong> (postbackStatusCode)`;
  const signatures = view.signaturesChecked ? 'signatures checked' : 'signatures not checked (MMSC_SIM_POSTBACK_SECRET unset)';
  const body =
    view.records.length === 0
      ? '<p class="empty">No postbacks yet. Point the account\'s postback URL at /postbacks on this server.</p>'
      : view.records.map((record) => record.notices.map((notice, n) => renderNotice(record, notice, n, view.inboxLinks)).join('\n')).join('\n');
  return renderPage({
    title: 'MMSC simulator postbacks',
    current: '/postbacks',
    refreshSeconds: view.refreshSeconds,
    style: STYLE,
    summary:
      `<div class="counts">${view.total} request(s)${esc(shown)}, ${notices} notice(s) shown${view.refreshSeconds > 0 ? ` · reloads every ${view.refreshSeconds} s` : ''}</div>\n` +
      `<div class="settings">${answer} · ${signatures}</div>`,
    content: body,
  });
}
