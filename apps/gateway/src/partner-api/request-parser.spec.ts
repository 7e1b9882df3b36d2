import { parse as parseQueryString } from 'node:querystring';
import { PartnerApiError, PartnerRequest } from '@mms/contracts';
import { parsePartnerRequest, RawPartnerRequest } from './request-parser';

/**
 * The docs' example request (API contract, examples/sendMMSBarcode.request.xml), copied verbatim:
 * tabs and spaces mixed, and `<ACTION> sendMMSBarcode </ACTION>` with spaces around the value.
 */
const DOCS_EXAMPLE_XML = [
  '<REQUEST>',
  '\t<ACTION> sendMMSBarcode </ACTION>',
  '\t<API_KEY>qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ</API_KEY>',
  '\t<TO>16501234123</TO>',
  '        <FROM>60856</FROM>',
  '        <DATABASEID>17856</DATABASEID>',
  '        <BARCODEID>Ticket_12345</BARCODEID>',
  '        <CAMPAIGNREF>12333</CAMPAIGNREF>',
  '\t<MMSID>35674</MMSID>',
  '</REQUEST>',
  '',
].join('\n');

/** The same request as GET query parameters (names as the docs' GET example spells them). */
const DOCS_EXAMPLE_QUERY =
  'action=+sendMMSBarcode+&api_key=qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ&to=16501234123&from=60856' +
  '&databaseid=17856&barcodeid=Ticket_12345&campaignref=12333&mmsid=35674';

