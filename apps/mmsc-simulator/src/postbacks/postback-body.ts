import { MediaType, parseMediaType } from '../mime/media-type';
import { MimeError } from '../mime/mime-error';
import { PostbackRefusal } from './postback-refusal';

/**
 * How a postback came: the document as the raw body (text/xml or application/xml, our default), or
 * in an urlencoded form's field `xml`, or `XML` as the Skycore docs and old receivers have it.
 */
export type PostbackForm = 'raw' | 'xml field' | 'XML field';

export interface PostbackBody {
  readonly form: PostbackForm;
  readonly document: string;
}

const XML_TYPES = new Set(['text/xml', 'application/xml']);
const FORM_TYPE = 'application/x-www-form-urlencoded';
const ACCEPTED = 'text/xml, application/xml or application/x-www-form-urlencoded';

/** The document a postback request carries; refuses (415, 400) what a partner's server could not read. */
export function decodePostbackBody(contentType: string | undefined, body: Buffer): PostbackBody {
  const mediaType = mediaTypeOf(contentType);
  if (XML_TYPES.has(mediaType.essence)) {
    return { form: 'raw', document: nonEmpty(decodeCharset(body, mediaType), 'the body') };
  }
  if (mediaType.essence === FORM_TYPE) {
    // Percent-encoded bytes are UTF-8 (WHATWG URL standard, application/x-www-form-urlencoded).
    const fields = new URLSearchParams(decodeCharset(body, mediaType));
    const lower = fields.get('xml');
    if (lower !== null) return { form: 'xml field', document: nonEmpty(lower, 'the form field xml') };
    const upper = fields.get('XML');
    if (upper !== null) return { form: 'XML field', document: nonEmpty(upper, 'the form field XML') };
    const names = [...new Set(fields.keys())];
    throw new PostbackRefusal(400, `the form has no field xml (nor XML)${names.length === 0 ? '' : `; fields sent: ${names.slice(0, 10).join(', ')}`}`);
  }
  throw new PostbackRefusal(415, `Content-Type ${mediaType.essence} is not a postback: send ${ACCEPTED}`);
}

function mediaTypeOf(contentType: string | undefined): MediaType {
  if (contentType === undefined || contentType.trim() === '') throw new PostbackRefusal(415, `no Content-Type: send ${ACCEPTED}`);
  try {
    return parseMediaType(contentType);
  } catch (error) {
    if (error instanceof MimeError) throw new PostbackRefusal(415, error.message);
    throw error;
  }
}

/** The declared charset (UTF-8 when none); bytes that are not in it are refused, not replaced. */
function decodeCharset(body: Buffer, mediaType: MediaType): string {
  const charset = mediaType.params['charset'] ?? 'utf-8';
  const decoder = decoderFor(charset);
  try {
    return decoder.decode(body);
  } catch {
    throw new PostbackRefusal(400, `the body is not valid ${charset}`);
  }
}

function decoderFor(charset: string) {
  try {
    return new TextDecoder(charset, { fatal: true });
  } catch {
    throw new PostbackRefusal(415, `charset "${charset}" is unknown: send utf-8`);
  }
}

function nonEmpty(document: string, where: string): string {
  if (document.trim() === '') throw new PostbackRefusal(400, `${where} is empty: no postback document`);
  return document;
}
