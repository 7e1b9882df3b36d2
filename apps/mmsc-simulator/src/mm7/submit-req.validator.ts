import { XmlElement, attributeValue, childElement, childElements } from '../xml/xml';
import { ContentRule, ElementRule, SUBMIT_REQ, ValueType } from './submit-req.schema';

/** One thing wrong with a request: the MM7 status it earns and what to tell the sender. */
export interface Mm7Issue {
  readonly status: number;
  /** Where: `SubmitReq/Recipients/To/Number`, `SOAP Header`, `part 2`... */
  readonly path: string;
  readonly message: string;
  /** Set when SOAP 1.1 asks for a specific fault code (§4.4.1: VersionMismatch, MustUnderstand). */
  readonly faultCode?: 'VersionMismatch' | 'MustUnderstand';
}

export const VALIDATION_ERROR = 4004;
export const ADDRESS_ERROR = 2002;
export const UNSUPPORTED_VERSION = 4002;

/** Checks a SubmitReq element against the schema table (submit-req.schema.ts). */
export function validateSubmitReq(submitReq: XmlElement): Mm7Issue[] {
  const issues: Mm7Issue[] = [];
  validateElement(submitReq, SUBMIT_REQ, 'SubmitReq', issues);
  return issues;
}

export function validateElement(element: XmlElement, rule: ElementRule, path: string, issues: Mm7Issue[]): void {
  for (const attribute of rule.attributes ?? []) {
    const value = attributeValue(element, attribute.name);
    if (value === undefined) {
      if (attribute.required) issues.push(invalid(path, `the ${attribute.name} attribute is required (${rule.clause})`));
      continue;
    }
    const problem = checkValue(attribute.value, value);
    if (problem !== null) issues.push({ status: problem.status, path: `${path}/@${attribute.name}`, message: problem.message });
  }
  validateContent(element, rule.content, path, issues, rule.clause);
}

function validateContent(element: XmlElement, content: ContentRule, path: string, issues: Mm7Issue[], clause: string): void {
  const hasText = element.text.trim() !== '';
  switch (content.kind) {
    case 'unchecked':
      return;
    case 'empty':
      if (element.children.length > 0 || hasText) issues.push(invalid(path, `must be empty (its data is in attributes; ${clause})`));
      return;
    case 'simple': {
      if (element.children.length > 0) {
        issues.push(invalid(path, `must hold text only, found <${element.children[0]?.name}>`));
        return;
      }
      const problem = checkValue(content.value, element.text);
      if (problem !== null) issues.push({ status: problem.status, path, message: problem.message });
      return;
    }
    case 'sequence':
      if (hasText) issues.push(invalid(path, `text "${element.text.trim().slice(0, 40)}" is not allowed between elements`));
      validateSequence(element, content.children, path, issues);
      return;
    case 'choice': {
      if (hasText) issues.push(invalid(path, `text "${element.text.trim().slice(0, 40)}" is not allowed between elements`));
      let count = 0;
      for (const child of element.children) {
        const option = content.options.find((o) => o.name === child.localName);
        if (option === undefined) {
          issues.push(invalid(`${path}/${child.localName}`, `unexpected element <${child.name}>; expected ${content.options.map((o) => o.name).join(', ')}`));
          continue;
        }
        count += 1;
        validateElement(child, option, `${path}/${child.localName}`, issues);
      }
      if (count < content.min) issues.push(invalid(path, `must contain ${content.min === 1 ? 'at least one' : content.min} ${content.what} (${clause})`));
      if (count > content.max) issues.push(invalid(path, `may contain only ${content.max === 1 ? 'one' : content.max} ${content.what}, found ${count}`));
      return;
    }
  }
}

/**
 * An xs:sequence: every child known, in the table's order, within its min..max; required ones
 * present. Reports each problem once, naming the element and the rule it breaks.
 */
