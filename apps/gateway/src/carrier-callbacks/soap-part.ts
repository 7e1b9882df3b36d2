import { InvalidDeliveryReportError } from '@mms/mm7';
import { multipartParts } from '../common/multipart';

/**
 * The SOAP envelope of an MMSC's request: the body itself, or the first XML part of a
 * multipart/related one (MM7 allows both for a DeliveryReportReq).
 */
export function soapEnvelopeOf(body: string, contentType: string): string {
  if (!/^multipart\//i.test(contentType.trim())) return body;
  const parts = multipartParts(body, contentType);
  if (parts === null) throw new InvalidDeliveryReportError('not a well-formed multipart body');
  const soap = parts.find((part) => /content-type:\s*(text|application)\/(soap\+)?xml/i.test(part.headers));
  if (soap === undefined) throw new InvalidDeliveryReportError('no SOAP part in the multipart body');
  return soap.body.trim();
}
