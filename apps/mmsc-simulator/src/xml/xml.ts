import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * A namespace-aware XML tree built on fast-xml-parser, for reading MM7 and SMIL by local element
 * name whatever prefix a sender chose. Strict where it matters for hostile input: no DOCTYPE
 * (SOAP 1.1 §3 forbids it, and it is the door to entity expansion), only the five predefined
 * entities and character references, every prefix declared.
 */

export interface XmlAttribute {
  readonly name: string;
  readonly localName: string;
  readonly namespace: string | null;
  readonly value: string;
}

export interface XmlElement {
  readonly name: string;
  readonly prefix: string | null;
  readonly localName: string;
  readonly namespace: string | null;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** The element's own text (character data directly inside it, CDATA included). */
  readonly text: string;
}

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const MAX_DEPTH = 64;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  removeNSPrefix: false,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

export function parseXml(xml: string): XmlElement {
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (/<!DOCTYPE/i.test(text)) throw new XmlError('a document type declaration is not allowed');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err as { msg: string; line?: number; col?: number };
    const where = [line === undefined ? '' : `line ${line}`, col === undefined ? '' : `column ${col}`].filter((w) => w !== '').join(', ');
    throw new XmlError(`not well-formed XML: ${shorten(msg)}${where === '' ? '' : ` (${where})`}`);
  }
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (error) {
    throw new XmlError(`not well-formed XML: ${shorten(error instanceof Error ? error.message : String(error))}`);
  }
  const roots = nodes.filter((node) => elementName(node) !== null);
  if (roots.length !== 1) throw new XmlError(`expected one root element, found ${roots.length}`);
  return buildElement(roots[0] as OrderedNode, new Map([['xml', XML_NAMESPACE]]), 0);
}

/** The parser's messages may list every open tag: keep Details readable. */
function shorten(message: string): string {
  const squeezed = message.replace(/\s+/g, ' ');
  return squeezed.length > 160 ? `${squeezed.slice(0, 160)}...` : squeezed;
}

function elementName(node: OrderedNode): string | null {
  for (const key of Object.keys(node)) {
    if (key !== ':@' && key !== '#text' && key !== '#cdata' && !key.startsWith('?') && !key.startsWith('!')) return key;
  }
  return null;
}

function buildElement(node: OrderedNode, inherited: ReadonlyMap<string | null, string>, depth: number): XmlElement {
  if (depth > MAX_DEPTH) throw new XmlError(`elements nested deeper than ${MAX_DEPTH}`);
  const name = elementName(node) as string;
  const rawAttributes = node[':@'] ?? {};
  const scope = new Map(inherited);
  for (const [attribute, value] of Object.entries(rawAttributes)) {
    const decoded = decodeEntities(value);
    if (attribute === 'xmlns') scope.set(null, decoded);
    else if (attribute.startsWith('xmlns:')) scope.set(attribute.slice(6), decoded);
  }
  const { prefix, localName } = splitName(name);
  const namespace = resolve(scope, prefix, name, true);
  const attributes: XmlAttribute[] = [];
  for (const [attribute, value] of Object.entries(rawAttributes)) {
    if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) continue;
    const split = splitName(attribute);
    attributes.push({
      name: attribute,
      localName: split.localName,
      // Unprefixed attributes are in no namespace (Namespaces in XML §6.2).
      namespace: split.prefix === null ? null : resolve(scope, split.prefix, attribute, false),
      value: decodeEntities(value),
    });
  }
  const children: XmlElement[] = [];
  let ownText = '';
  for (const child of (node[name] as OrderedNode[] | undefined) ?? []) {
    if (typeof child['#text'] === 'string') ownText += decodeEntities(child['#text']);
    else if (Array.isArray(child['#cdata'])) ownText += (child['#cdata'] as OrderedNode[]).map((c) => String(c['#text'] ?? '')).join('');
    else if (elementName(child) !== null) children.push(buildElement(child, scope, depth + 1));
  }
  return { name, prefix, localName, namespace, attributes, children, text: ownText };
}

function splitName(name: string): { prefix: string | null; localName: string } {
  const colon = name.indexOf(':');
  return colon < 0 ? { prefix: null, localName: name } : { prefix: name.slice(0, colon), localName: name.slice(colon + 1) };
}

function resolve(scope: ReadonlyMap<string | null, string>, prefix: string | null, name: string, element: boolean): string | null {
  if (prefix === null) return element ? (scope.get(null) || null) : null;
  const namespace = scope.get(prefix);
  if (namespace === undefined || namespace === '') throw new XmlError(`namespace prefix "${prefix}" of <${name}> is not declared`);
  return namespace;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML 1.0 §4.6 predefined entities and §4.1 character references; anything else is an error. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new XmlError(`"&" not starting an entity or character reference: "${whole.slice(0, 20)}"`);
    const predefined = PREDEFINED[body];
    if (predefined !== undefined) return predefined;
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
    if (numeric === null) throw new XmlError(`undeclared entity "&${body};"`);
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2] as string, 10);
    if (!isXmlChar(code)) throw new XmlError(`character reference "&${body};" is not an XML character`);
    return String.fromCodePoint(code);
  });
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** The first child with this local name, in any namespace. */
export function childElement(element: XmlElement, localName: string): XmlElement | undefined {
  return element.children.find((c) => c.localName === localName);
}

export function childElements(element: XmlElement, localName: string): XmlElement[] {
  return element.children.filter((c) => c.localName === localName);
}

export function attributeValue(element: XmlElement, localName: string): string | undefined {
  return element.attributes.find((a) => a.localName === localName)?.value;
}

/** The trimmed text of a child element, or undefined when there is no such child. */
export function childText(element: XmlElement, localName: string): string | undefined {
  const child = childElement(element, localName);
  return child === undefined ? undefined : child.text.trim();
}

/** Escapes text for element content and attribute values. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as Record<string, string>)[c]};`);
}