function validateSequence(element: XmlElement, rules: readonly ElementRule[], path: string, issues: Mm7Issue[]): void {
  const counts = new Array<number>(rules.length).fill(0);
  let position = -1;
  let orderShown = false;
  for (const child of element.children) {
    const index = rules.findIndex((r) => r.name === child.localName);
    const childPath = `${path}/${child.localName}`;
    if (index < 0) {
      issues.push(invalid(childPath, `unexpected element <${child.name}> (not a child of ${path.split('/').pop()} in TS 23.140)`));
      continue;
    }
    const rule = rules[index] as ElementRule;
    if (index < position) {
      const before = rules[position] as ElementRule;
      const order = orderShown ? '' : ` (order: ${rules.map((r) => r.name).join(', ')})`;
      orderShown = true;
      issues.push(invalid(childPath, `out of order: <${rule.name}> must come before <${before.name}>${order}`));
    } else {
      position = index;
    }
    counts[index] = (counts[index] as number) + 1;
    if ((counts[index] as number) === rule.max + 1) issues.push(invalid(childPath, `<${rule.name}> may appear ${rule.max === 1 ? 'only once' : `at most ${rule.max} times`}`));
    validateElement(child, rule, childPath, issues);
  }
  rules.forEach((rule, index) => {
    if ((counts[index] as number) < rule.min) issues.push(invalid(`${path}/${rule.name}`, `required element <${rule.name}> is missing (${rule.clause})`));
  });
}

function invalid(path: string, message: string): Mm7Issue {
  return { status: VALIDATION_ERROR, path, message };
}

const DATE_TIME = /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-](0\d|1[0-4]):[0-5]\d)?$/;
const DURATION = /^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

/** The value rules, each named after the XSD type or the TS 23.140 element it checks. */
export function checkValue(type: ValueType, raw: string): { status: number; message: string } | null {
  const value = raw.trim(); // xs:boolean, xs:dateTime, enumerations and addresses collapse white space
  const show = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  if (typeof type === 'object') {
    return type.enum.includes(value) ? null : { status: VALIDATION_ERROR, message: `${show} is not one of ${type.enum.join(', ')}` };
  }
  switch (type) {
    case 'string':
      return null;
    case 'boolean':
      // xs:boolean: true, false, 1, 0.
      return /^(true|false|1|0)$/.test(value) ? null : { status: VALIDATION_ERROR, message: `${show} is not a boolean (true or false)` };
    case 'dateTime':
      return DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? null : { status: VALIDATION_ERROR, message: `${show} is not an xs:dateTime (e.g. 2024-05-01T14:03:51Z)` };
    case 'relativeOrAbsoluteDate':
      return (DATE_TIME.test(value) && !Number.isNaN(Date.parse(value))) || DURATION.test(value)
        ? null
        : { status: VALIDATION_ERROR, message: `${show} is neither an xs:dateTime nor an xs:duration (e.g. P2D)` };
    case 'mm7Version': {
      const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(value);
      if (match === null) return { status: VALIDATION_ERROR, message: `${show} is not an MM7 version (e.g. 6.8.0 or 5.3.0)` };
      return match[1] === '5' || match[1] === '6' ? null : { status: UNSUPPORTED_VERSION, message: `MM7 version ${show} is not supported (Release 5 and 6: 5.x.x, 6.x.x)` };
    }
    case 'number':
      // §8.1: an MSISDN in international format; with or without "+" (a per-MMSC habit).
      return /^\+?[0-9]{4,15}$/.test(value) ? null : { status: ADDRESS_ERROR, message: `${show} is not an international phone number (digits, optional leading +)` };
    case 'shortCode':
      return /^[0-9A-Za-z]{2,20}$/.test(value) ? null : { status: ADDRESS_ERROR, message: `${show} is not a short code` };
    case 'rfc2822Address':
      return /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(value) ? null : { status: ADDRESS_ERROR, message: `${show} is not an RFC 2822 address` };
    case 'positiveInteger':
      return /^\+?0*[1-9]\d*$/.test(value) ? null : { status: VALIDATION_ERROR, message: `${show} is not a positive integer` };
    case 'cidUrl':
      return /^cid:\S/i.test(value) ? null : { status: VALIDATION_ERROR, message: `${show} is not a cid: reference to an attachment (e.g. cid:mms-content@example)` };
  }
}

