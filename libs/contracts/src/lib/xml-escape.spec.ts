import { escapeXml, escapeXmlText } from './xml-escape';

describe('XML escaping', () => {
  it('escapes &, < and > in text, leaving quotes as written', () => {
    expect(escapeXmlText(`a<b>&"c" 'd'`)).toBe(`a&lt;b&gt;&amp;"c" 'd'`);
  });

  it('escapes quotes too where the value may sit in an attribute', () => {
    expect(escapeXml(`a<b>&"c" 'd'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;');
  });

  it('escapes an ampersand once, not the entities it produced', () => {
    expect(escapeXml('&lt;')).toBe('&amp;lt;');
  });
});
