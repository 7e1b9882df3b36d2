/**
 * The SubmitReq schema, written from 3GPP TS 23.140 (Release 5/6) because the official MM7 XSD is
 * not reachable here. Clause references name TS 23.140's sections as we know them (v6.x):
 *   §8.7.1   Submission of VASP originated MM: the MM7_submit.REQ information elements
 *            (mandatory/optional) and their meaning;
 *   §8.1     Addressing (RFC 2822 address, MSISDN number, short code; displayOnly, addressCoding);
 *   §9.2     The SOAP binding: TransactionID in the SOAP header, SubmitReq in the Body, the
 *            element names below and their fixed order (the XSD's xs:sequence);
 *   §9.3     The SOAP attachment: the Content element's href="cid:..." and allowAdaptations.
 * Value types are the XSD built-ins those elements use (xs:boolean, xs:dateTime, xs:duration).
 *
 * Element order and names: NOTES.md's list (what REL-5-MM7-1-x and REL-6-MM7-1-4 share), plus the
 * REL-6 additions (marked), placed where we read them in the REL-6 table; they are accepted, their
 * content is not checked.
 *
 * One deliberate tightening: the spec lets Content be absent (a SubmitReq could carry no MM body);
 * this simulator requires it, since an MMS without content is always a bug on our side.
 */

export type ValueType =
  | 'string'
  | 'boolean'
  | 'dateTime'
  | 'relativeOrAbsoluteDate'
  | 'mm7Version'
  | 'number'
  | 'shortCode'
  | 'rfc2822Address'
  | 'positiveInteger'
  | 'cidUrl'
  | { readonly enum: readonly string[] };

export interface AttributeRule {
  readonly name: string;
  readonly required: boolean;
  readonly value: ValueType;
}

export type ContentRule =
  /** Text only, of this type. */
  | { readonly kind: 'simple'; readonly value: ValueType }
  /** No children and no text; attributes carry the data. */
  | { readonly kind: 'empty' }
  /** Children in this order, each within its own min..max. */
  | { readonly kind: 'sequence'; readonly children: readonly ElementRule[] }
  /** min..max children, each one of the options, in any order (xs:choice maxOccurs). */
  | { readonly kind: 'choice'; readonly options: readonly ElementRule[]; readonly min: number; readonly max: number; readonly what: string }
  /** Accepted as it is (REL-6 additions we do not model). */
  | { readonly kind: 'unchecked' };

export interface ElementRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly content: ContentRule;
  readonly attributes?: readonly AttributeRule[];
  /** Where the element is defined. */
  readonly clause: string;
}

const UNBOUNDED = Number.POSITIVE_INFINITY;

const text = (name: string, value: ValueType, clause: string, min = 0): ElementRule => ({
  name,
  min,
  max: 1,
  content: { kind: 'simple', value },
  clause,
});

const rel6 = (name: string): ElementRule => ({ name, min: 0, max: 1, content: { kind: 'unchecked' }, clause: '§8.7.1 (REL-6 addition)' });

/** §8.1 addressing: every address element may say displayOnly and addressCoding. */
const addressAttributes: readonly AttributeRule[] = [
  { name: 'displayOnly', required: false, value: 'boolean' },
  { name: 'addressCoding', required: false, value: { enum: ['encrypted', 'obfuscated'] } },
  { name: 'id', required: false, value: 'string' },
];

const addressOptions: readonly ElementRule[] = [
  { ...text('RFC2822Address', 'rfc2822Address', '§8.1 addressing'), attributes: addressAttributes },
  { ...text('Number', 'number', '§8.1 addressing (MSISDN, international format)'), attributes: addressAttributes },
  { ...text('ShortCode', 'shortCode', '§8.1 addressing'), attributes: addressAttributes },
];

/** To, Cc, Bcc: one or more addresses each (multiAddressType). */
const recipientList = (name: 'To' | 'Cc' | 'Bcc'): ElementRule => ({
  name,
  min: 0,
  max: UNBOUNDED,
  content: { kind: 'choice', options: addressOptions, min: 1, max: UNBOUNDED, what: 'address (Number, ShortCode or RFC2822Address)' },
  clause: '§8.7.1 Recipient address(es)',
});

