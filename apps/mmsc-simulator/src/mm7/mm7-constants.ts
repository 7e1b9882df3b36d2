/**
 * MM7 names and numbers from 3GPP TS 23.140 (Release 5 and 6), written from the specification
 * (the official XSD files are not at hand).
 */

export const SOAP_ENVELOPE_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_ENVELOPE_NS = 'http://www.w3.org/2003/05/soap-envelope';

/** TS 23.140 Annex: the MM7 schema namespaces, REL-5-MM7-1-0 ... REL-6-MM7-1-x. */
export const MM7_NAMESPACE_PATTERN = /^http:\/\/www\.3gpp\.org\/ftp\/Specs\/archive\/23_series\/23\.140\/schema\/REL-([56])-MM7-1-(\d+)$/;

/** What we answer in when the request did not tell us (NOTES.md: the namespace to target). */
export const DEFAULT_MM7_NAMESPACE = 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4';
export const DEFAULT_MM7_VERSION = '6.8.0';

/** The release (5 or 6) of an MM7 namespace, or null when it is not one. */
export function mm7Release(namespace: string | null): 5 | 6 | null {
  const match = namespace === null ? null : MM7_NAMESPACE_PATTERN.exec(namespace);
  if (match === null) return null;
  return match[1] === '5' ? 5 : 6;
}

/** TS 23.140 §8.7.x, table of request status codes (status codes and their texts, as NOTES.md lists them). */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  1000: 'Success',
  1100: 'Partial success',
  2000: 'Client error',
  2001: 'Operation restricted',
  2002: 'Address error',
  2003: 'Address not found',
  2004: 'Multimedia content refused',
  2005: 'Message ID not found',
  2006: 'LinkedID not found',
  2007: 'Message format corrupt',
  3000: 'Server error',
  3001: 'Not possible',
  3002: 'Message rejected',
  3003: 'Multiple addresses not supported',
  4000: 'General service error',
  4001: 'Improper identification',
  4002: 'Unsupported version',
  4003: 'Unsupported operation',
  4004: 'Validation error',
  4005: 'Service error',
  4006: 'Service unavailable',
  4007: 'Service denied',
};

/** Status text of a code; an unknown code is described by its class (x000). */
export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? STATUS_TEXT[Math.floor(code / 1000) * 1000] ?? 'Server error';
}

/** TS 23.140 §8.7.2 MMStatus values, plus what real MMSCs send besides (NOTES.md). */
export const MM_STATUS_VALUES = [
  'Retrieved',
  'Rejected',
  'Expired',
  'Deferred',
  'Indeterminate',
  'Forwarded',
  'Unrecognised',
  'Unrecognized',
  'NotSupported',
  'Unreachable',
] as const;
export type MmStatus = (typeof MM_STATUS_VALUES)[number];

export const MM_STATUS_TEXT: Readonly<Record<MmStatus, string>> = {
  Retrieved: 'Message retrieved by the recipient',
  Rejected: 'Message rejected by the recipient',
  Expired: 'Message expired before it was retrieved',
  Deferred: 'Retrieval deferred by the recipient',
  Indeterminate: 'Delivery status unknown',
  Forwarded: 'Message forwarded without being retrieved',
  Unrecognised: 'Message not recognised',
  Unrecognized: 'Message not recognized',
  NotSupported: 'Recipient handset does not support MMS',
  Unreachable: 'Recipient unreachable',
};
