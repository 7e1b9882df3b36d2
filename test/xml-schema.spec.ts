import fc from 'fast-check';
import { ErrorCode, ErrorInfo, trackingIdOf } from '@mms/contracts';
import { renderResponse } from '../apps/gateway/src/partner-api/response-xml';
import { DOCS_EXAMPLE_REQUEST as DOCS_REQUEST, DOCS_FULL_REQUEST, DOCS_POSTBACK } from './docs-examples';
import { validateXml, XmlSchemaName, XmlValidation } from './xml-schema';

// The docs' examples, byte for byte (CI may not have the shared contract folder at the same path).

/** sendMMSBarcode.success.response.xml */
const DOCS_SUCCESS = `<RESPONSE>
    <STATUS>Success</STATUS>
    <MMSID>35674</MMSID>
    <TRACKINGID>TU1TXzEyMzQ2</TRACKINGID>
    <TO>16501234123</TO>
</RESPONSE>
`;

/** sendMMSBarcode.failure.response.xml */
const DOCS_FAILURE = `<RESPONSE>
    <STATUS>Failure</STATUS>
    <ERRORCODE>E713</ERRORCODE>
    <TO>16501234123</TO>
    <ERRORINFO>There is billing problem on your account</ERRORINFO>
</RESPONSE>
`;

/** A minimal valid request body (without the REQUEST element), for variations. */
const MINIMAL_FIELDS =
  '<ACTION>sendMMSBarcode</ACTION><API_KEY>k</API_KEY><MMSID>1</MMSID><TO>16501234123</TO><FROM>60856</FROM><BARCODEID>B1</BARCODEID>';
const request = (fields: string): string => `<REQUEST>${fields}</REQUEST>`;

const postback = (replace: Record<string, string | null>): string => {
  let xml = DOCS_POSTBACK;
  for (const [name, value] of Object.entries(replace)) {
    const element = new RegExp(`  <${name}>[^<]*</${name}>\\n`);
    if (!element.test(xml)) throw new Error(`the example POSTBACK has no ${name}`);
    xml = xml.replace(element, value === null ? '' : `  <${name}>${value}</${name}>\n`);
  }
  return xml;
};

function expectValid(result: XmlValidation): void {
  expect(result.errors).toStrictEqual([]);
  expect(result.valid).toBe(true);
}

function expectInvalid(result: XmlValidation, message: RegExp): void {
  expect(result.valid).toBe(false);
  expect(result.errors.join('\n')).toMatch(message);
}

type Case = readonly [name: string, xml: string, schema: XmlSchemaName, ...rest: unknown[]];

/**
 * Validates a table's documents all at once before its tests: calls made together share one
 * xmllint run per schema (see xml-schema.ts), some 100 ms instead of that per document. Each
 * test then reads its own result by name.
 */
function validatedTogether(cases: readonly Case[]): (name: string) => XmlValidation {
  const names = cases.map(([name]) => name);
  if (new Set(names).size !== names.length) throw new Error('case names must be unique');
  const outcomes = new Map<string, PromiseSettledResult<XmlValidation>>();
  beforeAll(async () => {
    const settled = await Promise.allSettled(cases.map(([, xml, schema]) => validateXml(xml, schema)));
    settled.forEach((outcome, i) => outcomes.set(names[i] as string, outcome));
  });
  return (name) => {
    const outcome = outcomes.get(name);
    if (outcome === undefined) throw new Error(`no result for ${name}`);
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  };
}

