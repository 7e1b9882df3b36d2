import { esc, renderPage, utcTime } from '../common/html-page';
import { decodeText } from '../mm7/submit-request.reader';
import type { RuntimeSettings } from '../settings/simulator-settings';
import type { StoredMessage, StoredPart } from '../store/stored-message';
import type { SlideItem } from '../content/presentation';

/**
 * The inbox page: every message newest first, each drawn as a handset would show it (sender,
 * subject, then the SMIL slides in order with their images and text). Server-rendered, no script;
 * every value that came from a request goes through esc(). Each message has the anchor
 * `#message-<id>` (the postbacks page links its TRACKINGIDs there).
 */

export interface InboxView {
  readonly messages: readonly StoredMessage[];
  readonly total: number;
  readonly stats: { submissions: number; accepted: number; rejected: number; repeats: number; failuresInjected: { total: number } };
  readonly settings: RuntimeSettings;
  /** Seconds between reloads; 0: none. */
  readonly refreshSeconds: number;
}

/** The inbox anchor of a message. */
export function messageAnchor(id: string): string {
  return `message-${id}`;
}

function partUrl(message: StoredMessage, index: number): string {
  return `/api/messages/${encodeURIComponent(message.id)}/parts/${index}`;
}

function renderItem(message: StoredMessage, item: SlideItem): string {
  const part = item.partIndex === null ? undefined : message.parts[item.partIndex];
  if (part === undefined) return `<div class="missing">missing: ${esc(item.src)}</div>`;
  const url = esc(partUrl(message, part.index));
  const label = esc(part.contentLocation ?? part.contentId ?? `part ${part.index}`);
  switch (item.kind) {
    case 'image':
      return `<img class="media" src="${url}" alt="${label}" title="${label} (${esc(part.contentType)}, ${part.body.length} bytes)">`;
    case 'text':
      return `<div class="text">${esc(textOf(part))}</div>`;
    case 'video':
      return `<video class="media" src="${url}" controls preload="metadata"></video>`;
    case 'audio':
      return `<audio src="${url}" controls preload="metadata"></audio>`;
    default:
      return `<a class="attachment" href="${url}">${label} (${esc(part.contentType)})</a>`;
  }
}

function textOf(part: StoredPart): string {
  return decodeText(part.body, part.charset ?? undefined);
}

function renderReports(message: StoredMessage): string {
  if (message.status !== 'accepted') return '';
  const lines = message.deliveryReports.map((r) => {
    const outcome: Record<typeof r.state, string> = {
      'not-requested': 'not requested by the SubmitReq',
      off: `off${r.error === null ? '' : ` (${r.error})`}`,
      scheduled: `${r.mmStatus ?? ''} scheduled`,
      sending: `${r.mmStatus ?? ''} being sent`,
      delivered: `${r.mmStatus ?? ''} reported, VASP answered ${r.statusCode ?? '?'}`,
      failed: `${r.mmStatus ?? ''} report failed: ${r.error ?? ''}`,
      cancelled: 'cancelled',
    };
    return `<li>delivery report for ${esc(r.recipient.value)}: ${esc(outcome[r.state])}${r.attempts > 1 ? ` (${r.attempts} attempts)` : ''}</li>`;
  });
  return lines.length === 0 ? '' : `<ul class="reports">${lines.join('')}</ul>`;
}

function renderMessage(message: StoredMessage): string {
  const badges = [
    `<span class="badge ${message.status}">${esc(message.status)} ${message.statusCode}</span>`,
    message.repeat ? `<span class="badge repeat" title="TransactionID first accepted as message ${esc(message.repeatOf)}">repeat</span>` : '',
    message.injected !== null ? `<span class="badge injected">injected: ${esc(message.injected)}</span>` : '',
  ].join(' ');
  const header =
    `<header><div class="from">${esc(message.sender?.value ?? '(no sender)')}</div><time>${esc(utcTime(message.receivedAt))}</time></header>` +
    `<div class="to">to ${esc(message.recipients.map((r) => `${r.value}${r.field === 'To' ? '' : ` (${r.field})`}`).join(', ') || '(no recipient)')}</div>` +
    `<div class="subject">${esc(message.subject ?? '(no subject)')}</div>` +
    `<div class="meta">${badges} <span class="ids">#${esc(message.id)} · TransactionID ${esc(message.transactionId ?? '-')}` +
    `${message.messageId === null ? '' : ` · MessageID ${esc(message.messageId)}`} · MM7 ${esc(message.mm7Version ?? '?')} (${esc(message.dialect ?? '?')})</span></div>`;
  const refusal = message.status === 'rejected' ? `<div class="details">${esc(message.statusText)}: ${esc(message.details ?? '')}</div>` : '';
  const slides = message.presentation.slides
    .map(
      (slide, n) =>
        `<section class="slide"><div class="slide-no">slide ${n + 1}/${message.presentation.slides.length}${slide.duration === null ? '' : ` · ${esc(slide.duration)}`}</div>` +
        `${slide.items.map((item) => renderItem(message, item)).join('')}</section>`,
    )
    .join('');
  const attachments = message.presentation.unreferenced
    .map((index) => {
      const part = message.parts[index] as StoredPart;
      return `<a class="attachment" href="${esc(partUrl(message, index))}">${esc(part.contentLocation ?? part.contentId ?? `part ${index}`)} (${esc(part.contentType)})</a>`;
    })
    .join('');
  const warnings =
    message.warnings.length === 0
      ? ''
      : `<details class="warnings"><summary>${message.warnings.length} warning(s)</summary><ul>${message.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></details>`;
  const envelope = message.soapXml === null ? '' : `<a class="raw" href="/api/messages/${encodeURIComponent(message.id)}/envelope">SOAP envelope</a>`;
  return `<article class="phone ${message.status}" id="${esc(messageAnchor(message.id))}">${header}${refusal}<div class="screen">${slides}${attachments}</div>${renderReports(message)}${warnings}${envelope}</article>`;
}

