import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { Credentials, CustomText, PartnerApiError, PartnerRequest, isXmlNameStart, type XmlStructureLimits, xmlStructureProblem } from '@mms/contracts';
import { parseMultipartFields } from '../common/multipart';

/** What the HTTP layer hands over: nothing Fastify- or Nest-specific, so this stays pure. */
export interface RawPartnerRequest {
  readonly method: string;
  readonly query: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly contentType: string | undefined;
  readonly body: Buffer | undefined;
}

type Fields = Map<string, string>;

/** Structural limits of a request document: the real one has about 20 elements, 3 levels deep. */
export const XML_LIMITS: XmlStructureLimits = { elements: 256, depth: 8 };

// XML 1.0 Char production: C0 controls other than tab, LF and CR are not characters at all.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  // Keep every value a string: TO and MMSID must not become numbers (16501234123 would survive,
  // but a leading zero or a long BARCODEID would not).
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // Numeric character references (&#233;) are XML 1.0 (4.1); this parser decodes them only with
  // htmlEntities on, which also accepts HTML's named ones: lenient, and harmless once DOCTYPE is refused.
  htmlEntities: true,
  transformTagName: (name) => name.toUpperCase(),
  isArray: (name) => name === 'CUSTOMTEXT',
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns any of the three request forms (GET query, POST with an `xml` form field, raw XML body)
 * into one typed PartnerRequest. Throws PartnerApiError E100 for a request of no known form and
 * E108 for XML that cannot be read.
 */
export function parsePartnerRequest(raw: RawPartnerRequest): PartnerRequest {
  const query = lowerCaseKeys(raw.query);
  const xmlInQuery = query.get('xml');
  if (xmlInQuery !== undefined) return fromXml(xmlInQuery);

  const hasBody = raw.body !== undefined && raw.body.length > 0;
  if (raw.method === 'GET' || !hasBody) {
    if (query.size === 0) throw new PartnerApiError('E100');
    return fromFlatParameters(query);
  }

  const body = decodeUtf8(raw.body as Buffer);
  const mediaType = (raw.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/x-www-form-urlencoded') {
    const form = lowerCaseKeys(Object.fromEntries(groupParams(new URLSearchParams(body))));
    const xml = form.get('xml');
    if (xml === undefined) throw new PartnerApiError('E100');
    return fromXml(xml);
  }
  if (mediaType === 'multipart/form-data') {
    const xml = parseMultipartFields(body, raw.contentType ?? '')?.get('xml');
    if (xml === undefined) throw new PartnerApiError('E100');
    return fromXml(xml);
  }
  if (body.trimStart().startsWith('<')) return fromXml(body);
  throw new PartnerApiError('E100');
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new PartnerApiError('E108', 'invalid UTF-8');
  }
}

function groupParams(params: URLSearchParams): Array<[string, string[]]> {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  return [...grouped];
}

/** Parameter names are case-insensitive; a repeated parameter keeps every value, comma-joined. */
function lowerCaseKeys(source: Readonly<Record<string, string | readonly string[] | undefined>>): Fields {
  const fields: Fields = new Map();
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const joined = typeof value === 'string' ? value : value.join(',');
    const name = key.toLowerCase();
    fields.set(name, fields.has(name) ? `${fields.get(name)},${joined}` : joined);
  }
  return fields;
}

function fromXml(xml: string): PartnerRequest {
  // Entity and DOCTYPE declarations are refused outright: no expansion, ever.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new PartnerApiError('E108', 'DOCTYPE and entity declarations are not allowed');
  if (CONTROL_CHARACTER.test(xml)) throw new PartnerApiError('E108', 'control characters are not allowed');
  checkStructure(xml);
  const marked = markLiteralAmpersands(xml);
  const verdict = XMLValidator.validate(marked);
  if (verdict !== true) {
    const where = [verdict.err.line && `line ${verdict.err.line}`, verdict.err.col && `column ${verdict.err.col}`].filter(Boolean).join(', ');
    // The parser quotes the partner's own text; keep the answer small whatever was sent.
    const message = verdict.err.msg.length > 200 ? `${verdict.err.msg.slice(0, 200)}...` : verdict.err.msg;
    throw new PartnerApiError('E108', where === '' ? message : `${message} (${where})`);
  }
  let document: unknown;
  try {
    document = xmlParser.parse(marked);
  } catch (error) {
    // The validator and the parser disagree on a few malformed inputs (an unclosed comment
    // between elements passes the one and throws in the other): still the partner's bad XML.
    const message = error instanceof Error ? error.message : String(error);
    throw new PartnerApiError('E108', message.length > 200 ? `${message.slice(0, 200)}...` : message);
  }
  const root = isRecord(document) ? document['REQUEST'] : undefined;
  if (!isRecord(root)) throw new PartnerApiError('E100');

  const fields: Fields = new Map();
  for (const [name, value] of Object.entries(root)) {
    const text = scalar(value);
    if (text !== undefined) fields.set(name.toLowerCase(), text);
  }
  const customTexts: CustomText[] = [];
  for (const entry of asArray(root['CUSTOMTEXT'])) {
    if (!isRecord(entry)) continue;
    customTexts.push({ slide: scalar(entry['SLIDE']) ?? '', value: scalar(entry['VALUE']) ?? '' });
  }
  const data: Record<string, string> = {};
  const dataElement = root['DATA'];
  if (isRecord(dataElement)) {
    for (const [name, value] of Object.entries(dataElement)) {
      const text = scalar(value);
      if (text !== undefined) data[name.toUpperCase()] = text;
    }
  }
  return build(fields, customTexts, data);
}

