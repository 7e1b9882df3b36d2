import { MimeError } from './mime-error';

/** A parsed Content-Type value (RFC 2045 §5.1): `type "/" subtype *(";" parameter)`. */
export interface MediaType {
  readonly type: string;
  readonly subtype: string;
  /** `type/subtype`, lower case. */
  readonly essence: string;
  /** Parameter names in lower case (RFC 2045 §5.1: attribute names are case-insensitive). */
  readonly params: Readonly<Record<string, string>>;
}

/** RFC 2045 §5.1 token: printable US-ASCII except tspecials (space and controls are outside the range). */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/** RFC 2045 §5.2: a part without Content-Type is `text/plain; charset=us-ascii`. */
export const DEFAULT_MEDIA_TYPE: MediaType = {
  type: 'text',
  subtype: 'plain',
  essence: 'text/plain',
  params: { charset: 'us-ascii' },
};

export function parseMediaType(value: string): MediaType {
  let pos = 0;
  const text = value;
  const skipSpace = () => {
    while (pos < text.length) {
      if (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\r' || text[pos] === '\n') pos += 1;
      else if (text[pos] === '(') skipComment();
      else break;
    }
  };
  // RFC 822 comments may appear between tokens; some stacks still write them.
  const skipComment = () => {
    let depth = 0;
    do {
      if (text[pos] === '(') depth += 1;
      else if (text[pos] === ')') depth -= 1;
      else if (text[pos] === '\\') pos += 1;
      pos += 1;
    } while (depth > 0 && pos < text.length);
  };
  const token = (what: string): string => {
    skipSpace();
    const start = pos;
    while (pos < text.length && !/[\s()<>@,;:\\"/[\]?=]/.test(text[pos] as string)) pos += 1;
    const found = text.slice(start, pos);
    if (!TOKEN.test(found)) throw new MimeError(`Content-Type "${value}": ${what} expected at position ${start}`);
    return found;
  };
  // RFC 2045 wants values with tspecials quoted; `type=text/xml` and `boundary=--=_x` are
  // common unquoted all the same, so a bare value runs to the next ";" or white space.
  const bareValue = (name: string): string => {
    const start = pos;
    while (pos < text.length && !/[;\s"]/.test(text[pos] as string)) pos += 1;
    if (pos === start) throw new MimeError(`Content-Type "${value}": a value for parameter ${name} expected at position ${start}`);
    return text.slice(start, pos);
  };
  const quoted = (): string => {
    pos += 1; // opening quote
    let out = '';
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === '\\' && pos + 1 < text.length) pos += 1;
      out += text[pos];
      pos += 1;
    }
    if (text[pos] !== '"') throw new MimeError(`Content-Type "${value}": unterminated quoted string`);
    pos += 1;
    return out;
  };

  const type = token('a media type').toLowerCase();
  skipSpace();
  if (text[pos] !== '/') throw new MimeError(`Content-Type "${value}": "/" expected after "${type}"`);
  pos += 1;
  const subtype = token('a media subtype').toLowerCase();
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  skipSpace();
  while (pos < text.length) {
    if (text[pos] !== ';') throw new MimeError(`Content-Type "${value}": ";" expected at position ${pos}`);
    pos += 1;
    skipSpace();
    if (pos >= text.length) break; // a trailing ";" is common and harmless
    const name = token('a parameter name').toLowerCase();
    skipSpace();
    if (text[pos] !== '=') throw new MimeError(`Content-Type "${value}": "=" expected after parameter ${name}`);
    pos += 1;
    skipSpace();
    const paramValue = text[pos] === '"' ? quoted() : bareValue(name);
    if (!(name in params)) params[name] = paramValue;
    skipSpace();
  }
  return { type, subtype, essence: `${type}/${subtype}`, params };
}

/** The media type as a header value we can send back: `type/subtype` and the charset, if any. */
export function formatMediaType(mediaType: MediaType): string {
  const charset = mediaType.params['charset'];
  return charset !== undefined && TOKEN.test(charset) ? `${mediaType.essence}; charset=${charset}` : mediaType.essence;
}