function renderSettings(settings: RuntimeSettings): string {
  const active = [
    settings.statusCode !== null ? `every submit answered ${settings.statusCode}` : '',
    settings.failurePercent > 0 ? `${settings.failurePercent}% answered ${settings.failureStatusCode}` : '',
    settings.latencyMs > 0 ? `+${settings.latencyMs} ms latency` : '',
    settings.timeoutMs > 0 ? `answers held ${settings.timeoutMs} ms` : '',
    settings.dropPercent > 0 ? `${settings.dropPercent}% connections dropped` : '',
  ].filter((s) => s !== '');
  const reports = settings.dlrUrl === null ? 'delivery reports off (no URL)' : `delivery reports (${settings.dlrWhen}): ${settings.dlrStatus} after ${settings.dlrDelayMs} ms to ${settings.dlrUrl}`;
  return `<div class="settings">${active.length === 0 ? 'no failure injection' : `<strong>failure injection:</strong> ${esc(active.join(', '))}`} · ${esc(reports)}</div>`;
}

const STYLE = `
.phone{width:340px;background:#fff;color:#111;border:10px solid #0b0b0b;border-radius:28px;padding:14px 12px;box-shadow:0 6px 20px #0008}
.phone.rejected{border-color:#6b1111;opacity:.92}
header{display:flex;justify-content:space-between;gap:8px;font-size:12px;color:#555}.from{font-weight:600;color:#111}
.to{font-size:12px;color:#555}.subject{font-size:16px;font-weight:600;margin:6px 0 4px}
.meta{font-size:11px;color:#666}.ids{word-break:break-all}
.badge.accepted{background:#1b7f3b}.badge.rejected{background:#b3261e}.badge.repeat{background:#c66a00}.badge.injected{background:#6a3fb5}
.details{margin:8px 0;padding:6px 8px;background:#fde8e7;color:#7a1b14;border-radius:6px;font-size:12px;word-break:break-word}
.screen{margin-top:8px}
.slide{border:1px solid #ddd;border-radius:10px;padding:8px;margin:8px 0;background:#fafafa}
.slide-no{font-size:10px;color:#888;margin-bottom:4px}
.media{display:block;max-width:100%;margin:0 auto 6px;image-rendering:pixelated;background:#fff}
.text{white-space:pre-wrap;word-break:break-word}
.missing{color:#b3261e;font-size:12px}.attachment,.raw{display:block;font-size:12px;color:#1a5fb4;margin-top:4px;word-break:break-all}
.reports{margin:6px 0 0;padding-left:18px;font-size:12px;color:#333}
.warnings{font-size:12px;color:#7a5600;margin-top:6px}.warnings ul{padding-left:18px;margin:4px 0}
`;

export function renderInbox(view: InboxView): string {
  const s = view.stats;
  const shown = view.messages.length < view.total ? ` (newest ${view.messages.length} shown)` : '';
  const body = view.messages.length === 0 ? '<p class="empty">No messages yet. POST a SubmitReq to /mm7.</p>' : view.messages.map(renderMessage).join('\n');
  return renderPage({
    title: 'MMSC simulator inbox',
    current: '/',
    refreshSeconds: view.refreshSeconds,
    style: STYLE,
    summary:
      `<div class="counts">${view.total} message(s)${esc(shown)} · ${s.submissions} submissions, ${s.accepted} accepted, ${s.rejected} refused, ${s.repeats} repeats, ${s.failuresInjected.total} failures injected${view.refreshSeconds > 0 ? ` · reloads every ${view.refreshSeconds} s` : ''}</div>\n` +
      renderSettings(view.settings),
    content: body,
  });
}