export type RecipientField = 'To' | 'Cc' | 'Bcc';
export type AddressKind = 'Number' | 'ShortCode' | 'RFC2822Address';

export interface Mm7Address {
  readonly kind: AddressKind;
  readonly value: string;
}

export interface Recipient extends Mm7Address {
  readonly field: RecipientField;
}

/** What a SubmitReq says, read leniently (also from an invalid one, for the inbox). */
export interface SubmitReqData {
  readonly mm7Version: string | null;
  readonly vaspId: string | null;
  readonly vasId: string | null;
  readonly sender: Mm7Address | null;
  readonly recipients: readonly Recipient[];
  readonly serviceCode: string | null;
  readonly linkedId: string | null;
  readonly messageClass: string | null;
  readonly deliveryReport: boolean | null;
  readonly readReply: boolean | null;
  readonly priority: string | null;
  readonly subject: string | null;
  readonly expiryDate: string | null;
  readonly contentHref: string | null;
  readonly allowAdaptations: boolean | null;
}

const ADDRESS_KINDS: readonly AddressKind[] = ['Number', 'ShortCode', 'RFC2822Address'];

function addressesIn(element: XmlElement): Mm7Address[] {
  return element.children
    .filter((c): c is XmlElement => (ADDRESS_KINDS as readonly string[]).includes(c.localName))
    .map((c) => ({ kind: c.localName as AddressKind, value: c.text.trim() }));
}

function parseBoolean(value: string | undefined): boolean | null {
  if (value === undefined) return null;
  const v = value.trim();
  return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : null;
}

export function readSubmitReq(submitReq: XmlElement): SubmitReqData {
  const textOf = (parent: XmlElement | undefined, name: string): string | null => {
    const child = parent === undefined ? undefined : childElement(parent, name);
    return child === undefined ? null : child.text.trim();
  };
  const identification = childElement(submitReq, 'SenderIdentification');
  const senderAddress = identification === undefined ? undefined : childElement(identification, 'SenderAddress');
  const recipientsElement = childElement(submitReq, 'Recipients');
  const recipients: Recipient[] = [];
  for (const field of ['To', 'Cc', 'Bcc'] as const) {
    for (const list of recipientsElement === undefined ? [] : childElements(recipientsElement, field)) {
      for (const address of addressesIn(list)) recipients.push({ ...address, field });
    }
  }
  const content = childElement(submitReq, 'Content');
  const subject = childElement(submitReq, 'Subject');
  return {
    mm7Version: textOf(submitReq, 'MM7Version'),
    vaspId: textOf(identification, 'VASPID'),
    vasId: textOf(identification, 'VASID'),
    sender: senderAddress === undefined ? null : (addressesIn(senderAddress)[0] ?? null),
    recipients,
    serviceCode: textOf(submitReq, 'ServiceCode'),
    linkedId: textOf(submitReq, 'LinkedID'),
    messageClass: textOf(submitReq, 'MessageClass'),
    deliveryReport: parseBoolean(childElement(submitReq, 'DeliveryReport')?.text),
    readReply: parseBoolean(childElement(submitReq, 'ReadReply')?.text),
    priority: textOf(submitReq, 'Priority'),
    // xs:string: the subject as written, white space included.
    subject: subject === undefined ? null : subject.text,
    expiryDate: textOf(submitReq, 'ExpiryDate'),
    contentHref: content === undefined ? null : (attributeValue(content, 'href') ?? null),
    allowAdaptations: content === undefined ? null : parseBoolean(attributeValue(content, 'allowAdaptations')),
  };
}
