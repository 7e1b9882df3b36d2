import { Mm7ReadError } from './envelope';
import { Mm7Response, readResponse } from './response';
import { statusClass } from './status';

/**
 * What an MMSC said to a SubmitReq. Accepted without a MessageID happens (a 1000 from an MMSC that
 * does not issue ids): the MMSC took the message, so it is accepted, and the warning says that no
 * delivery report can be matched to it.
 */
export type SubmitOutcome =
  | { readonly kind: 'accepted'; readonly messageId: string; readonly code: number; readonly text: string }
  | { readonly kind: 'accepted'; readonly messageId: undefined; readonly code: number; readonly text: string; readonly warning: string }
  | { readonly kind: 'refused'; readonly code: number; readonly text: string; readonly retryable: boolean };

/**
 * Reads a SubmitRsp, or an RSErrorRsp / VASPErrorRsp inside a SOAP Fault, whatever the HTTP
 * status. An unreadable answer counts as a server error (3000), retried. A client error (2xxx) is
 * never retried; server errors (3xxx) always are; 4xxx only where the connector lists the code.
 */
export function parseSubmitResponse(body: string, retryableCodes: readonly number[]): SubmitOutcome {
  let response: Mm7Response;
  try {
    response = readResponse(body);
  } catch (error) {
    if (!(error instanceof Mm7ReadError)) throw error;
    return { kind: 'refused', code: 3000, text: `unreadable SubmitRsp: ${error.message}`, retryable: true };
  }
  const { code, text } = response;
  if (!Number.isInteger(code)) return { kind: 'refused', code: 3000, text: 'no status code in the MMSC answer', retryable: true };
  const klass = statusClass(code);
  if (klass === 1000) {
    if (response.messageId !== undefined) return { kind: 'accepted', messageId: response.messageId, code, text };
    return { kind: 'accepted', messageId: undefined, code, text, warning: 'the MMSC accepted the message without a MessageID: no delivery report can be matched to it' };
  }
  const retryable = klass === 3000 || (klass === 4000 && retryableCodes.includes(code));
  return { kind: 'refused', code, text, retryable };
}