/** The children of SubmitReq, in the order the schema fixes (NOTES.md "SubmitReq"). */
export const SUBMIT_REQ_CHILDREN: readonly ElementRule[] = [
  text('MM7Version', 'mm7Version', '§8.7.1 MM7 version (mandatory)', 1),
  {
    name: 'SenderIdentification',
    min: 1,
    max: 1,
    clause: '§8.7.1 VASP ID, VAS ID, Sender address',
    content: {
      kind: 'sequence',
      children: [
        text('VASPID', 'string', '§8.7.1 VASP ID'),
        text('VASID', 'string', '§8.7.1 VAS ID'),
        {
          name: 'SenderAddress',
          min: 0,
          max: 1,
          clause: '§8.7.1 Sender address',
          content: { kind: 'choice', options: addressOptions, min: 1, max: 1, what: 'address (ShortCode, Number or RFC2822Address)' },
        },
      ],
    },
  },
  {
    name: 'Recipients',
    min: 1,
    max: 1,
    clause: '§8.7.1 Recipient address(es) (mandatory: at least one To, Cc or Bcc)',
    content: {
      kind: 'choice',
      options: [recipientList('To'), recipientList('Cc'), recipientList('Bcc')],
      min: 1,
      max: UNBOUNDED,
      what: 'To, Cc or Bcc recipient',
    },
  },
  rel6('PreferredChannels'),
  text('ServiceCode', 'string', '§8.7.1 Service code'),
  text('LinkedID', 'string', '§8.7.1 Linked ID'),
  text('MessageClass', { enum: ['Personal', 'Informational', 'Advertisement', 'Auto'] }, '§8.7.1 Message class'),
  text('TimeStamp', 'dateTime', '§8.7.1 Date and time'),
  {
    name: 'ReplyCharging',
    min: 0,
    max: 1,
    clause: '§8.7.1 Reply-Charging',
    content: { kind: 'empty' },
    attributes: [
      { name: 'replyChargingSize', required: false, value: 'positiveInteger' },
      { name: 'replyDeadline', required: false, value: 'relativeOrAbsoluteDate' },
    ],
  },
  text('EarliestDeliveryTime', 'relativeOrAbsoluteDate', '§8.7.1 Earliest delivery time'),
  text('ExpiryDate', 'relativeOrAbsoluteDate', '§8.7.1 Time of expiry'),
  text('DeliveryReport', 'boolean', '§8.7.1 Delivery report'),
  text('ReadReply', 'boolean', '§8.7.1 Read reply'),
  text('Priority', { enum: ['High', 'Normal', 'Low'] }, '§8.7.1 Priority'),
  text('Subject', 'string', '§8.7.1 Subject'),
  text('ChargedParty', { enum: ['Sender', 'Recipient', 'Both', 'Neither', 'ThirdParty'] }, '§8.7.1 Charged party'),
  rel6('ChargedPartyID'),
  text('DistributionIndicator', 'boolean', '§8.7.1 Distribution indicator'),
  rel6('DeliveryCondition'),
  rel6('ApplicID'),
  rel6('ReplyApplicID'),
  rel6('AuxApplicInfo'),
  rel6('ContentClass'),
  rel6('DRMContent'),
  {
    name: 'Content',
    min: 1,
    max: 1,
    clause: '§8.7.1 Content, §9.3 (href to the attachment; required by this simulator)',
    content: { kind: 'empty' },
    attributes: [
      { name: 'href', required: true, value: 'cidUrl' },
      { name: 'allowAdaptations', required: false, value: 'boolean' },
    ],
  },
];

export const SUBMIT_REQ: ElementRule = {
  name: 'SubmitReq',
  min: 1,
  max: 1,
  clause: '§8.7.1 MM7_submit.REQ, §9.2 SOAP binding',
  content: { kind: 'sequence', children: SUBMIT_REQ_CHILDREN },
};
