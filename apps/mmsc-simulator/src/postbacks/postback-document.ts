import { XmlElement, XmlError, parseXml } from '../xml/xml';
import { PostbackRefusal } from './postback-refusal';

/**
 * A POSTBACK document (Skycore XML API 1.3; docs/schemas/postback.xsd, read again here rather than
 * shared: the simulator is the second opinion). One POSTBACK, or POSTBACKS bundling several,
 * oldest first. What a partner's server could not read at all is refused; what only breaks the
 * schema becomes a warning, as the inbox does with MM7 quirks.
 */

/** One notice; each field is the element's trimmed text, null when the element is absent. */
export interface PostbackNotice {
  readonly code: string | null;
  readonly status: string | null;
  readonly trackingId: string | null;
  readonly to: string | null;
  readonly mmsId: string | null;
  readonly timestamp: string | null;
  readonly sentAs: string | null;
  readonly spid: string | null;
  readonly handset: string | null;
  readonly aggregatorId: string | null;
  readonly statusDetails: string | null;
}

export interface PostbackDocument {
  readonly bundled: boolean;
  readonly notices: readonly PostbackNotice[];
  readonly warnings: readonly string[];
}

interface ElementRule {
  readonly name: string;
  readonly required: boolean;
  readonly pattern?: RegExp;
  readonly expected?: string;
}

/** The schema's sequence, in its order (postback.xsd, type Postback). */
const ELEMENTS: readonly ElementRule[] = [
  { name: 'ORIGIN', required: true, pattern: /^MMS_MT$/, expected: 'MMS_MT' },
  { name: 'CODE', required: true, pattern: /^(N101|N102|E101)$/, expected: 'N101, N102 or E101' },
  { name: 'SENTAS', required: false, pattern: /^(MMS|SMS)$/, expected: 'MMS or SMS' },
  { name: 'STATUS', required: true },
  { name: 'MMSID', required: true, pattern: /^0*[1-9][0-9]*$/, expected: 'a positive integer' },
  { name: 'TO', required: true, pattern: /^[1-9][0-9]{6,14}$/, expected: 'an international number, digits only' },
  { name: 'TRACKINGID', required: true, pattern: /^[A-Za-z0-9+/_-]+={0,2}$/, expected: 'base64 characters' },
  { name: 'SPID', required: false, pattern: /^[0-9]{7}$/, expected: '7 digits' },
  {
    name: 'TIMESTAMP',
    required: true,
    pattern: /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/,
    expected: 'an xs:dateTime such as 2011-08-02T07:21:04-04:00',
  },
  { name: 'HANDSET', required: false, pattern: /\S/, expected: 'not empty' },
  { name: 'AGGREGATORID', required: false, pattern: /\S/, expected: 'not empty' },
  { name: 'STATUSDETAILS', required: false },
];

/** The STATUS values each CODE goes with (postback.xsd documents the pairing; XSD 1.0 cannot check it). */
const STATUSES: Readonly<Record<string, readonly string[]>> = {
  N101: ['Message Sent'],
  N102: ['Message Sent/Delivered', 'Message Sent/Expired', 'Message Sent/Rejected'],
  E101: ['Message Failed'],
};

export function readPostbackDocument(text: string): PostbackDocument {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    if (error instanceof XmlError) throw new PostbackRefusal(400, `the postback document cannot be read: ${error.message}`);
    throw error;
  }
  if (root.name === 'POSTBACK') {
    const warnings: string[] = [];
    return { bundled: false, notices: [readNotice(root, 'POSTBACK', warnings)], warnings };
  }
  if (root.name !== 'POSTBACKS') throw new PostbackRefusal(400, `the root element is <${root.name}>: a postback document is a POSTBACK or a POSTBACKS`);
  const postbacks = root.children.filter((c) => c.name === 'POSTBACK');
  if (postbacks.length === 0) throw new PostbackRefusal(400, 'POSTBACKS holds no POSTBACK');
  const warnings = root.children.filter((c) => c.name !== 'POSTBACK').map((c) => `POSTBACKS: <${c.name}> is not a POSTBACK`);
  const notices = postbacks.map((postback, n) => readNotice(postback, `POSTBACK ${n + 1}`, warnings));
  warnings.push(...orderWarnings(notices));
  return { bundled: true, notices, warnings };
}

function readNotice(postback: XmlElement, where: string, warnings: string[]): PostbackNotice {
  const text = (name: string): string | null => {
    const element = postback.children.find((c) => c.name === name);
    return element === undefined ? null : element.text.trim();
  };
  const problems: string[] = [];
  let lastIndex = -1;
  for (const child of postback.children) {
    const index = ELEMENTS.findIndex((e) => e.name === child.name);
    if (index < 0) problems.push(`<${child.name}> is not a postback element`);
    else if (index === lastIndex) problems.push(`${child.name} appears more than once`);
    else if (index < lastIndex) problems.push(`${child.name} is out of the schema's order`);
    lastIndex = Math.max(lastIndex, index);
  }
  for (const rule of ELEMENTS) {
    const value = text(rule.name);
    if (value === null) {
      if (rule.required) problems.push(`${rule.name} is missing`);
    } else if (rule.pattern !== undefined && !rule.pattern.test(value)) {
      problems.push(`${rule.name} "${value}" is not ${rule.expected}`);
    }
  }
  const code = text('CODE');
  const status = text('STATUS');
  const statuses = code === null ? undefined : STATUSES[code];
  if (statuses !== undefined && status !== null && !statuses.includes(status)) {
    problems.push(`STATUS "${status}" does not go with ${code} (${statuses.join(', ')})`);
  }
  if (code === 'E101' && text('STATUSDETAILS') === null) problems.push('E101 without STATUSDETAILS: the partner cannot tell why');
  warnings.push(...problems.map((p) => `${where}: ${p}`));
  return {
    code,
    status,
    trackingId: text('TRACKINGID'),
    to: text('TO'),
    mmsId: text('MMSID'),
    timestamp: text('TIMESTAMP'),
    sentAs: text('SENTAS'),
    spid: text('SPID'),
    handset: text('HANDSET'),
    aggregatorId: text('AGGREGATORID'),
    statusDetails: text('STATUSDETAILS'),
  };
}

/** A bundle is oldest first (postback.xsd, POSTBACKS). */
function orderWarnings(notices: readonly PostbackNotice[]): string[] {
  const times = notices.map((n) => (n.timestamp === null ? Number.NaN : Date.parse(n.timestamp)));
  const warnings: string[] = [];
  for (let n = 1; n < times.length; n += 1) {
    if ((times[n] as number) < (times[n - 1] as number)) warnings.push(`POSTBACK ${n + 1} is older than POSTBACK ${n}: a bundle is oldest first`);
  }
  return warnings;
}
