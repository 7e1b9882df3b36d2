import { MediaType } from '../mime/media-type';
import { MimeError } from '../mime/mime-error';
import { MimePart, contentIdFromCidUrl, describeIds, leafParts, parseEntity, rootPart } from '../mime/multipart';
import { MM7_NAMESPACE_PATTERN } from './mm7-constants';
import { Mm7Dialect, SoapError, readSoapMessage } from './soap-reader';
import { Mm7Issue, SubmitReqData, UNSUPPORTED_VERSION, VALIDATION_ERROR, readSubmitReq, validateSubmitReq } from './submit-req.validator';

/**
 * Reads one HTTP request to the MM7 endpoint as an MMSC would: the SOAP-with-attachments
 * envelope (multipart/related, RFC 2387, root = `start` or the first part), the SOAP 1.1 message,
 * the SubmitReq checked against the schema table, and the content the Content href names.
 * Never throws for bad input: every problem becomes an issue with its MM7 status, in the order
 * found, so the first one decides the answer and all of them go into Details.
 */

export const MESSAGE_FORMAT_CORRUPT = 2007;
export const UNSUPPORTED_OPERATION = 4003;
export const CONTENT_REFUSED = 2004;

/** Above this, NOTES.md says not every operator takes the message (OMA "Video Rich": 300 KB). */
export const PORTABLE_CONTENT_BYTES = 300 * 1024;

export interface SubmitRequestInput {
  readonly contentType: string | undefined;
  readonly soapAction: string | undefined;
  readonly body: Buffer;
}

export interface SubmitReadingOptions {
  /** Content larger than this is refused with 2004 (none: no limit). */
  readonly maxContentBytes?: number;
}

export interface SubmitReading {
  readonly transactionId: string | null;
  /** The request's MM7 namespace (answers use the same), when it had one. */
  readonly mm7Namespace: string | null;
  readonly dialect: Mm7Dialect | null;
  /** Local name of the Body's first element. */
  readonly operation: string | null;
  /** A SubmitReq was recognised: errors are answered with SubmitRsp. */
  readonly isSubmitReq: boolean;
  readonly submit: SubmitReqData | null;
  readonly soapXml: string | null;
  /** The multimedia content's parts (leaves of the part the Content href names), in order. */
  readonly parts: readonly MimePart[];
  /** The media type of the content part itself (multipart/related for an MMS with SMIL). */
  readonly contentMediaType: MediaType | null;
  readonly contentBytes: number;
  readonly issues: readonly Mm7Issue[];
  /** Not wrong enough to refuse, worth showing (dialect quirks, RFC nits, portability). */
  readonly warnings: readonly string[];
}

