import { DEFAULT_MEDIA_TYPE, MediaType, parseMediaType } from './media-type';
import { MimeError } from './mime-error';

/**
 * A reader for MIME entities as MM7 carries them (SOAP 1.1 with attachments): multipart/related
 * (RFC 2387) bodies split by their boundary (RFC 2046 §5.1.1), part headers (RFC 2045/822, folded
 * lines unfolded), Content-Transfer-Encoding (RFC 2045 §6: 7bit, 8bit, binary, base64,
 * quoted-printable) and nested multiparts. It works on bytes: images stay intact.
 *
 * Line ends: the RFCs say CRLF; bodies with bare LF (some stacks, the peer fixtures) are read too.
 */

export interface MimeHeader {
  readonly name: string;
  readonly value: string;
}

export interface MimePart {
  readonly headers: readonly MimeHeader[];
  readonly mediaType: MediaType;
  /** Content-ID without the angle brackets, or null. */
  readonly contentId: string | null;
  readonly contentLocation: string | null;
  /** Lower case; `7bit` when the header is absent (RFC 2045 §6.1). */
  readonly transferEncoding: string;
  /** The decoded content. */
  readonly body: Buffer;
  /** The parts of a multipart/* part, in order; null for a leaf. */
  readonly children: readonly MimePart[] | null;
}

export interface MultipartLimits {
  /** Parts in one multipart (hostile input could send thousands). */
  readonly maxParts: number;
  /** Multiparts nested in multiparts. */
  readonly maxDepth: number;
}

const DEFAULT_LIMITS: MultipartLimits = { maxParts: 100, maxDepth: 4 };
const CR = 0x0d;
const LF = 0x0a;

/** Finds a header by name, case-insensitively (RFC 822 §3.4.7). */
export function headerValue(headers: readonly MimeHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

/** `<abc@x>`, `abc@x` and ` <abc@x> ` all name the same part. */
export function normalizeContentId(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1).trim() : trimmed;
}

/**
 * The Content-ID a `cid:` URL refers to (RFC 2392: the URL is %-encoded; some senders also keep
 * the angle brackets: `cid:<abc@x>`). Null when the reference is not a cid: URL.
 */
export function contentIdFromCidUrl(href: string): string | null {
  const match = /^\s*cid:(.*)$/is.exec(href);
  if (match === null) return null;
  let raw = (match[1] as string).trim();
  try {
    raw = decodeURIComponent(raw);
  } catch {
    // Not valid %-encoding: take it literally.
  }
  return normalizeContentId(raw);
}

/** Reads a whole entity from its Content-Type header value and body. */
export function parseEntity(contentType: string | undefined, body: Buffer, limits: MultipartLimits = DEFAULT_LIMITS): MimePart {
  const headers: MimeHeader[] = contentType === undefined ? [] : [{ name: 'Content-Type', value: contentType }];
  return buildPart(headers, body, 0, limits, 'the request');
}

/** The parts of a multipart body (its media type must carry a boundary). */
export function parseMultipart(mediaType: MediaType, body: Buffer, limits: MultipartLimits = DEFAULT_LIMITS): MimePart[] {
  return splitAndParse(mediaType, body, 0, limits, 'the request');
}

/**
 * The root of a multipart/related entity (RFC 2387 §3.2): the part named by the `start`
 * parameter, or the first part when there is none.
 */
export function rootPart(entity: MimePart): MimePart {
  const parts = entity.children ?? [];
  const start = entity.mediaType.params['start'];
  if (start === undefined) {
    const first = parts[0];
    if (first === undefined) throw new MimeError('multipart has no parts');
    return first;
  }
  const id = normalizeContentId(start);
  const root = parts.find((p) => p.contentId === id);
  if (root === undefined) throw new MimeError(`start="${start}" names no part (Content-IDs: ${describeIds(parts)})`);
  return root;
}

/** Every non-multipart part under `part`, depth first, in order (the part itself for a leaf). */
export function leafParts(part: MimePart): MimePart[] {
  return part.children === null ? [part] : part.children.flatMap(leafParts);
}

export function describeIds(parts: readonly MimePart[]): string {
  const ids = parts.map((p) => (p.contentId === null ? '(none)' : `<${p.contentId}>`));
  return ids.length === 0 ? 'no parts' : ids.join(', ');
}

