import { Mm7ReadError, field, readEnvelope, text } from './envelope';

/** Any MM7 answer (SubmitRsp, DeliveryReportRsp, DeliverRsp...) or an error response in a Fault. */
export interface Mm7Response {
  readonly transactionId: string | undefined;
  /** The answer's local name: `SubmitRsp`, `DeliveryReportRsp`, `RSErrorRsp` for a Fault's... */
  readonly element: string;
  readonly mm7Version: string | undefined;
  /** NaN when the answer carries no status code. */
  readonly code: number;
  readonly text: string;
  readonly messageId: string | undefined;
}

const ERROR_RESPONSES = ['RSErrorRsp', 'VASPErrorRsp'] as const;

/** Reads the status of an MM7 answer; throws Mm7ReadError for anything that is not one. */
export function readResponse(xml: string): Mm7Response {
  const { transactionId, body } = readEnvelope(xml);
  const detail = field(field(body, 'Fault'), 'detail');
  const fromFault = ERROR_RESPONSES.find((name) => field(detail, name) !== undefined);
  const element = fromFault ?? Object.keys(body).find((name) => name.endsWith('Rsp'));
  if (element === undefined) throw new Mm7ReadError('no MM7 response in the SOAP body');
  const response = fromFault === undefined ? body[element] : field(detail, fromFault);
  const status = field(response, 'Status');
  return {
    transactionId,
    element,
    mm7Version: text(field(response, 'MM7Version')),
    code: Number(text(field(status, 'StatusCode'))),
    text: text(field(status, 'StatusText')) ?? text(field(status, 'Details')) ?? '',
    messageId: text(field(response, 'MessageID')),
  };
}
