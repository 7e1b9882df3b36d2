import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ErrorInfo, PartnerResponse } from '@mms/contracts';
import { renderResponse } from './response-xml';

/** examples/sendMMSBarcode.success.response.xml, copied verbatim. */
const DOCS_SUCCESS_XML =
  '<RESPONSE>\n' +
  '    <STATUS>Success</STATUS>\n' +
  '    <MMSID>35674</MMSID>\n' +
  '    <TRACKINGID>TU1TXzEyMzQ2</TRACKINGID>\n' +
  '    <TO>16501234123</TO>\n' +
  '</RESPONSE>\n';

/** examples/sendMMSBarcode.failure.response.xml, copied verbatim. */
const DOCS_FAILURE_XML =
  '<RESPONSE>\n' +
  '    <STATUS>Failure</STATUS>\n' +
  '    <ERRORCODE>E713</ERRORCODE>\n' +
  '    <TO>16501234123</TO>\n' +
  '    <ERRORINFO>There is billing problem on your account</ERRORINFO>\n' +
  '</RESPONSE>\n';

/** Reads a rendered answer back: element names in document order, values as text. */
function readBack(xml: string): Array<[string, string]> {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({ preserveOrder: true, parseTagValue: false, trimValues: false, processEntities: true, htmlEntities: false });
  const document = parser.parse(xml) as Array<Record<string, Array<Record<string, Array<{ '#text'?: string }>>>>>;
  const root = document.find((node) => 'RESPONSE' in node)?.['RESPONSE'] ?? [];
  return root
    .filter((node) => !('#text' in node))
    .map((node) => {
      const [name] = Object.keys(node) as [string];
      return [name, (node[name] ?? []).map((child) => child['#text'] ?? '').join('')];
    });
}

const failure = (to?: string): PartnerResponse => ({
  status: 'Failure',
  errorCode: 'E713',
  errorInfo: 'There is billing problem on your account',
  ...(to === undefined ? {} : { to }),
});