function buildPart(headers: MimeHeader[], raw: Buffer, depth: number, limits: MultipartLimits, where: string): MimePart {
  const typeHeader = headerValue(headers, 'content-type');
  let mediaType: MediaType;
  try {
    mediaType = typeHeader === undefined || typeHeader.trim() === '' ? DEFAULT_MEDIA_TYPE : parseMediaType(typeHeader);
  } catch (error) {
    throw new MimeError(`${where}: ${(error as Error).message}`);
  }
  const transferEncoding = (headerValue(headers, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  const body = decodeTransferEncoding(raw, transferEncoding, where);
  const idHeader = headerValue(headers, 'content-id');
  const locationHeader = headerValue(headers, 'content-location');
  const children = mediaType.type === 'multipart' ? splitAndParse(mediaType, body, depth + 1, limits, where) : null;
  return {
    headers,
    mediaType,
    contentId: idHeader === undefined ? null : normalizeContentId(idHeader),
    contentLocation: locationHeader === undefined ? null : locationHeader.trim(),
    transferEncoding,
    body,
    children,
  };
}

function splitAndParse(mediaType: MediaType, body: Buffer, depth: number, limits: MultipartLimits, where: string): MimePart[] {
  if (depth > limits.maxDepth) throw new MimeError(`${where}: multiparts nested deeper than ${limits.maxDepth}`);
  const boundary = mediaType.params['boundary'];
  if (boundary === undefined || boundary === '') {
    throw new MimeError(`${where}: ${mediaType.essence} without a boundary parameter`);
  }
  const raws = splitByBoundary(body, boundary, where);
  if (raws.length > limits.maxParts) throw new MimeError(`${where}: more than ${limits.maxParts} parts`);
  return raws.map((raw, index) => {
    const partWhere = `${where === 'the request' ? 'part' : `${where}, part`} ${index + 1}`;
    const { headers, content } = splitHeaders(raw, partWhere);
    return buildPart(headers, content, depth, limits, partWhere);
  });
}

/**
 * RFC 2046 §5.1.1: a delimiter is `--boundary` at the start of a line (the line break before it
 * belongs to the delimiter), followed by optional white space and a line break; the close
 * delimiter is `--boundary--`. Text before the first delimiter (preamble) and after the last
 * (epilogue) is ignored. A body without its close delimiter was cut short: refused.
 */
function splitByBoundary(body: Buffer, boundary: string, where: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`, 'utf8');
  const parts: Buffer[] = [];
  let contentStart = -1;
  let from = 0;
  for (;;) {
    const at = body.indexOf(delimiter, from);
    if (at < 0) break;
    from = at + 1;
    if (at !== 0 && body[at - 1] !== LF) continue;
    let after = at + delimiter.length;
    const isClose = body[after] === 0x2d && body[after + 1] === 0x2d;
    if (!isClose) {
      while (body[after] === 0x20 || body[after] === 0x09) after += 1; // transport padding
      if (body[after] === CR && body[after + 1] === LF) after += 2;
      else if (body[after] === LF) after += 1;
      else if (after < body.length) continue; // `--boundary` followed by more text: not a delimiter
    }
    if (contentStart >= 0) {
      let end = at;
      if (end > 0 && body[end - 1] === LF) end -= 1;
      if (end > 0 && body[end - 1] === CR) end -= 1;
      parts.push(body.subarray(contentStart, Math.max(end, contentStart)));
    }
    if (isClose) {
      if (contentStart < 0) throw new MimeError(`${where}: close delimiter --${boundary}-- before any part`);
      return parts;
    }
    contentStart = after;
  }
  if (contentStart < 0) throw new MimeError(`${where}: no line starts with the boundary --${boundary}`);
  throw new MimeError(`${where}: the close delimiter --${boundary}-- is missing (body cut short?)`);
}

/** The header block ends at the first empty line; a part may have no headers at all. */
function splitHeaders(raw: Buffer, where: string): { headers: MimeHeader[]; content: Buffer } {
  let headerEnd: number;
  let contentStart: number;
  if (raw[0] === LF || (raw[0] === CR && raw[1] === LF)) {
    headerEnd = 0;
    contentStart = raw[0] === LF ? 1 : 2;
  } else {
    const crlf = raw.indexOf('\r\n\r\n');
    const lf = raw.indexOf('\n\n');
    if (crlf >= 0 && (lf < 0 || crlf < lf)) {
      headerEnd = crlf;
      contentStart = crlf + 4;
    } else if (lf >= 0) {
      headerEnd = lf;
      contentStart = lf + 2;
    } else {
      headerEnd = raw.length; // headers only, empty content
      contentStart = raw.length;
    }
  }
  return { headers: parseHeaderBlock(raw.subarray(0, headerEnd).toString('utf8'), where), content: raw.subarray(contentStart) };
}

function parseHeaderBlock(block: string, where: string): MimeHeader[] {
  const headers: MimeHeader[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && headers.length > 0) {
      const last = headers[headers.length - 1] as MimeHeader;
      headers[headers.length - 1] = { name: last.name, value: `${last.value} ${line.trim()}` };
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[\x21-\x39\x3b-\x7e]+$/.test(line.slice(0, colon))) {
      throw new MimeError(`${where}: malformed header line "${line.slice(0, 60)}"`);
    }
    headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return headers;
}

function decodeTransferEncoding(raw: Buffer, encoding: string, where: string): Buffer {
  switch (encoding) {
    case '7bit':
    case '8bit':
    case 'binary':
      return raw;
    case 'base64':
      return decodeBase64(raw, where);
    case 'quoted-printable':
      return decodeQuotedPrintable(raw);
    default:
      throw new MimeError(`${where}: unknown Content-Transfer-Encoding "${encoding}"`);
  }
}

/** RFC 2045 §6.8: the alphabet, padding to a multiple of 4; line breaks and spaces are ignored. */
function decodeBase64(raw: Buffer, where: string): Buffer {
  const text = raw.toString('latin1').replace(/[\r\n\t ]/g, '');
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    const bad = /[^A-Za-z0-9+/=]/.exec(text);
    const reason = bad !== null ? `character "${bad[0]}" at offset ${bad.index}` : `length ${text.length} is not a multiple of 4`;
    throw new MimeError(`${where}: invalid base64 (${reason})`);
  }
  return Buffer.from(text, 'base64');
}

/** RFC 2045 §6.7: `=XX` octets and `=` soft line breaks; anything else is taken literally. */
function decodeQuotedPrintable(raw: Buffer): Buffer {
  const out = Buffer.alloc(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i += 1) {
    const byte = raw[i] as number;
    if (byte !== 0x3d) {
      out[length++] = byte;
      continue;
    }
    if (raw[i + 1] === CR && raw[i + 2] === LF) {
      i += 2;
      continue;
    }
    if (raw[i + 1] === LF) {
      i += 1;
      continue;
    }
    const hex = raw.subarray(i + 1, i + 3).toString('latin1');
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[length++] = parseInt(hex, 16);
      i += 2;
    } else {
      out[length++] = byte;
    }
  }
  return out.subarray(0, length);
}
