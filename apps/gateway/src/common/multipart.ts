export interface MultipartPart {
  /** The part's header block, as sent. */
  readonly headers: string;
  readonly body: string;
}

/**
 * The parts of a multipart body (RFC 2046) for the boundary its Content-Type names, in order.
 * Returns null when the body is not well-formed multipart for that boundary. Used for the partner
 * API's multipart/form-data and for MMSCs' multipart/related delivery reports.
 */
export function multipartParts(body: string, contentType: string): MultipartPart[] | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (token === undefined || token.length > 200) return null;
  const delimiter = `--${token}`;
  const start = body.indexOf(delimiter);
  if (start === -1) return null;
  const parts: MultipartPart[] = [];
  let cursor = start + delimiter.length;
  for (;;) {
    if (body.startsWith('--', cursor)) return parts; // the closing delimiter
    const next = body.indexOf(`\r\n${delimiter}`, cursor);
    if (next === -1) return null;
    const part = body.slice(cursor, next).replace(/^[ \t]*\r\n/, '');
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) return null;
    parts.push({ headers: part.slice(0, split), body: part.slice(split + 4) });
    cursor = next + 2 + delimiter.length;
  }
}

/**
 * The text fields of a multipart/form-data body (RFC 7578), as PHP's curl sends them when the
 * payload is an array: field names (lower-cased) and their values; file parts are read as text too
 * (the `xml` field may arrive as an uploaded file). Null when the body is not well-formed.
 */
export function parseMultipartFields(body: string, contentType: string): Map<string, string> | null {
  const parts = multipartParts(body, contentType);
  if (parts === null) return null;
  const fields = new Map<string, string>();
  for (const part of parts) {
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(part.headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"|\bname=([^;\s]+)/i.exec(disposition);
    const fieldName = name?.[1] ?? name?.[2];
    if (fieldName !== undefined) fields.set(fieldName.toLowerCase(), part.body);
  }
  return fields;
}