/** Refuses a document over XML_LIMITS before the parser sees it (E108). */
function checkStructure(xml: string): void {
  const problem = xmlStructureProblem(xml, XML_LIMITS);
  if (problem !== undefined) throw new PartnerApiError('E108', problem);
}

const SLASH = 0x2f;
const AMPERSAND = 0x26;
const SEMICOLON = 0x3b;
const HASH = 0x23;
const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const EXCLAMATION = 0x21;
const LOWER_X = 0x78;

/**
 * Stands in for an ampersand that begins no reference, from the scan to the values. No partner can
 * send it (CONTROL_CHARACTER refused it above) and no reference produces it (the parser drops `&#0;`
 * in XML 1.0 and 1.1 alike), so every U+0000 in a parsed value is one the scan put there. It keeps
 * the document's length, so E108 positions stay those of the partner's text.
 */
const LITERAL_AMPERSAND = '\u0000';

/** The longest entity name the validator reads as one (fast-xml-parser: 20 word characters). */
const MAX_ENTITY_NAME = 20;

/**
 * Skycore's PHP SDK concatenates values into its XML unescaped, so `<CUSTOMSUBJECT>Hi & bye` is what
 * partners send. An `&` in character data that begins no reference is taken as a literal ampersand:
 * it is replaced by LITERAL_AMPERSAND, which the validator and the parser read as plain text, and
 * which scalar() turns back into `&`. References stay for the parser: `&#NNN;`, `&#xHH;` and
 * `&name;` (it decodes the five XML names and the HTML ones of htmlEntities, and keeps any other
 * name as written, as it did before). Comments, CDATA sections, processing
 * instructions and tags are left alone (an `&` in CDATA is literal already), and so is anything
 * outside the root element, which the validator then refuses as before. One pass; each character
 * is read at most twice (once more by the reference check, which never crosses another `&`).
 */
function markLiteralAmpersands(xml: string): string {
  if (!xml.includes('&')) return xml;
  const chunks: string[] = [];
  let copied = 0;
  let depth = 0;
  let i = 0;
  while (i < xml.length) {
    const code = xml.charCodeAt(i);
    if (code === LESS_THAN) {
      const end = markupEnd(xml, i);
      if (end === -1) break; // unterminated markup: the rest is the validator's to refuse
      const next = xml.charCodeAt(i + 1);
      if (next === SLASH) depth -= 1;
      else if (isXmlNameStart(next) && xml.charCodeAt(end - 1) !== SLASH) depth += 1;
      i = end + 1;
      continue;
    }
    if (code === AMPERSAND && depth > 0) {
      const afterReference = referenceEnd(xml, i);
      if (afterReference !== -1) {
        i = afterReference;
        continue;
      }
      chunks.push(xml.slice(copied, i), LITERAL_AMPERSAND);
      copied = i + 1;
    }
    i += 1;
  }
  if (chunks.length === 0) return xml;
  chunks.push(xml.slice(copied));
  return chunks.join('');
}

/**
 * The index of the `>` that ends the markup starting at `open` (a comment, CDATA section,
 * processing instruction, declaration or tag; quoted attribute values may hold `>`), or -1.
 * A `<` that starts none of these (`1 < 2`) ends where it starts: the validator refuses it.
 */
