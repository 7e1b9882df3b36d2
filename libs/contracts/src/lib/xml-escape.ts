/** Characters XML 1.0 cannot carry at all, escaped or not. */
// eslint-disable-next-line no-control-regex
const notXmlChar = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Drops what XML 1.0 cannot carry, so a document that echoes outside text stays well-formed. */
export function dropNonXmlChars(text: string): string {
  return text.replace(notXmlChar, '');
}

/** Escapes text for XML element content: only &, < and > need it (quotes stay as written). */
export function escapeXmlText(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

/** Escapes text for XML content or attribute values (quotes too). */
export function escapeXml(text: string): string {
  return escapeXmlText(text).replace(/['"]/g, (c) => (c === '"' ? '&quot;' : '&apos;'));
}
