/**
 * The partner API's error catalogue: code -> ERRORINFO, exactly as Skycore's docs give it
 * (partners match on both). Source of truth: error-codes.tsv beside this file, copied from the
 * API contract; error-catalogue.spec.ts fails when the two disagree.
 */
export const ErrorInfo = {
  E100: "Invalid request. Make request via GET method or send valid XML inside 'xml' field via POST.",
  E101: "'action' required/Invalid Action",
  E102: "'user' or 'api_key' required",
  E103: "'pass' md5(password) required",
  E104: "User Authentication FAILED",
  E105: "This account has no API rights",
  E106: "You can call API every X seconds",
  E107: "This account has no rights to use this action",
  E108: "XML Parse error: $error",
  E109: "API not activated",
  E110: "Invalid receiver number",
  E111: "Invalid shortcode",
  E120: "Account has reached the API request limit.",
  E241: "This content does not exist",
  E503: "Internal error",
  E620: "The 'mmsid' is required",
  E621: "The 'to' is required",
  E623: "The 'to' field can contain up to 100 numbers",
  E626: "Content unavailable. Encoding in progress, try again later.",
  E628: "Operator Not supported",
  E629: "Unrecognized content type",
  E630: "The 'databaseid' is required",
  E631: "The 'barcodeid' is required",
  E632: "Invalid 'databaseid'",
  E633: "This MMS does not contain barcode object",
  E634: "Invalid 'barcodeid' for this database",
  E713: "There is billing problem on your account",
  E714: "Missing/Invalid 'campaignid'",
  E715: "Number is not subscribed to this campaign",
} as const;

export type ErrorCode = keyof typeof ErrorInfo;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ErrorInfo, code);
}

/**
 * ERRORINFO for a code. E106 and E108 carry a value in the docs' text (`X` seconds, `$error`):
 * pass it as `detail`.
 */
export function errorInfoFor(code: ErrorCode, detail?: string): string {
  const text: string = ErrorInfo[code];
  // Replacer functions: a `$&` in a partner-supplied detail must stay literal text.
  if (code === 'E106') return text.replace('X', () => detail ?? 'X');
  if (code === 'E108') return text.replace('$error', () => detail ?? 'invalid document');
  return text;
}

/** A failure the partner API answers with: code, info text and the TO to echo when given. */
export class PartnerApiError extends Error {
  readonly info: string;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
  ) {
    super(`${code} ${errorInfoFor(code, detail)}`);
    this.name = 'PartnerApiError';
    this.info = errorInfoFor(code, detail);
  }
}