function markupEnd(xml: string, open: number): number {
  if (xml.startsWith('<!--', open)) return endOf(xml.indexOf('-->', open + 4), 3);
  if (xml.startsWith('<![CDATA[', open)) return endOf(xml.indexOf(']]>', open + 9), 3);
  if (xml.startsWith('<?', open)) return endOf(xml.indexOf('?>', open + 2), 2);
  const next = xml.charCodeAt(open + 1);
  if (next !== SLASH && next !== EXCLAMATION && !isXmlNameStart(next)) return open;
  for (let i = open + 1; i < xml.length; i += 1) {
    const code = xml.charCodeAt(i);
    if (code === GREATER_THAN) return i;
    if (code === QUOTE || code === APOSTROPHE) {
      i = xml.indexOf(code === QUOTE ? '"' : "'", i + 1);
      if (i === -1) return -1;
    }
  }
  return -1;
}

function endOf(found: number, length: number): number {
  return found === -1 ? -1 : found + length - 1;
}

/**
 * The index after the reference starting at the `&` at `at` (XML 1.0 section 4.1: `&#` digits `;`,
 * `&#x` hex digits `;`, `&` name `;`), or -1 when that `&` begins none. A name here is what the
 * validator takes for one: a letter or underscore, then letters, digits or underscores, 20 at most.
 */
function referenceEnd(xml: string, at: number): number {
  let i = at + 1;
  let start: number;
  if (xml.charCodeAt(i) === HASH) {
    const hex = xml.charCodeAt(i + 1) === LOWER_X; // `&#X41;` is no reference in XML
    i += hex ? 2 : 1;
    start = i;
    while (i < xml.length && (hex ? isHexDigit(xml.charCodeAt(i)) : isDigit(xml.charCodeAt(i)))) i += 1;
  } else {
    start = i;
    if (!isEntityNameStart(xml.charCodeAt(i))) return -1;
    while (i < xml.length && i - start < MAX_ENTITY_NAME && isEntityNameChar(xml.charCodeAt(i))) i += 1;
  }
  return i > start && xml.charCodeAt(i) === SEMICOLON ? i + 1 : -1;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

function isEntityNameStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

function isEntityNameChar(code: number): boolean {
  return isEntityNameStart(code) || isDigit(code);
}

/** GET form: nested elements arrive flattened as customtext_<slide> and data_<name>. */
function fromFlatParameters(query: Fields): PartnerRequest {
  for (const value of query.values()) {
    if (CONTROL_CHARACTER.test(value)) throw new PartnerApiError('E108', 'control characters are not allowed');
  }
  const customTexts: CustomText[] = [];
  const data: Record<string, string> = {};
  for (const [name, value] of query) {
    const slide = /^customtext_(.+)$/.exec(name);
    if (slide?.[1] !== undefined) customTexts.push({ slide: slide[1].trim(), value: value.trim() });
    const field = /^data_(.+)$/.exec(name);
    if (field?.[1] !== undefined) data[field[1].toUpperCase()] = value.trim();
  }
  const trimmed: Fields = new Map([...query].map(([k, v]) => [k, v.trim()]));
  return build(trimmed, customTexts, data);
}

function build(fields: Fields, customTexts: CustomText[], data: Record<string, string>): PartnerRequest {
  const get = (name: string): string | undefined => {
    const value = fields.get(name);
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    action: get('action'),
    credentials: credentialsFrom(get('api_key'), get('user'), get('pass')),
    mmsId: get('mmsid'),
    to: get('to'),
    from: get('from'),
    databaseId: get('databaseid'),
    barcodeId: get('barcodeid'),
    campaignRef: get('campaignref'),
    customSubject: get('customsubject'),
    customTexts,
    data,
    device: get('device'),
    ddmTitle: get('ddmtitle'),
    ddmText: get('ddmtext'),
    ddmTimeout: get('ddmtimeout'),
  };
}

function credentialsFrom(apiKey?: string, user?: string, pass?: string): Credentials {
  if (apiKey !== undefined) return { kind: 'apiKey', apiKey };
  if (user !== undefined) return { kind: 'legacy', user, passMd5: pass };
  return { kind: 'none' };
}

/** A leaf element's text; a repeated leaf keeps every value comma-joined (so a TO list stays visible). */
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return textOf(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return (value as string[]).map(textOf).join(',');
  }
  return undefined;
}

/**
 * A parsed text value, trimmed, with the ampersands markLiteralAmpersands set aside put back. A
 * control character written as a reference (`&#7;` in an XML 1.1 document) is refused like one
 * written raw.
 */
function textOf(value: string): string {
  const text = value.replaceAll(LITERAL_AMPERSAND, '&').trim();
  if (CONTROL_CHARACTER.test(text)) throw new PartnerApiError('E108', 'control characters are not allowed');
  return text;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
