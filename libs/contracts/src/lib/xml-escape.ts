/** Escapes text for XML element content: only &, < and > need it (quotes stay as written). */
export function escapeXmlText(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

/** Escapes text for XML content or attribute values (quotes too). */
export function escapeXml(text: string): string {
  return escapeXmlText(text).replace(/['"]/g, (c) => (c === '"' ? '&quot;' : '&apos;'));
}
