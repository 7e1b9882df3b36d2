/**
 * The text fields of a multipart/form-data body (RFC 7578), as PHP's curl sends them when the
 * payload is an array. Only what the partner API needs: field names and their UTF-8 values; file
 * parts are read as text too (the `xml` field may arrive as an uploaded file). Returns null when the
 * body is not well-formed multipart for the given boundary.
 */
export function parseMultipartFields(body: string, contentType: string): Map<string, string> | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (token === undefined || token.length > 200) return null;
  const delimiter = `--${token}`;
  const start = body.indexOf(delimiter);
  if (start === -1) return null;
  const fields = new Map<string, string>();
  let cursor = start + delimiter.length;
  for (;;) {
    if (body.startsWith('--', cursor)) return fields; // the closing delimiter
    const next = body.indexOf(`\r\n${delimiter}`, cursor);
    if (next === -1) return null;
    const part = body.slice(cursor, next).replace(/^[ \t]*\r\n/, '');
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) return null;
    const headers = part.slice(0, split);
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"|\bname=([^;\s]+)/i.exec(disposition);
    const fieldName = name?.[1] ?? name?.[2];
    if (fieldName !== undefined) fields.set(fieldName.toLowerCase(), part.slice(split + 4));
    cursor = next + 2 + delimiter.length;
  }
}