const DOCS_EXAMPLE_REQUEST: PartnerRequest = {
  action: 'sendMMSBarcode',
  credentials: { kind: 'apiKey', apiKey: 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ' },
  mmsId: '35674',
  to: '16501234123',
  from: '60856',
  databaseId: '17856',
  barcodeId: 'Ticket_12345',
  campaignRef: '12333',
  customSubject: undefined,
  customTexts: [],
  data: {},
  device: undefined,
  ddmTitle: undefined,
  ddmText: undefined,
  ddmTimeout: undefined,
};

/** examples/sendMMSBarcode.full.request.xml, copied verbatim. */
const DOCS_FULL_XML = [
  '<REQUEST>',
  '\t<ACTION>sendMMSBarcode</ACTION>',
  '\t<API_KEY>qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ</API_KEY>',
  '\t<TO>16501234123</TO>',
  '\t<FROM>60856</FROM>',
  '\t<DATABASEID>17856</DATABASEID>',
  '\t<BARCODEID>Ticket_12345</BARCODEID>',
  '\t<CAMPAIGNREF>12333</CAMPAIGNREF>',
  '\t<MMSID>35674</MMSID>',
  '\t<DDMTITLE>We are detecting your handset</DDMTITLE>',
  '\t<DDMTEXT>This message is free of charge and will allow us to deliver your content nice and smooth</DDMTEXT>',
  '\t<DDMTIMEOUT>10</DDMTIMEOUT>',
  '\t<DEVICE>iPhoneOS</DEVICE>',
  '\t<CUSTOMTEXT>',
  '\t\t<VALUE>Hyes Convention Event Ticket</VALUE>',
  '\t\t<SLIDE>1</SLIDE>',
  '\t</CUSTOMTEXT>',
  '\t<CUSTOMSUBJECT>Your Event Ticket</CUSTOMSUBJECT>',
  '\t<DATA>',
  '\t\t<FIRST_NAME>John</FIRST_NAME>',
  '\t\t<LAST_NAME>Smith</LAST_NAME>',
  '\t\t<AGE>30</AGE>',
  '\t\t<GENDER>Male</GENDER>',
  '\t</DATA>',
  '</REQUEST>',
  '',
].join('\n');

const DOCS_FULL_REQUEST: PartnerRequest = {
  action: 'sendMMSBarcode',
  credentials: { kind: 'apiKey', apiKey: 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ' },
  mmsId: '35674',
  to: '16501234123',
  from: '60856',
  databaseId: '17856',
  barcodeId: 'Ticket_12345',
  campaignRef: '12333',
  customSubject: 'Your Event Ticket',
  customTexts: [{ slide: '1', value: 'Hyes Convention Event Ticket' }],
  data: { FIRST_NAME: 'John', LAST_NAME: 'Smith', AGE: '30', GENDER: 'Male' },
  device: 'iPhoneOS',
  ddmTitle: 'We are detecting your handset',
  ddmText: 'This message is free of charge and will allow us to deliver your content nice and smooth',
  ddmTimeout: '10',
};

/** examples/sendMMSBarcode.get.txt, the query string copied verbatim. */
const DOCS_GET_QUERY =
  'action=sendmmsbarcode&api_key=qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ&to=16501234123&from=60856&databaseid=17856' +
  '&barcodeid=Ticket_12345&campaignref=12333&mmsid=35674&ddmtitle=We+are+detecting+your+handset' +
  '&ddmtext=This+message+is+free+of+charge&ddmtimeout=5&device=iPhoneOS&customtext_1=My+Custom+text+in+first+slide' +
  '&customsubject=My+Custom+Subject&data_first_name=John&data_last_name=Smith&data_age=30&data_gender=male';

const DOCS_GET_REQUEST: PartnerRequest = {
  action: 'sendmmsbarcode',
  credentials: { kind: 'apiKey', apiKey: 'qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ' },
  mmsId: '35674',
  to: '16501234123',
  from: '60856',
  databaseId: '17856',
  barcodeId: 'Ticket_12345',
  campaignRef: '12333',
  customSubject: 'My Custom Subject',
  customTexts: [{ slide: '1', value: 'My Custom text in first slide' }],
  data: { FIRST_NAME: 'John', LAST_NAME: 'Smith', AGE: '30', GENDER: 'male' },
  device: 'iPhoneOS',
  ddmTitle: 'We are detecting your handset',
  ddmText: 'This message is free of charge',
  ddmTimeout: '5',
};

const FORM = 'application/x-www-form-urlencoded';

/** A GET as Fastify hands it over: node's querystring (repeated names become arrays). */
function getRequest(queryString: string): RawPartnerRequest {
  return { method: 'GET', query: parseQueryString(queryString), contentType: undefined, body: undefined };
}

function postForm(fields: Record<string, string>, contentType: string = FORM): RawPartnerRequest {
  return { method: 'POST', query: {}, contentType, body: Buffer.from(new URLSearchParams(fields).toString(), 'utf8') };
}

function postBody(body: string | Buffer, contentType: string | undefined = 'text/xml'): RawPartnerRequest {
  return { method: 'POST', query: {}, contentType, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

/** The three request forms carrying the same XML document. */
const xmlForms: Array<[string, (xml: string) => RawPartnerRequest]> = [
  ['POST form field "xml"', (xml) => postForm({ xml })],
  ['POST raw body text/xml', (xml) => postBody(xml, 'text/xml')],
];

function parseError(raw: RawPartnerRequest): { code: string; info: string } {
  try {
    parsePartnerRequest(raw);
  } catch (error) {
    if (error instanceof PartnerApiError) return { code: error.code, info: error.info };
    throw error;
  }
  throw new Error('expected a PartnerApiError, the request was accepted');
}

const E100_INFO = "Invalid request. Make request via GET method or send valid XML inside 'xml' field via POST.";

describe('parsePartnerRequest', () => {
  describe("the docs' example in every request form gives the same typed request", () => {
    it.each<[string, RawPartnerRequest]>([
      ['GET, lower-case names', getRequest(DOCS_EXAMPLE_QUERY)],
      ['GET, upper-case names', getRequest(DOCS_EXAMPLE_QUERY.replace(/(^|&)([a-z_]+)=/g, (_m, sep: string, name: string) => `${sep}${name.toUpperCase()}=`))],
      ['GET with the XML in an xml query parameter', getRequest(new URLSearchParams({ xml: DOCS_EXAMPLE_XML }).toString())],
      ['POST form, field "XML" (the PHP SDK)', postForm({ XML: DOCS_EXAMPLE_XML })],
      ['POST form, field "xml"', postForm({ xml: DOCS_EXAMPLE_XML })],
      ['POST form, field "Xml"', postForm({ Xml: DOCS_EXAMPLE_XML })],
      ['POST form with a charset parameter', postForm({ XML: DOCS_EXAMPLE_XML }, 'application/x-www-form-urlencoded; charset=UTF-8')],
      ['POST form, media type in upper case', postForm({ XML: DOCS_EXAMPLE_XML }, 'Application/X-WWW-Form-Urlencoded')],
      ['POST raw body, text/xml', postBody(DOCS_EXAMPLE_XML, 'text/xml')],
      ['POST raw body, application/xml', postBody(DOCS_EXAMPLE_XML, 'application/xml')],
      ['POST raw body, text/xml; charset=utf-8', postBody(DOCS_EXAMPLE_XML, 'text/xml; charset=utf-8')],
      ['POST raw body, no content type', postBody(DOCS_EXAMPLE_XML, undefined)],
      ['POST raw body with an XML declaration', postBody(`<?xml version="1.0" encoding="UTF-8"?>\n${DOCS_EXAMPLE_XML}`)],
      ['POST raw body with a UTF-8 byte order mark', postBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(DOCS_EXAMPLE_XML)]))],
      ['POST raw body with leading blank lines', postBody(`\r\n\n  ${DOCS_EXAMPLE_XML}`)],
    ])('%s', (_form, raw) => {
      expect(parsePartnerRequest(raw)).toStrictEqual(DOCS_EXAMPLE_REQUEST);
    });

    it.each(xmlForms)('the full example (CUSTOMTEXT, DATA, DDM fields) via %s', (_form, make) => {
      expect(parsePartnerRequest(make(DOCS_FULL_XML))).toStrictEqual(DOCS_FULL_REQUEST);
    });

    it("the docs' GET example with customtext_<n> and data_<name>", () => {
      expect(parsePartnerRequest(getRequest(DOCS_GET_QUERY))).toStrictEqual(DOCS_GET_REQUEST);
    });

    it('a POST without a body falls back to the query parameters', () => {
      const raw: RawPartnerRequest = { ...getRequest(DOCS_EXAMPLE_QUERY), method: 'POST', contentType: FORM, body: Buffer.alloc(0) };
      expect(parsePartnerRequest(raw)).toStrictEqual(DOCS_EXAMPLE_REQUEST);
    });
  });

  describe('element and parameter names are case-insensitive', () => {
    it.each(xmlForms)('lower- and mixed-case XML elements via %s', (_form, make) => {
      const xml =
        '<request><action>sendMMSBarcode</action><Api_Key>k1</Api_Key><to>16501234123</to><From>60856</From>' +
        '<databaseId>17856</databaseId><BarcodeId>B-1</BarcodeId><campaignref>9</campaignref><mmsId>35674</mmsId>' +
        '<customSubject>Hi</customSubject><device>iPhoneOS</device><ddmTitle>T</ddmTitle><DdmText>X</DdmText><ddmtimeout>7</ddmtimeout>' +
        '<customText><value>one</value><slide>1</slide></customText><data><first_name>John</first_name></data></request>';
      expect(parsePartnerRequest(make(xml))).toStrictEqual<PartnerRequest>({
        action: 'sendMMSBarcode',
        credentials: { kind: 'apiKey', apiKey: 'k1' },
        mmsId: '35674',
        to: '16501234123',
        from: '60856',
        databaseId: '17856',
        barcodeId: 'B-1',
        campaignRef: '9',
        customSubject: 'Hi',
        customTexts: [{ slide: '1', value: 'one' }],
        data: { FIRST_NAME: 'John' },
        device: 'iPhoneOS',
        ddmTitle: 'T',
        ddmText: 'X',
        ddmTimeout: '7',
      });
    });

    it('GET parameter names in any case, customtext_ and data_ prefixes included', () => {
      const parsed = parsePartnerRequest(getRequest('Action=sendMMSBarcode&TO=1&CustomText_2=two&DATA_First_Name=John&CUSTOMSUBJECT=S'));
      expect(parsed.action).toBe('sendMMSBarcode');
      expect(parsed.to).toBe('1');
      expect(parsed.customSubject).toBe('S');
      expect(parsed.customTexts).toStrictEqual([{ slide: '2', value: 'two' }]);
      expect(parsed.data).toStrictEqual({ FIRST_NAME: 'John' });
    });
  });

  describe('values are trimmed', () => {
    it.each(xmlForms)('XML values, nested ones included, via %s', (_form, make) => {
      const xml =
        '<REQUEST>\n<ACTION>\n\t sendMMSBarcode \t\n</ACTION><TO> 16501234123 </TO><CUSTOMSUBJECT>  Your ticket  </CUSTOMSUBJECT>' +
        '<CUSTOMTEXT><VALUE>  Hello  </VALUE><SLIDE> 2 </SLIDE></CUSTOMTEXT><DATA><CITY>  Boston </CITY></DATA></REQUEST>';
      const parsed = parsePartnerRequest(make(xml));
      expect(parsed.action).toBe('sendMMSBarcode');
      expect(parsed.to).toBe('16501234123');
      expect(parsed.customSubject).toBe('Your ticket');
      expect(parsed.customTexts).toStrictEqual([{ slide: '2', value: 'Hello' }]);
      expect(parsed.data).toStrictEqual({ CITY: 'Boston' });
    });

    it('GET values and flattened nested values', () => {
      const parsed = parsePartnerRequest(getRequest('action=+sendMMSBarcode+&to=%2016501234123%09&customtext_3=++Hi++&data_city=+Boston+'));
      expect(parsed.action).toBe('sendMMSBarcode');
      expect(parsed.to).toBe('16501234123');
      expect(parsed.customTexts).toStrictEqual([{ slide: '3', value: 'Hi' }]);
      expect(parsed.data).toStrictEqual({ CITY: 'Boston' });
    });

    it.each<[string, RawPartnerRequest]>([
      ['an empty XML element', postBody('<REQUEST><ACTION>sendMMSBarcode</ACTION><TO></TO><FROM/><MMSID>   </MMSID></REQUEST>')],
      ['an empty GET parameter', getRequest('action=sendMMSBarcode&to=&from&mmsid=+++')],
    ])('%s counts as absent', (_case, raw) => {
      const parsed = parsePartnerRequest(raw);
      expect(parsed.action).toBe('sendMMSBarcode');
      expect(parsed.to).toBeUndefined();
      expect(parsed.from).toBeUndefined();
      expect(parsed.mmsId).toBeUndefined();
    });
  });

  describe('numbers stay strings, exactly as sent', () => {
    const values = [
      ['TO with a leading zero', 'to', '016501234123'],
      ['TO longer than a safe integer', 'to', '123456789012345678901234'],
      ['MMSID with leading zeros', 'mmsId', '007'],
      ['BARCODEID of an EAN-13 with a leading zero', 'barcodeId', '0012345678905'],
      ['BARCODEID that looks like exponent notation', 'barcodeId', '1e5'],
      ['BARCODEID that looks like hex', 'barcodeId', '0x1F'],
      ['DATABASEID with a trailing .0', 'databaseId', '17856.0'],
      ['FROM with a plus sign', 'from', '+60856'],
    ] as const;
    const element: Record<(typeof values)[number][1], string> = { to: 'TO', mmsId: 'MMSID', barcodeId: 'BARCODEID', databaseId: 'DATABASEID', from: 'FROM' };

    it.each(values)('%s via XML', (_case, field, value) => {
      for (const [, make] of xmlForms) {
        const parsed = parsePartnerRequest(make(`<REQUEST><${element[field]}>${value}</${element[field]}></REQUEST>`));
        expect(parsed[field]).toBe(value);
      }
    });

    it.each(values)('%s via GET', (_case, field, value) => {
      const parsed = parsePartnerRequest(getRequest(new URLSearchParams({ [element[field].toLowerCase()]: value }).toString()));
      expect(parsed[field]).toBe(value);
    });

    it('DATA values and CUSTOMTEXT slides stay strings too', () => {
      const parsed = parsePartnerRequest(postBody('<REQUEST><DATA><ZIP>02134</ZIP><BIG>12345678901234567890</BIG></DATA><CUSTOMTEXT><VALUE>007</VALUE><SLIDE>01</SLIDE></CUSTOMTEXT></REQUEST>'));
      expect(parsed.data).toStrictEqual({ ZIP: '02134', BIG: '12345678901234567890' });
      expect(parsed.customTexts).toStrictEqual([{ slide: '01', value: '007' }]);
    });
  });

  describe('CUSTOMTEXT', () => {
    it.each(xmlForms)('repeated elements keep document order, any case, via %s', (_form, make) => {
      const xml =
        '<REQUEST><CUSTOMTEXT><VALUE>first</VALUE><SLIDE>3</SLIDE></CUSTOMTEXT>' +
        '<customtext><slide>1</slide><value>second</value></customtext>' +
        '<CustomText><Value>third &amp; last</Value><Slide>2</Slide></CustomText></REQUEST>';
      expect(parsePartnerRequest(make(xml)).customTexts).toStrictEqual([
        { slide: '3', value: 'first' },
        { slide: '1', value: 'second' },
        { slide: '2', value: 'third & last' },
      ]);
    });

    it.each<[string, string, Array<{ slide: string; value: string }>]>([
      ['a single element is still a list of one', '<CUSTOMTEXT><VALUE>only</VALUE><SLIDE>4</SLIDE></CUSTOMTEXT>', [{ slide: '4', value: 'only' }]],
      ['a missing SLIDE becomes an empty slide', '<CUSTOMTEXT><VALUE>v</VALUE></CUSTOMTEXT>', [{ slide: '', value: 'v' }]],
      ['a missing VALUE becomes an empty value', '<CUSTOMTEXT><SLIDE>2</SLIDE></CUSTOMTEXT>', [{ slide: '2', value: '' }]],
      ['an empty CUSTOMTEXT element is skipped', '<CUSTOMTEXT></CUSTOMTEXT><CUSTOMTEXT/>', []],
      ['a plain-text CUSTOMTEXT is skipped', '<CUSTOMTEXT>no structure</CUSTOMTEXT>', []],
      ['no CUSTOMTEXT at all', '<TO>1</TO>', []],
    ])('%s', (_case, inner, expected) => {
      expect(parsePartnerRequest(postBody(`<REQUEST>${inner}</REQUEST>`)).customTexts).toStrictEqual(expected);
    });

    it('GET: one customtext_<slide> parameter per slide, in query order', () => {
      expect(parsePartnerRequest(getRequest('customtext_2=two&customtext_1=one&customtext_10=ten')).customTexts).toStrictEqual([
        { slide: '2', value: 'two' },
        { slide: '1', value: 'one' },
        { slide: '10', value: 'ten' },
      ]);
    });

    it('GET: a bare customtext parameter (no slide) is not a custom text', () => {
      expect(parsePartnerRequest(getRequest('customtext=x&customtext_=y')).customTexts).toStrictEqual([]);
    });
  });

  describe('DATA', () => {
    it.each(xmlForms)('field names are upper-cased via %s', (_form, make) => {
      const xml = '<REQUEST><data><first_name>John</first_name><Last_Name>Smith</Last_Name><AGE>30</AGE><order.id>A-1</order.id></data></REQUEST>';
      expect(parsePartnerRequest(make(xml)).data).toStrictEqual({ FIRST_NAME: 'John', LAST_NAME: 'Smith', AGE: '30', 'ORDER.ID': 'A-1' });
    });

    it.each<[string, string, Record<string, string>]>([
      ['no DATA element', '<TO>1</TO>', {}],
      ['an empty DATA element', '<DATA></DATA>', {}],
      ['a self-closing DATA element', '<DATA/>', {}],
      ['an empty field keeps its name', '<DATA><NICKNAME></NICKNAME></DATA>', { NICKNAME: '' }],
      ['a repeated field is comma-joined', '<DATA><TAG>a</TAG><TAG>b</TAG></DATA>', { TAG: 'a,b' }],
      ['a nested structure inside DATA is ignored', '<DATA><ADDRESS><CITY>Boston</CITY></ADDRESS><NAME>J</NAME></DATA>', { NAME: 'J' }],
      ['entities are decoded', '<DATA><SHOP>Smith &amp; Sons &lt;Boston&gt;</SHOP></DATA>', { SHOP: 'Smith & Sons <Boston>' }],
      ['CDATA is kept as text', '<DATA><HTML><![CDATA[<b>bold</b>]]></HTML></DATA>', { HTML: '<b>bold</b>' }],
    ])('%s', (_case, inner, expected) => {
      expect(parsePartnerRequest(postBody(`<REQUEST>${inner}</REQUEST>`)).data).toStrictEqual(expected);
    });

    it('GET: data_<name> parameters, names upper-cased', () => {
      expect(parsePartnerRequest(getRequest('data_first_name=John&DATA_last_name=Smith&data_Age=30')).data).toStrictEqual({
        FIRST_NAME: 'John',
        LAST_NAME: 'Smith',
        AGE: '30',
      });
    });
  });

  describe('repeated values are comma-joined (so a TO list stays visible to the E623 check)', () => {
    it.each<[string, RawPartnerRequest]>([
      ['repeated TO elements', postBody('<REQUEST><TO>16501234123</TO><to>16501234124</to></REQUEST>')],
      ['a repeated GET parameter', getRequest('to=16501234123&TO=16501234124')],
      ['a GET parameter given twice in one name', getRequest('to=16501234123&to=16501234124')],
      ['a comma list as sent', getRequest('to=16501234123%2C16501234124')],
    ])('%s', (_case, raw) => {
      expect(parsePartnerRequest(raw).to).toBe('16501234123,16501234124');
    });
  });

  describe('credentials', () => {
    it.each<[string, Record<string, string>, PartnerRequest['credentials']]>([
      ['API_KEY', { API_KEY: 'key-1' }, { kind: 'apiKey', apiKey: 'key-1' }],
      ['API_KEY wins over USER and PASS', { API_KEY: 'key-1', USER: 'joe', PASS: 'd41d8cd98f00b204e9800998ecf8427e' }, { kind: 'apiKey', apiKey: 'key-1' }],
      ['legacy USER and PASS', { USER: 'joe', PASS: 'd41d8cd98f00b204e9800998ecf8427e' }, { kind: 'legacy', user: 'joe', passMd5: 'd41d8cd98f00b204e9800998ecf8427e' }],
      ['legacy USER without PASS', { USER: 'joe' }, { kind: 'legacy', user: 'joe', passMd5: undefined }],
      ['an empty API_KEY counts as absent', { API_KEY: '', USER: 'joe', PASS: 'p' }, { kind: 'legacy', user: 'joe', passMd5: 'p' }],
      ['PASS without USER is no credential', { PASS: 'p' }, { kind: 'none' }],
      ['an empty USER is no credential', { USER: ' ', PASS: 'p' }, { kind: 'none' }],
      ['nothing at all', { ACTION: 'sendMMSBarcode' }, { kind: 'none' }],
    ])('%s', (_case, fields, expected) => {
      const xml = `<REQUEST>${Object.entries(fields).map(([n, v]) => `<${n}>${v}</${n}>`).join('')}</REQUEST>`;
      const query = new URLSearchParams(Object.entries(fields).map(([n, v]) => [n.toLowerCase(), v] as [string, string])).toString();
      expect(parsePartnerRequest(postBody(xml)).credentials).toStrictEqual(expected);
      expect(parsePartnerRequest(postForm({ XML: xml })).credentials).toStrictEqual(expected);
      expect(parsePartnerRequest(getRequest(query)).credentials).toStrictEqual(expected);
    });
  });

  it('keeps non-ASCII UTF-8 text intact', () => {
    const xml = '<REQUEST><CUSTOMSUBJECT>Café ☕ 🎟️</CUSTOMSUBJECT><DATA><NAME>Zoë Ünal</NAME></DATA></REQUEST>';
    for (const [, make] of xmlForms) {
      const parsed = parsePartnerRequest(make(xml));
      expect(parsed.customSubject).toBe('Café ☕ 🎟️');
      expect(parsed.data).toStrictEqual({ NAME: 'Zoë Ünal' });
    }
    expect(parsePartnerRequest(getRequest('customsubject=Caf%C3%A9')).customSubject).toBe('Café');
  });

  it('decodes the predefined XML entities', () => {
    const parsed = parsePartnerRequest(postBody('<REQUEST><CUSTOMSUBJECT>&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;</CUSTOMSUBJECT></REQUEST>'));
    expect(parsed.customSubject).toBe('<a> & "b" \'c\'');
  });

  // XML 1.0 section 4.1: character references are replaced (PHP's DOMDocument writes non-ASCII this way).
  it('decodes numeric character references (decimal and hex)', () => {
    const parsed = parsePartnerRequest(postBody('<REQUEST><CUSTOMSUBJECT>Caf&#233; &#x41;&#x1F39F;</CUSTOMSUBJECT></REQUEST>'));
    expect(parsed.customSubject).toBe('Café A🎟');
  });

  describe('multipart/form-data (PHP curl with an array payload)', () => {
    it.each([
      ['XML', 'b'],
      ['xml', '----WebKitFormBoundary7MA4YWxkTrZu0gW'],
    ])('reads the xml field named %s like the other forms', (field, boundary) => {
      const body =
        `--${boundary}\r\nContent-Disposition: form-data; name="other"\r\n\r\nignored\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"\r\nContent-Type: text/xml\r\n\r\n${DOCS_EXAMPLE_XML}\r\n--${boundary}--\r\n`;
      expect(parsePartnerRequest(postBody(body, `multipart/form-data; boundary="${boundary}"`))).toStrictEqual(
        parsePartnerRequest(postBody(DOCS_EXAMPLE_XML, 'text/xml')),
      );
    });
  });

  /**
   * Skycore's PHP SDK (skycore_sdk.php, makeAPI_Call) concatenates `<TAG>value</TAG>` without
   * escaping, API_KEY first, upper-cased keys in array order, nested arrays as nested elements, and
   * posts the string with curl as the multipart field `XML`. So partners send bare ampersands.
   */
  describe('a bare & is a literal ampersand (hand-built XML, as the PHP SDK sends it)', () => {
    const HAND_BUILT_XML =
      '<REQUEST><API_KEY>qTFkykO9JTfahCOqJ0V2Wf5Cg1t8iWlZ</API_KEY><ACTION>sendMMSBarcode</ACTION><MMSID>35674</MMSID>' +
      '<TO>16501234123</TO><FROM>60856</FROM><DATABASEID>17856</DATABASEID><BARCODEID>Ticket_12345</BARCODEID>' +
      '<CUSTOMSUBJECT>Hi & bye</CUSTOMSUBJECT><CUSTOMTEXT><VALUE>Tom & Jerry &lt;3</VALUE><SLIDE>1</SLIDE></CUSTOMTEXT>' +
      '<DATA><COMPANY>AT&T</COMPANY><DEPARTMENT>R&&D &</DEPARTMENT></DATA></REQUEST>';

    /** curl's multipart body for `CURLOPT_POSTFIELDS => ['XML' => $xml]`: one part, no part Content-Type. */
    const CURL_BOUNDARY = '------------------------d74496d66958873e';
    const curlMultipart = (xml: string) =>
      postBody(`--${CURL_BOUNDARY}\r\nContent-Disposition: form-data; name="XML"\r\n\r\n${xml}\r\n--${CURL_BOUNDARY}--\r\n`, `multipart/form-data; boundary=${CURL_BOUNDARY}`);

    /** Every request form that carries an XML document. */
    const everyXmlForm: Array<[string, (xml: string) => RawPartnerRequest]> = [
      ['GET with an xml query parameter', (xml) => getRequest(new URLSearchParams({ xml }).toString())],
      ['POST urlencoded field "xml" (http_build_query)', (xml) => postForm({ xml })],
      ['POST urlencoded field "XML"', (xml) => postForm({ XML: xml })],
      ['POST multipart field "XML" (the PHP SDK: curl with an array)', curlMultipart],
      ['POST raw body, text/xml', (xml) => postBody(xml, 'text/xml')],
    ];

    const subjectOf = (text: string) => parsePartnerRequest(postBody(`<REQUEST><CUSTOMSUBJECT>${text}</CUSTOMSUBJECT></REQUEST>`)).customSubject;

    it.each(everyXmlForm)('CUSTOMSUBJECT, CUSTOMTEXT VALUE and DATA fields via %s', (_form, make) => {
      expect(parsePartnerRequest(make(HAND_BUILT_XML))).toStrictEqual<PartnerRequest>({
        ...DOCS_EXAMPLE_REQUEST,
        campaignRef: undefined,
        customSubject: 'Hi & bye',
        customTexts: [{ slide: '1', value: 'Tom & Jerry <3' }],
        data: { COMPANY: 'AT&T', DEPARTMENT: 'R&&D &' },
      });
    });

    it.each<[string, string, string]>([
      ['between words', 'Hi & bye', 'Hi & bye'],
      ['between letters', 'AT&T', 'AT&T'],
      ['doubled', 'Rock && Roll', 'Rock && Roll'],
      ['alone', '&', '&'],
      ['at the end, before a space (trimmed)', 'bye & ', 'bye &'],
      ['at the start', '& more', '& more'],
      ['before a semicolon', '&; x', '&; x'],
      ['a name without a semicolon', 'Q&A, &foo bar', 'Q&A, &foo bar'],
      ['a known name without a semicolon', 'fish &amp chips &lt', 'fish &amp chips &lt'],
      ['# without digits', '&#; &#x; &#', '&#; &#x; &#'],
      ['# with a letter among the digits', '&#12a; &#xZ1;', '&#12a; &#xZ1;'],
      ['an upper-case X (no character reference in XML)', '&#X41;', '&#X41;'],
      ['a name the parser does not read as one (a hyphen, a leading digit, non-ASCII)', '&x-y; &1a; &café;', '&x-y; &1a; &café;'],
      ['a name of 21 characters', '&abcdefghijklmnopqrstu;', '&abcdefghijklmnopqrstu;'],
    ])('%s: %j', (_case, text, expected) => {
      expect(subjectOf(text)).toBe(expected);
    });

    it('valid references beside bare ampersands are still decoded', () => {
      expect(subjectOf('&amp; &lt; &gt; &quot; &apos; & Caf&#233; &#x41;&#x1F39F; &&amp;')).toBe('& < > " \' & Café A🎟 &&');
    });

    // htmlEntities decodes XML's five names and a short HTML list (nbsp, copy, euro, hellip, ...);
    // a name it does not know was kept as written before and still is.
    it('named references: the HTML ones the parser knows are decoded, unknown names kept as written', () => {
      expect(subjectOf('5&euro;&nbsp;&copy; &hellip; &eacute; &T; &foo;')).toBe('5€\u00a0© … &eacute; &T; &foo;');
    });

    // The list docs/error-precedence.md gives: a parser upgrade that changes it fails here first.
    it.each(
      ('amp lt gt quot apos nbsp copy reg trade mdash ndash hellip laquo raquo lsquo rsquo ldquo rdquo bull para sect deg ' +
        'frac12 frac14 frac34 cent pound curren yen euro dollar fnof inr af birr peso rub won yuan cedil').split(' '),
    )('&%s; is decoded', (name) => {
      expect(subjectOf(`a&${name};b`)).not.toBe(`a&${name};b`);
    });

    it('&amp; is decoded once, not twice', () => {
      expect(subjectOf('&amp;lt; &amp;amp; &amp;#233; & &amp;')).toBe('&lt; &amp; &#233; & &');
    });

    it.each<[string, string, string]>([
      ['CDATA', '<CUSTOMSUBJECT><![CDATA[Hi & bye &amp; <b>]]></CUSTOMSUBJECT>', 'Hi & bye &amp; <b>'],
      ['CDATA ending in an ampersand', '<CUSTOMSUBJECT><![CDATA[a &]]></CUSTOMSUBJECT>', 'a &'],
      ['a comment inside the value', '<CUSTOMSUBJECT>Hi<!-- & -->, bye</CUSTOMSUBJECT>', 'Hi, bye'],
      ['a comment between elements', '<!-- R&D: <CUSTOMSUBJECT>x & y</CUSTOMSUBJECT> --><CUSTOMSUBJECT>a & b</CUSTOMSUBJECT>', 'a & b'],
      ['an attribute value holding > and &', '<CUSTOMSUBJECT lang="a > b & c">a & b</CUSTOMSUBJECT>', 'a & b'],
    ])('%s is left as it is', (_case, inner, expected) => {
      expect(parsePartnerRequest(postBody(`<REQUEST>${inner}</REQUEST>`)).customSubject).toBe(expected);
    });

    // The scan sets ampersands aside as U+0000, which a reference must never produce (XML 1.1 allows
    // C0 references; the parser still drops &#0;).
    it('&#0; in an XML 1.1 document does not come back as an ampersand', () => {
      const parsed = parsePartnerRequest(postBody('<?xml version="1.1"?><REQUEST><CUSTOMSUBJECT>a&#0;b&#x0;c & d</CUSTOMSUBJECT></REQUEST>'));
      expect(parsed.customSubject).toBe('abc & d');
    });

    it('DOCTYPE and ENTITY declarations are still refused', () => {
      const xml = '<!DOCTYPE r [<!ENTITY t "16501234123">]><REQUEST><TO>&t;</TO><CUSTOMSUBJECT>Hi & bye</CUSTOMSUBJECT></REQUEST>';
      for (const [, make] of everyXmlForm) {
        expect(parseError(make(xml))).toStrictEqual({ code: 'E108', info: 'XML Parse error: DOCTYPE and entity declarations are not allowed' });
      }
    });

    it('control characters are still refused', () => {
      expect(parseError(postBody('<REQUEST><CUSTOMSUBJECT>Hi & bye\u0000</CUSTOMSUBJECT></REQUEST>'))).toStrictEqual({
        code: 'E108',
        info: 'XML Parse error: control characters are not allowed',
      });
    });

    it('the element and depth limits still hold', () => {
      expect(parseError(postBody(`<REQUEST><DATA>${'<A>a & b</A>'.repeat(300)}</DATA></REQUEST>`))).toStrictEqual({ code: 'E108', info: 'XML Parse error: more than 256 elements' });
      expect(parseError(postBody(`<REQUEST>${'<A>&'.repeat(20)}x${'</A>'.repeat(20)}</REQUEST>`))).toStrictEqual({
        code: 'E108',
        info: 'XML Parse error: elements nested deeper than 8 levels',
      });
    });

    it('malformed XML is still E108, at the positions of the document as sent', () => {
      expect(parseError(postBody('<REQUEST><CUSTOMSUBJECT>Hi & bye</CUSTOMSUBJECT><TO>1</FROM></REQUEST>'))).toStrictEqual({
        code: 'E108',
        info: "XML Parse error: Expected closing tag 'TO' (opened in line 1, col 49) instead of closing tag 'FROM'. (line 1, column 54)",
      });
    });

    it.each<[string, string]>([
      ['an unclosed element', '<REQUEST><CUSTOMSUBJECT>Hi & bye</CUSTOMSUBJECT><TO>1</REQUEST>'],
      ['an unclosed root', '<REQUEST><CUSTOMSUBJECT>AT&T</CUSTOMSUBJECT>'],
      ['an unescaped < after a bare &', '<REQUEST><CUSTOMSUBJECT>a & b < c</CUSTOMSUBJECT></REQUEST>'],
      ['an invalid tag name on the line of a bare &', '<REQUEST><CUSTOMSUBJECT>a & b</CUSTOMSUBJECT><1TO>1</1TO></REQUEST>'],
      ['an unclosed comment', '<REQUEST><CUSTOMSUBJECT>a & b<!-- & </CUSTOMSUBJECT></REQUEST>'],
    ])('%s: the same E108 as with a + in place of each bare &', (_case, xml) => {
      for (const [, make] of everyXmlForm) {
        const error = parseError(make(xml));
        expect(error.code).toBe('E108');
        expect(error).toStrictEqual(parseError(make(xml.replaceAll('&', '+'))));
      }
    });

    it('an & in a tag or after the root element is still malformed', () => {
      expect(parseError(postBody('<REQUEST><MMS&ID>1</MMS&ID></REQUEST>')).code).toBe('E108');
      expect(parseError(postBody('<REQUEST><TO>1</TO></REQUEST>\n& more'))).toStrictEqual({
        code: 'E108',
        info: "XML Parse error: char '&' is not expected. (line 2, column 1)",
      });
    });

    // Not recoverable: a client that writes `XML=` and the raw document into a urlencoded body
    // (no urlencode()) ends the field at the first &, whatever the XML reader does.
    it('an urlencoded body whose xml field was not urlencoded is cut at the & (E108)', () => {
      const error = parseError(postBody(`XML=${HAND_BUILT_XML}`, FORM));
      expect(error.code).toBe('E108');
    });

    it('reads 60 KB of ampersand fragments in linear time', () => {
      for (const fragment of ['&#1', '&a', '&abcdefghijklmnopqrst', '&#x', '&', '<![CDATA[&]]>&']) {
        const xml = `<REQUEST><CUSTOMSUBJECT>${fragment.repeat(Math.floor(60_000 / fragment.length))}</CUSTOMSUBJECT></REQUEST>`;
        const started = performance.now();
        parsePartnerRequest(postBody(xml));
        expect(performance.now() - started).toBeLessThan(500);
      }
    });
  });

  describe('structural limits and control characters (E108)', () => {
    it('refuses more elements than the limit', () => {
      const body = `<REQUEST><DATA>${'<A>x</A>'.repeat(300)}</DATA></REQUEST>`;
      expect(parseError(postBody(body, 'text/xml')).code).toBe('E108');
    });
    it('refuses nesting deeper than the limit', () => {
      const body = `<REQUEST>${'<A>'.repeat(20)}x${'</A>'.repeat(20)}</REQUEST>`;
      expect(parseError(postBody(body, 'text/xml'))).toStrictEqual({ code: 'E108', info: 'XML Parse error: elements nested deeper than 8 levels' });
    });
    it.each(['\u0000', '\u0007', '\u001b'])('refuses the control character %j in XML and in GET values', (c) => {
      expect(parseError(postBody(`<REQUEST><ACTION>a${c}</ACTION></REQUEST>`, 'text/xml')).code).toBe('E108');
      expect(parseError(getRequest(`action=a${encodeURIComponent(c)}`)).code).toBe('E108');
    });
    it.each(['&#7;', '&#x1b;', '&#127;'])('never lets the control character reference %s into a value', (reference) => {
      // XML 1.1 allows references to C0 controls; the value is refused as if the character were raw.
      const xml11 = `<?xml version="1.1"?><REQUEST><ACTION>sendMMSBarcode</ACTION><CUSTOMSUBJECT>a${reference}b</CUSTOMSUBJECT></REQUEST>`;
      expect(parseError(postBody(xml11, 'text/xml'))).toStrictEqual({ code: 'E108', info: 'XML Parse error: control characters are not allowed' });
      const xml10 = `<REQUEST><ACTION>sendMMSBarcode</ACTION><CUSTOMSUBJECT>a${reference}b</CUSTOMSUBJECT></REQUEST>`;
      let subject: string | undefined;
      try {
        subject = parsePartnerRequest(postBody(xml10, 'text/xml')).customSubject;
      } catch (error) {
        expect(error).toBeInstanceOf(PartnerApiError);
      }
      // eslint-disable-next-line no-control-regex
      expect(subject ?? '').not.toMatch(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/);
    });
  });

  describe('E100: a request of no known form', () => {
    it.each<[string, RawPartnerRequest]>([
      ['a GET without parameters', getRequest('')],
      ['a POST without body nor parameters', { method: 'POST', query: {}, contentType: undefined, body: undefined }],
      ['a POST with an empty body', postBody(Buffer.alloc(0), FORM)],
      ['a POST form without an xml field', postForm({ action: 'sendMMSBarcode', to: '16501234123' })],
      ['a POST form with an xmldata field (not xml)', postForm({ xmldata: DOCS_EXAMPLE_XML })],
      ['a POST form whose body is raw XML', postBody(DOCS_EXAMPLE_XML, FORM)],
      ['multipart/form-data without an xml field', postBody('--b\r\nContent-Disposition: form-data; name="action"\r\n\r\nsendMMSBarcode\r\n--b--\r\n', 'multipart/form-data; boundary=b')],
      ['multipart/form-data without its boundary', postBody('--b\r\nContent-Disposition: form-data; name="xml"\r\n\r\n<REQUEST/>\r\n--b--\r\n', 'multipart/form-data')],
      ['multipart/form-data cut short', postBody('--b\r\nContent-Disposition: form-data; name="xml"\r\n\r\n<REQUEST>', 'multipart/form-data; boundary=b')],
      ['a plain-text body', postBody('hello', 'text/plain')],
      ['a JSON body', postBody('{"action":"sendMMSBarcode"}', 'application/json')],
      ['a non-XML body labelled text/xml', postBody('action=sendMMSBarcode', 'text/xml')],
      ['a non-XML body without content type', postBody('sendMMSBarcode', undefined)],
      ['well-formed XML with another root', postBody('<RESPONSE><STATUS>Success</STATUS></RESPONSE>')],
      ['an empty REQUEST element', postBody('<REQUEST></REQUEST>')],
      ['a REQUEST with text only', postBody('<REQUEST>sendMMSBarcode</REQUEST>')],
      ['an xml form field holding well-formed non-REQUEST XML', postForm({ XML: '<POSTBACK><CODE>N101</CODE></POSTBACK>' })],
    ])('%s', (_case, raw) => {
      expect(parseError(raw)).toStrictEqual({ code: 'E100', info: E100_INFO });
    });
  });

  describe('E108: XML that cannot be read', () => {
    it.each<[string, string, string]>([
      ['an unclosed root', '<REQUEST><ACTION>x</ACTION>', "XML Parse error: Unclosed tag 'REQUEST'. (line 1, column 1)"],
      [
        'a mismatched closing tag',
        '<REQUEST><ACTION>x</REQUEST>',
        "XML Parse error: Expected closing tag 'ACTION' (opened in line 1, col 10) instead of closing tag 'REQUEST'. (line 1, column 19)",
      ],
      ['an invalid tag name', '<REQUEST><1TO>1</1TO></REQUEST>', "XML Parse error: Tag '1TO' is an invalid name. (line 1, column 14)"],
    ])('%s', (_case, xml, info) => {
      for (const [, make] of xmlForms) expect(parseError(make(xml))).toStrictEqual({ code: 'E108', info });
      expect(parseError(getRequest(new URLSearchParams({ xml }).toString()))).toStrictEqual({ code: 'E108', info });
    });

    it.each<[string, string]>([
      ['an XML form field that is not XML at all', 'sendMMSBarcode'],
      ['two root elements', '<REQUEST></REQUEST><REQUEST></REQUEST>'],
      ['an unquoted attribute', '<REQUEST a=1><TO>1</TO></REQUEST>'],
      ['an unescaped < in text', '<REQUEST><TO>1 < 2</TO></REQUEST>'],
    ])('%s', (_case, xml) => {
      const error = parseError(postForm({ XML: xml }));
      expect(error.code).toBe('E108');
      expect(error.info).toMatch(/^XML Parse error: .+ \(line \d+, column \d+\)$/);
    });

    // Found by the hostile-input property test: the validator passes it, the parser throws.
    it('an unclosed comment between elements', () => {
      const error = parseError(postForm({ xml: "<TO></TO><!--'<TO></TO>" }));
      expect(error.code).toBe('E108');
      expect(error.info).toMatch(/^XML Parse error: .+/);
    });

    it.each<[string, string]>([
      ['a DOCTYPE', '<!DOCTYPE REQUEST><REQUEST><TO>1</TO></REQUEST>'],
      ['a lower-case doctype', '<!doctype request><REQUEST><TO>1</TO></REQUEST>'],
      ['an internal entity declaration', '<!DOCTYPE REQUEST [<!ENTITY to "16501234123">]><REQUEST><TO>&to;</TO></REQUEST>'],
      ['an external entity (XXE)', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><REQUEST><TO>&xxe;</TO></REQUEST>'],
      [
        'a billion-laughs expansion',
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><REQUEST><TO>&lol2;</TO></REQUEST>',
      ],
      ['an ENTITY declaration on its own', '<REQUEST><TO>1</TO></REQUEST><!ENTITY x "y">'],
    ])('%s is refused without expansion', (_case, xml) => {
      const expected = { code: 'E108', info: 'XML Parse error: DOCTYPE and entity declarations are not allowed' };
      for (const [, make] of xmlForms) expect(parseError(make(xml))).toStrictEqual(expected);
      expect(parseError(getRequest(new URLSearchParams({ xml }).toString()))).toStrictEqual(expected);
    });

    it.each<[string, number[]]>([
      ['a lone 0xFF byte', [0xff]],
      ['an overlong encoding of "/"', [0xc0, 0xaf]],
      ['a truncated 3-byte sequence', [0xe2, 0x82]],
      ['an encoded surrogate', [0xed, 0xa0, 0x80]],
      ['Latin-1 "é"', [0xe9]],
    ])('invalid UTF-8 in the body: %s', (_case, bytes) => {
      const expected = { code: 'E108', info: 'XML Parse error: invalid UTF-8' };
      const xml = Buffer.concat([Buffer.from('<REQUEST><CUSTOMSUBJECT>'), Buffer.from(bytes), Buffer.from('</CUSTOMSUBJECT></REQUEST>')]);
      expect(parseError(postBody(xml, 'text/xml'))).toStrictEqual(expected);
      expect(parseError(postBody(xml, undefined))).toStrictEqual(expected);
      expect(parseError(postBody(Buffer.concat([Buffer.from('XML='), Buffer.from(bytes)]), FORM))).toStrictEqual(expected);
    });
  });

  it('errors are PartnerApiError instances carrying code and info', () => {
    let caught: unknown;
    try {
      parsePartnerRequest(postBody('<REQUEST>'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PartnerApiError);
    expect(caught).toMatchObject({ name: 'PartnerApiError', code: 'E108', info: "XML Parse error: Unclosed tag 'REQUEST'. (line 1, column 1)" });
  });
});