describe('renderResponse', () => {
  describe('layouts as in the API docs', () => {
    it('Success: STATUS, MMSID, TRACKINGID, TO, byte for byte as the docs example', () => {
      const xml = renderResponse({ status: 'Success', mmsId: 35674, trackingId: 'TU1TXzEyMzQ2', to: '16501234123' });
      expect(xml).toBe(DOCS_SUCCESS_XML);
      expect(readBack(xml)).toStrictEqual([
        ['STATUS', 'Success'],
        ['MMSID', '35674'],
        ['TRACKINGID', 'TU1TXzEyMzQ2'],
        ['TO', '16501234123'],
      ]);
    });

    it('Failure with TO: STATUS, ERRORCODE, TO, ERRORINFO, byte for byte as the docs example', () => {
      const xml = renderResponse(failure('16501234123'));
      expect(xml).toBe(DOCS_FAILURE_XML);
      expect(readBack(xml).map(([name]) => name)).toStrictEqual(['STATUS', 'ERRORCODE', 'TO', 'ERRORINFO']);
    });

    it.each<[string, string | undefined]>([
      ['TO not given', undefined],
      ['TO empty', ''],
    ])('Failure with %s: no TO element', (_case, to) => {
      expect(renderResponse(failure(to))).toBe(
        '<RESPONSE>\n' +
          '    <STATUS>Failure</STATUS>\n' +
          '    <ERRORCODE>E713</ERRORCODE>\n' +
          '    <ERRORINFO>There is billing problem on your account</ERRORINFO>\n' +
          '</RESPONSE>\n',
      );
    });

    it('keeps a TO with a leading zero as text', () => {
      expect(readBack(renderResponse({ status: 'Success', mmsId: 1, trackingId: 'TU1TXzE=', to: '016501234123' }))).toContainEqual([
        'TO',
        '016501234123',
      ]);
    });

    it('echoes a comma-separated TO list in a failure as given', () => {
      const xml = renderResponse({ status: 'Failure', errorCode: 'E623', errorInfo: "The 'to' field can contain up to 100 numbers", to: '1,2' });
      expect(xml).toContain('    <TO>1,2</TO>\n');
    });
  });

  describe('XML escaping', () => {
    it.each<[string, string, string]>([
      ['less-than and greater-than', 'a<b>c', 'a&lt;b&gt;c'],
      ['ampersand', 'Smith & Sons', 'Smith &amp; Sons'],
      ['an already escaped entity is escaped again', '&amp;', '&amp;amp;'],
      ['a CDATA terminator', 'x]]>y', 'x]]&gt;y'],
      ['a closing tag injection', '</ERRORINFO><STATUS>Success</STATUS>', '&lt;/ERRORINFO&gt;&lt;STATUS&gt;Success&lt;/STATUS&gt;'],
    ])('%s', (_case, value, escaped) => {
      const xml = renderResponse({ status: 'Failure', errorCode: 'E108', errorInfo: value, to: value });
      expect(xml).toContain(`    <TO>${escaped}</TO>\n`);
      expect(xml).toContain(`    <ERRORINFO>${escaped}</ERRORINFO>\n`);
      expect(readBack(xml)).toStrictEqual([
        ['STATUS', 'Failure'],
        ['ERRORCODE', 'E108'],
        ['TO', value],
        ['ERRORINFO', value],
      ]);
    });

    it.each<[string, string]>([
      ['double quotes', 'say "hi"'],
      ['apostrophes', "The 'mmsid' is required"],
    ])('leaves %s literal (legal in element content; ERRORINFO reads as the docs print it)', (_case, value) => {
      const xml = renderResponse({ status: 'Failure', errorCode: 'E620', errorInfo: value, to: value });
      expect(xml).toContain(`    <TO>${value}</TO>\n`);
      expect(xml).toContain(`    <ERRORINFO>${value}</ERRORINFO>\n`);
      expect(readBack(xml)).toContainEqual(['ERRORINFO', value]);
    });

    it.each(Object.entries(ErrorInfo))('%s: the catalogue text is echoed verbatim', (code, info) => {
      expect(renderResponse({ status: 'Failure', errorCode: code, errorInfo: info })).toBe(
        `<RESPONSE>\n    <STATUS>Failure</STATUS>\n    <ERRORCODE>${code}</ERRORCODE>\n    <ERRORINFO>${info}</ERRORINFO>\n</RESPONSE>\n`,
      );
    });

    it('escapes Success values too', () => {
      const xml = renderResponse({ status: 'Success', mmsId: 7, trackingId: 'a&b', to: '<1>' });
      expect(xml).toBe(
        '<RESPONSE>\n    <STATUS>Success</STATUS>\n    <MMSID>7</MMSID>\n    <TRACKINGID>a&amp;b</TRACKINGID>\n    <TO>&lt;1&gt;</TO>\n</RESPONSE>\n',
      );
    });
  });

  describe('characters XML 1.0 cannot carry are stripped, so the answer stays well-formed', () => {
    it.each<[string, string, string]>([
      ['NUL', 'a\u0000b', 'ab'],
      ['C0 controls', '\u0001\u0002\u0008x\u000B\u000C\u000E\u001F', 'x'],
      ['ESC sequences', '\u001b[31mred\u001b[0m', '[31mred[0m'],
      ['U+FFFE and U+FFFF', 'a\uFFFEb\uFFFFc', 'abc'],
      ['a lone high surrogate', 'a\uD800b', 'ab'],
      ['a lone low surrogate', 'a\uDFFFb', 'ab'],
      ['escaping and stripping together', '<\u0000&\u0007>', '&lt;&amp;&gt;'],
    ])('%s', (_case, value, expectedText) => {
      const xml = renderResponse({ status: 'Failure', errorCode: 'E108', errorInfo: `XML Parse error: ${value}`, to: value });
      expect(XMLValidator.validate(xml)).toBe(true);
      expect(xml).toContain(`    <TO>${expectedText}</TO>\n`);
      expect(xml).toContain(`    <ERRORINFO>XML Parse error: ${expectedText}</ERRORINFO>\n`);
    });

    it.each<[string, string]>([
      ['tab', 'a\tb'],
      ['line feed', 'a\nb'],
      ['DEL and C1 controls (legal in XML 1.0)', 'a\u007F\u0085b'],
      ['the last BMP characters before and after the surrogates', '\uD7FF\uE000\uFFFD'],
      ['a surrogate pair (emoji)', 'ticket 🎟️ ✓'],
      ['accented letters', 'Zoë Ünal'],
    ])('keeps %s', (_case, value) => {
      const xml = renderResponse({ status: 'Failure', errorCode: 'E503', errorInfo: value, to: value });
      expect(xml).toContain(`    <ERRORINFO>${value}</ERRORINFO>\n`);
      expect(readBack(xml)).toContainEqual(['ERRORINFO', value]);
    });

    it('carriage returns are kept (parsers normalise them to line feeds)', () => {
      const xml = renderResponse({ status: 'Failure', errorCode: 'E503', errorInfo: 'a\r\nb' });
      expect(xml).toContain('    <ERRORINFO>a\r\nb</ERRORINFO>\n');
      expect(XMLValidator.validate(xml)).toBe(true);
    });

    it('every code point from U+0000 to U+00FF yields a well-formed answer', () => {
      const all = Array.from({ length: 0x100 }, (_, i) => String.fromCharCode(i)).join('');
      const xml = renderResponse({ status: 'Success', mmsId: 1, trackingId: all, to: all });
      expect(XMLValidator.validate(xml)).toBe(true);
      const legal = (code: number): boolean => code === 0x09 || code === 0x0a || code === 0x0d || code >= 0x20;
      const kept = [...all].filter((c) => legal(c.charCodeAt(0))).join('').replace(/\r\n?/g, '\n');
      expect(kept).toHaveLength(0x100 - 29);
      expect(readBack(xml)).toContainEqual(['TO', kept]);
    });
  });
});
