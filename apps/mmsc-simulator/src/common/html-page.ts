import type { FastifyReply } from 'fastify';

/**
 * What the simulator's pages share: escaping, the page frame with its navigation and reload, the
 * query bounds, and the headers. Pages are server-rendered without script; every value that came
 * from a request goes through esc().
 */

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function utcTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A `?limit=` or `?refresh=` value: digits only, clamped; anything else is the default. */
function boundedInt(value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value)) return fallback;
  return Math.min(max, Math.max(min, Number(value)));
}

const DEFAULT_SHOWN = 50;
const DEFAULT_REFRESH_SECONDS = 5;

/** Where a page's `?limit=` and `?refresh=` lead. */
export function pageQuery(limit: string | undefined, refresh: string | undefined): { limit: number; refreshSeconds: number } {
  return { limit: boundedInt(limit, DEFAULT_SHOWN, 1, 1000), refreshSeconds: boundedInt(refresh, DEFAULT_REFRESH_SECONDS, 0, 3600) };
}

/** Hostile values are escaped, and the CSP is the second wall: no script, only our own media. */
export async function sendPage(reply: FastifyReply, html: string): Promise<void> {
  await reply
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'")
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(html);
}

const PAGES = [
  { href: '/', label: 'inbox' },
  { href: '/postbacks', label: 'postbacks' },
] as const;

export type PageHref = (typeof PAGES)[number]['href'];

const BASE_STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#1f2430;color:#e8e8e8}
.top{padding:12px 20px;background:#151922;border-bottom:1px solid #333}.top h1{margin:0 0 4px;font-size:18px}
.nav{float:right;font-size:13px}.nav a{color:#8ab4f8;margin-left:12px}.nav a.current{color:#e8e8e8;font-weight:600;text-decoration:none}
.counts,.settings{color:#aab;font-size:12px}.settings strong{color:#f6b73c}
main{display:flex;flex-wrap:wrap;gap:20px;padding:20px;align-items:flex-start}
.empty{color:#aab;padding:40px}
.badge{display:inline-block;padding:1px 6px;border-radius:8px;font-size:11px;font-weight:600;color:#fff}
`;

export interface PageFrame {
  readonly title: string;
  readonly current: PageHref;
  /** Seconds between reloads; 0: none. */
  readonly refreshSeconds: number;
  /** The page's own rules, after BASE_STYLE. */
  readonly style: string;
  /** Trusted HTML (already escaped) under the title, and the page's content. */
  readonly summary: string;
  readonly content: string;
}

export function renderPage(frame: PageFrame): string {
  const refresh = frame.refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${frame.refreshSeconds}">` : '';
  const nav = PAGES.map((p) => `<a href="${p.href}"${p.href === frame.current ? ' class="current" aria-current="page"' : ''}>${p.label}</a>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${refresh}
<title>${esc(frame.title)}</title><style>${BASE_STYLE}${frame.style}</style></head>
<body><div class="top"><nav class="nav">${nav}</nav><h1>${esc(frame.title)}</h1>
${frame.summary}</div>
<main>${frame.content}</main></body></html>`;
}