export function readSubmitRequest(input: SubmitRequestInput, options: SubmitReadingOptions = {}): SubmitReading {
  const issues: Mm7Issue[] = [];
  const warnings: string[] = [];
  const corrupt = (path: string, message: string) => issues.push({ status: MESSAGE_FORMAT_CORRUPT, path, message });
  const empty = (): SubmitReading => ({
    transactionId: null,
    mm7Namespace: null,
    dialect: null,
    operation: null,
    isSubmitReq: false,
    submit: null,
    soapXml: null,
    parts: [],
    contentMediaType: null,
    contentBytes: 0,
    issues,
    warnings,
  });

  // 1. The HTTP entity: multipart/related with the SOAP part as root, or a bare text/xml envelope.
  if (input.contentType === undefined || input.contentType.trim() === '') {
    corrupt('HTTP', 'the request has no Content-Type (expected multipart/related; type="text/xml")');
    return empty();
  }
  if (input.soapAction === undefined) warnings.push('no SOAPAction HTTP header (SOAP 1.1 §6.1.1 requires one; MM7 sends SOAPAction: "")');
  let entity: MimePart;
  let root: MimePart;
  try {
    entity = parseEntity(input.contentType, input.body);
    root = entity.children === null ? entity : rootPart(entity);
  } catch (error) {
    corrupt('MIME', error instanceof MimeError ? error.message : String(error));
    return empty();
  }
  const essence = entity.mediaType.essence;
  if (entity.children !== null) {
    if (essence !== 'multipart/related') warnings.push(`the request is ${essence}; SOAP with attachments uses multipart/related (RFC 2387)`);
    const type = entity.mediaType.params['type'];
    if (type === undefined) warnings.push('multipart/related without the type parameter (RFC 2387 §3.1 requires type="text/xml")');
    else if (type.toLowerCase() !== root.mediaType.essence) warnings.push(`multipart/related type="${type}" but the root part is ${root.mediaType.essence}`);
  } else if (essence !== 'text/xml') {
    corrupt('HTTP', `Content-Type ${essence} is neither multipart/related (SOAP with attachments) nor text/xml`);
    return empty();
  }
  if (root.mediaType.essence !== 'text/xml') {
    corrupt('SOAP part', `the SOAP part is ${root.mediaType.essence}; SOAP 1.1 envelopes are text/xml`);
    return empty();
  }

  // 2. The SOAP 1.1 message.
  const soapXml = decodeText(root.body, root.mediaType.params['charset']);
  let soap;
  try {
    soap = readSoapMessage(soapXml);
  } catch (error) {
    const soapError = error instanceof SoapError ? error : new SoapError(String(error));
    issues.push({
      status: MESSAGE_FORMAT_CORRUPT,
      path: 'SOAP',
      message: soapError.message,
      ...(soapError.faultCode === 'VersionMismatch' ? { faultCode: 'VersionMismatch' as const } : {}),
    });
    return { ...empty(), soapXml };
  }
  const base = {
    transactionId: soap.transactionId === '' ? null : soap.transactionId,
    mm7Namespace: soap.mm7Namespace,
    dialect: soap.dialect,
    operation: soap.operation?.localName ?? null,
    soapXml,
  };
  for (const name of soap.notUnderstood) {
    issues.push({ status: VALIDATION_ERROR, path: 'SOAP Header', message: `header entry <${name}> is marked mustUnderstand="1" and is not understood`, faultCode: 'MustUnderstand' });
  }
  if (soap.operation === null) {
    corrupt('SOAP Body', 'the Body is empty (expected SubmitReq)');
    return { ...empty(), ...base };
  }
  if (soap.operation.localName !== 'SubmitReq') {
    issues.push({ status: UNSUPPORTED_OPERATION, path: 'SOAP Body', message: `<${soap.operation.name}> is not supported here; this MMSC's /mm7 takes SubmitReq` });
    return { ...empty(), ...base };
  }

  // 3. SubmitReq: TS 23.140 header and schema rules.
  const operation = soap.operation;
  if (soap.transactionId === null || soap.transactionId === '') {
    issues.push({ status: VALIDATION_ERROR, path: 'SOAP Header', message: 'no TransactionID in the SOAP Header (TS 23.140 §9.2: mandatory, echoed in the response)' });
  } else if (!soap.transactionIdMustUnderstand) {
    warnings.push('the TransactionID header entry lacks env:mustUnderstand="1"');
  }
  if (operation.namespace === null) {
    warnings.push('SubmitReq is in no namespace (expected an MM7 namespace such as REL-6-MM7-1-4)');
  } else if (!MM7_NAMESPACE_PATTERN.test(operation.namespace)) {
    const otherRelease = /\/23\.140\/schema\/REL-\d+-MM7-/.test(operation.namespace);
    issues.push({
      status: otherRelease ? UNSUPPORTED_VERSION : VALIDATION_ERROR,
      path: 'SubmitReq',
      message: `namespace "${operation.namespace}" is not an MM7 Release 5 or 6 namespace`,
    });
  }
  for (const child of operation.children) {
    if (child.namespace !== null && child.namespace !== operation.namespace) {
      warnings.push(`<${child.name}> is in namespace ${child.namespace}, SubmitReq in ${operation.namespace ?? '(none)'}`);
    }
  }
  issues.push(...validateSubmitReq(operation));
  const submit = readSubmitReq(operation);

  // 4. The content: the attachment the Content href names (TS 23.140 §9.3).
  const attachments = (entity.children ?? []).filter((p) => p !== root);
  let content: MimePart | undefined;
  const contentId = submit.contentHref === null ? null : contentIdFromCidUrl(submit.contentHref);
  if (contentId !== null) {
    content = attachments.find((p) => p.contentId === contentId);
    if (content === undefined) {
      corrupt('SubmitReq/Content/@href', `${submit.contentHref} names no attachment (attachments: ${describeIds(attachments)})`);
    }
  }
  const parts = content === undefined ? [] : leafParts(content);
  const contentBytes = parts.reduce((sum, p) => sum + p.body.length, 0);
  if (content !== undefined) {
    checkContent(content, parts, warnings);
    if (contentBytes > PORTABLE_CONTENT_BYTES) {
      warnings.push(`the content is ${Math.round(contentBytes / 1024)} KB: above 300 KB not every operator takes it (NOTES.md)`);
    }
    if (options.maxContentBytes !== undefined && contentBytes > options.maxContentBytes) {
      issues.push({ status: CONTENT_REFUSED, path: 'Content', message: `the content is ${contentBytes} bytes; this MMSC takes at most ${options.maxContentBytes}` });
    }
  }
  return {
    ...base,
    isSubmitReq: true,
    submit,
    parts,
    contentMediaType: content?.mediaType ?? null,
    contentBytes,
    issues,
    warnings,
  };
}

/** RFC 2387 nits in the content multipart: worth a warning, not a refusal. */
function checkContent(content: MimePart, parts: readonly MimePart[], warnings: string[]): void {
  if (content.mediaType.essence === 'multipart/related') {
    const type = content.mediaType.params['type'];
    let root: MimePart | undefined;
    try {
      root = rootPart(content);
    } catch (error) {
      warnings.push(`content: ${(error as Error).message}`);
    }
    if (type === undefined) warnings.push('content multipart/related without the type parameter (expected type="application/smil")');
    else if (root !== undefined && type.toLowerCase() !== root.mediaType.essence) {
      warnings.push(`content multipart/related type="${type}" but its root part is ${root.mediaType.essence}`);
    }
  }
  parts.forEach((part, index) => {
    if (part.contentId === null && part.contentLocation === null) {
      warnings.push(`content part ${index} (${part.mediaType.essence}) has neither Content-ID nor Content-Location: SMIL cannot refer to it`);
    }
  });
}

/** Decodes text by its MIME charset (UTF-8 when none or unknown), without a byte order mark. */
export function decodeText(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // an unknown charset label
  }
}