describe('XML Schemas of the partner API (docs/schemas)', () => {
  describe("the docs' examples validate", () => {
    it.each<[string, string, XmlSchemaName]>([
      ['sendMMSBarcode.request.xml (padded ACTION)', DOCS_REQUEST, 'request'],
      ['sendMMSBarcode.full.request.xml', DOCS_FULL_REQUEST, 'request'],
      ['sendMMSBarcode.success.response.xml', DOCS_SUCCESS, 'response'],
      ['sendMMSBarcode.failure.response.xml', DOCS_FAILURE, 'response'],
      ["API.md's POSTBACK", DOCS_POSTBACK, 'postback'],
    ])('%s', async (_name, xml, schema) => {
      expectValid(await validateXml(xml, schema));
    });
  });

  describe('other valid documents', () => {
    const cases: Array<[string, string, XmlSchemaName]> = [
      ['request: the minimal one', request(MINIMAL_FIELDS), 'request'],
      ['request: ACTION in lower case, values padded', request(MINIMAL_FIELDS.replace('sendMMSBarcode', 'sendmmsbarcode').replace('<MMSID>1', '<MMSID>\n 1 \n')), 'request'],
      [
        'request: legacy USER and PASS instead of API_KEY',
        request(MINIMAL_FIELDS.replace('<API_KEY>k</API_KEY>', '<USER>acme</USER><PASS>5F4DCC3B5AA765D61D8327DEB882CF99</PASS>')),
        'request',
      ],
      [
        'request: CUSTOMTEXT for several slides, SLIDE before VALUE',
        request(`${MINIMAL_FIELDS}<CUSTOMTEXT><SLIDE>2</SLIDE><VALUE>b</VALUE></CUSTOMTEXT><CUSTOMTEXT><VALUE></VALUE><SLIDE>1</SLIDE></CUSTOMTEXT>`),
        'request',
      ],
      ['request: an empty DATA', request(`${MINIMAL_FIELDS}<DATA/>`), 'request'],
      ['response: Failure without TO', renderResponse({ status: 'Failure', errorCode: 'E620', errorInfo: ErrorInfo.E620 }), 'response'],
      [
        'response: Failure echoing a TO that is no number',
        renderResponse({ status: 'Failure', errorCode: 'E110', errorInfo: ErrorInfo.E110, to: '+1 (650) <123> & more' }),
        'response',
      ],
      ['response: the plain TRACKINGID form of the seed docs', DOCS_SUCCESS.replace('TU1TXzEyMzQ2', 'MMS_12346'), 'response'],
      ['postback: N101 sending started', postback({ CODE: 'N101', STATUS: 'Message Sent', HANDSET: null, AGGREGATORID: null }), 'postback'],
      [
        'postback: E101 could not be sent',
        postback({ CODE: 'E101', SENTAS: null, STATUS: 'Message Failed', SPID: null, HANDSET: null, AGGREGATORID: null }).replace(
          '</POSTBACK>',
          '  <STATUSDETAILS>Carrier refused the content</STATUSDETAILS>\n</POSTBACK>',
        ),
        'postback',
      ],
      ['postback: a UTC TIMESTAMP', postback({ TIMESTAMP: '2011-08-02T11:21:04Z' }), 'postback'],
      [
        'POSTBACKS: two notices bundled',
        `<POSTBACKS>\n${[postback({ CODE: 'N101', STATUS: 'Message Sent', HANDSET: null, AGGREGATORID: null }), DOCS_POSTBACK]
          .map((notice) => notice.replace(/^<\?xml[^>]*>\n/, ''))
          .join('')}</POSTBACKS>\n`,
        'postback',
      ],
    ];
    const resultOf = validatedTogether(cases);
    it.each(cases)('%s', (name) => {
      expectValid(resultOf(name));
    });
  });

  describe('invalid documents are rejected', () => {
    const cases: Array<[string, string, XmlSchemaName, RegExp]> = [
      // RESPONSE
      ['Success without TRACKINGID', DOCS_SUCCESS.replace(/ *<TRACKINGID>.*\n/, ''), 'response', /Element 'TO': This element is not expected\. Expected is \( TRACKINGID \)/],
      [
        'Failure without ERRORCODE',
        DOCS_FAILURE.replace(/ *<ERRORCODE>.*\n/, ''),
        'response',
        /Element 'TO': This element is not expected\. Expected is one of \( MMSID, ERRORCODE \)/,
      ],
      ["ERRORCODE 'X1'", DOCS_FAILURE.replace('E713', 'X1'), 'response', /Element 'ERRORCODE': \[facet 'pattern'\] The value 'X1'/],
      ["ERRORCODE 'E7130'", DOCS_FAILURE.replace('E713', 'E7130'), 'response', /\[facet 'pattern'\] The value 'E7130'/],
      ['STATUS Failure with a Success body', DOCS_SUCCESS.replace('>Success<', '>Failure<'), 'response', /key-sequence \['Failure'\] of keyref 'statusMatchesBranch'/],
      ['STATUS Success with a Failure body', DOCS_FAILURE.replace('>Failure<', '>Success<'), 'response', /key-sequence \['Success'\] of keyref 'statusMatchesBranch'/],
      ["STATUS 'OK'", DOCS_SUCCESS.replace('>Success<', '>OK<'), 'response', /Element 'STATUS': \[facet 'enumeration'\] The value 'OK'/],
      ['Success with TO before TRACKINGID', DOCS_SUCCESS.replace(/( *<TRACKINGID>.*\n)( *<TO>.*\n)/, '$2$1'), 'response', /Element 'TO': This element is not expected/],
      ['Success with MMSID 0', DOCS_SUCCESS.replace('35674', '0'), 'response', /Element 'MMSID': '0' is not a valid value/],
      ['Success with an empty TRACKINGID', DOCS_SUCCESS.replace('TU1TXzEyMzQ2', ''), 'response', /Element 'TRACKINGID': \[facet 'pattern'\]/],
      ['Failure without ERRORINFO', DOCS_FAILURE.replace(/ *<ERRORINFO>.*\n/, ''), 'response', /Element 'RESPONSE': Missing child element\(s\)\. Expected is \( ERRORINFO \)/],
      ['unknown root', '<ANSWER><STATUS>Success</STATUS></ANSWER>', 'response', /Element 'ANSWER': No matching global declaration available for the validation root/],
      ['a REQUEST where a RESPONSE belongs', DOCS_REQUEST, 'response', /Element 'REQUEST': No matching global declaration/],
      ['a document that is not well-formed', '<RESPONSE><STATUS>Success</STATUS>', 'response', /parser error/],
      ['an empty document', '', 'response', /Document is empty/],
      // POSTBACK
      ['POSTBACK with a bad CODE', postback({ CODE: 'N103' }), 'postback', /Element 'CODE': \[facet 'enumeration'\] The value 'N103'/],
      ['POSTBACK with a bad STATUS', postback({ STATUS: 'Delivered' }), 'postback', /Element 'STATUS': \[facet 'enumeration'\] The value 'Delivered'/],
      ['POSTBACK with another ORIGIN', postback({ ORIGIN: 'MMS_MO' }), 'postback', /Element 'ORIGIN': \[facet 'enumeration'\]/],
      ['POSTBACK with a 6-digit SPID', postback({ SPID: '001890' }), 'postback', /Element 'SPID': \[facet 'pattern'\] The value '001890'/],
      [
        'POSTBACK with a TIMESTAMP that is no xs:dateTime',
        postback({ TIMESTAMP: '2011-08-02 07:21:04' }),
        'postback',
        /Element 'TIMESTAMP': '2011-08-02 07:21:04' is not a valid value of the atomic type 'xs:dateTime'/,
      ],
      ['POSTBACK without TRACKINGID', postback({ TRACKINGID: null }), 'postback', /Element 'SPID': This element is not expected\. Expected is \( TRACKINGID \)/],
      ['POSTBACKS without a POSTBACK', '<POSTBACKS/>', 'postback', /Element 'POSTBACKS': Missing child element\(s\)\. Expected is \( POSTBACK \)/],
      // REQUEST
      ['request without ACTION', DOCS_REQUEST.replace(/\t<ACTION>.*\n/, ''), 'request', /Not all fields of key identity-constraint 'oneACTION' evaluate to a node/],
      ['request for another action', request(MINIMAL_FIELDS.replace('sendMMSBarcode', 'sendMMS')), 'request', /Element 'ACTION': \[facet 'pattern'\] The value 'sendMMS'/],
      ['request without credentials', request(MINIMAL_FIELDS.replace('<API_KEY>k</API_KEY>', '')), 'request', /Not all fields of key identity-constraint 'oneAPI_KEYorUSER'/],
      [
        'request with USER but no PASS',
        request(MINIMAL_FIELDS.replace('<API_KEY>k</API_KEY>', '<USER>acme</USER>')),
        'request',
        /Not all fields of key identity-constraint 'oneAPI_KEYorPASS'/,
      ],
      [
        'request with both API_KEY and USER',
        request(`${MINIMAL_FIELDS}<USER>acme</USER>`),
        'request',
        /'API_KEY\|USER' of a field of key identity-constraint 'oneAPI_KEYorUSER' evaluates to a node-set with more than one member/,
      ],
      [
        'request with a PASS that is no md5',
        request(MINIMAL_FIELDS.replace('<API_KEY>k</API_KEY>', '<USER>acme</USER><PASS>secret</PASS>')),
        'request',
        /Element 'PASS': \[facet 'pattern'\]/,
      ],
      ['request without MMSID', request(MINIMAL_FIELDS.replace('<MMSID>1</MMSID>', '')), 'request', /identity-constraint 'oneMMSID' evaluate to a node/],
      ['request without BARCODEID', request(MINIMAL_FIELDS.replace('<BARCODEID>B1</BARCODEID>', '')), 'request', /identity-constraint 'oneBARCODEID' evaluate to a node/],
      [
        'request with two TO',
        request(`${MINIMAL_FIELDS}<TO>16501234124</TO>`),
        'request',
        /'TO' of a field of key identity-constraint 'oneTO' evaluates to a node-set with more than one member/,
      ],
      ['request with a TO list', request(MINIMAL_FIELDS.replace('16501234123', '16501234123,16501234124')), 'request', /Element 'TO': \[facet 'pattern'\]/],
      ['request with a TO in +international form', request(MINIMAL_FIELDS.replace('16501234123', '+16501234123')), 'request', /Element 'TO': \[facet 'pattern'\]/],
      ['request with a DATABASEID that is no id', request(`${MINIMAL_FIELDS}<DATABASEID>abc</DATABASEID>`), 'request', /Element 'DATABASEID': 'abc' is not a valid value/],
      [
        'request with two DEVICE',
        request(`${MINIMAL_FIELDS}<DEVICE>a</DEVICE><DEVICE>b</DEVICE>`),
        'request',
        /identity-constraint 'oneDEVICE' evaluates to a node-set with more than one member/,
      ],
      [
        'request with two DATA',
        request(`${MINIMAL_FIELDS}<DATA><A>1</A></DATA><DATA><B>2</B></DATA>`),
        'request',
        /identity-constraint 'oneDATA' evaluates to a node-set with more than one member/,
      ],
      [
        'request with two CUSTOMTEXT for one slide',
        request(`${MINIMAL_FIELDS}<CUSTOMTEXT><VALUE>a</VALUE><SLIDE>1</SLIDE></CUSTOMTEXT><CUSTOMTEXT><VALUE>b</VALUE><SLIDE> 01 </SLIDE></CUSTOMTEXT>`),
        'request',
        /Duplicate key-sequence \['1'\] in unique identity-constraint 'oneCUSTOMTEXTperSLIDE'/,
      ],
      [
        'request with CUSTOMTEXT for slide 9',
        request(`${MINIMAL_FIELDS}<CUSTOMTEXT><VALUE>a</VALUE><SLIDE>9</SLIDE></CUSTOMTEXT>`),
        'request',
        /Element 'SLIDE': \[facet 'maxInclusive'\]/,
      ],
      [
        'request with CUSTOMTEXT without SLIDE',
        request(`${MINIMAL_FIELDS}<CUSTOMTEXT><VALUE>a</VALUE></CUSTOMTEXT>`),
        'request',
        /Element 'CUSTOMTEXT': Missing child element\(s\)\. Expected is \( SLIDE \)/,
      ],
      ['request with an unknown element', request(`${MINIMAL_FIELDS}<PRIORITY>1</PRIORITY>`), 'request', /Element 'PRIORITY': This element is not expected/],
      // The gateway accepts any case of element names; XSD cannot say so (see the schema's annotation).
      ['request with element names in lower case', request(MINIMAL_FIELDS.replace(/<(\/?)ACTION>/g, '<$1action>')), 'request', /Element 'action': This element is not expected/],
      ['unknown root for the request schema', '<request/>', 'request', /Element 'request': No matching global declaration/],
    ];
    const resultOf = validatedTogether(cases);
    it.each(cases)('%s', (name, _xml, _schema, message) => {
      expectInvalid(resultOf(name), message);
    });
  });

  describe('answers rendered by renderResponse validate', () => {
    const codes = Object.keys(ErrorInfo) as ErrorCode[];
    const cases: Array<[string, string, XmlSchemaName]> = [
      ['Success', renderResponse({ status: 'Success', mmsId: 35674, trackingId: trackingIdOf(12346), to: '16501234123' }), 'response'],
      ...codes.flatMap((code): Array<[string, string, XmlSchemaName]> => [
        [`${code} with TO`, renderResponse({ status: 'Failure', errorCode: code, errorInfo: ErrorInfo[code], to: '16501234123' }), 'response'],
        [`${code} without TO`, renderResponse({ status: 'Failure', errorCode: code, errorInfo: ErrorInfo[code] }), 'response'],
      ]),
    ];
    const resultOf = validatedTogether(cases);
    it.each(cases)('%s', (name) => {
      expectValid(resultOf(name));
    });

    it('any Success the gateway can answer', async () => {
      const success = fc.record({
        mmsId: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        trackingId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map(trackingIdOf),
        to: fc.stringMatching(/^[1-9][0-9]{6,14}$/),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(success, { minLength: 1, maxLength: 25 }), async (answers) => {
          const results = await Promise.all(answers.map((answer) => validateXml(renderResponse({ status: 'Success', ...answer }), 'response')));
          results.forEach(expectValid);
        }),
        { numRuns: 8 },
      );
    });

    it('any Failure, whatever text the partner sent and the detail holds', async () => {
      const failure = fc.record({
        errorCode: fc.constantFrom(...codes),
        to: fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
        detail: fc.string({ unit: 'binary' }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(failure, { minLength: 1, maxLength: 25 }), async (answers) => {
          const results = await Promise.all(
            answers.map(({ errorCode, to, detail }) =>
              validateXml(
                renderResponse({ status: 'Failure', errorCode, errorInfo: `${ErrorInfo[errorCode]} ${detail}`, ...(to === undefined ? {} : { to }) }),
                'response',
              ),
            ),
          );
          results.forEach(expectValid);
        }),
        { numRuns: 8 },
      );
    });
  });

  describe('validateXml', () => {
    it('gives documents validated together the results each gets alone', async () => {
      const documents: Array<[string, XmlSchemaName]> = [
        [DOCS_REQUEST, 'request'],
        ['<REQUEST><ACTION>sendMMSBarcode</ACTION', 'request'],
        // Its message is about a defaulted attribute, which has no line: it names no file.
        [request(`${MINIMAL_FIELDS}<DATA/><DATA/>`), 'request'],
        ['', 'request'],
        [request(MINIMAL_FIELDS.replace('<MMSID>1</MMSID>', '')), 'request'],
        [DOCS_FULL_REQUEST, 'request'],
        [DOCS_FAILURE.replace('E713', 'X1'), 'response'],
        [DOCS_SUCCESS, 'response'],
      ];
      const alone: XmlValidation[] = [];
      for (const [xml, schema] of documents) alone.push(await validateXml(xml, schema));
      const together = await Promise.all(documents.map(([xml, schema]) => validateXml(xml, schema)));
      expect(together).toStrictEqual(alone);
      expect(alone.map((result) => result.valid)).toStrictEqual([true, false, false, false, false, true, false, true]);
      expect(alone[2]?.errors).toStrictEqual([expect.stringMatching(/^Schemas validity error : Element 'DATA', attribute 'once': .* 'oneDATA' /)]);
      expect(alone[3]?.errors).toStrictEqual(['request.xml:1: parser error : Document is empty', '^']);
    });

    it('names the document after its schema in the messages', async () => {
      const result = await validateXml(DOCS_SUCCESS.replace(/ *<TRACKINGID>.*\n/, ''), 'response');
      expect(result.errors).toStrictEqual([
        "response.xml:4: Schemas validity error : Element 'TO': This element is not expected. Expected is ( TRACKINGID ).",
      ]);
    });
  });
});
