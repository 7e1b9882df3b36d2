/** The SOAP 1.1 envelope namespace every MM7 request and answer is written in. */
export const SOAP_ENV_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';

/** MM7 schema namespaces of 3GPP TS 23.140, by the MM7Version an MMSC speaks. */
export const MM7_NAMESPACES = {
  '6.8.0': 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4',
  '5.3.0': 'http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-0',
} as const;

export type Mm7Version = keyof typeof MM7_NAMESPACES;

export const MM7_VERSIONS = Object.keys(MM7_NAMESPACES) as [Mm7Version, ...Mm7Version[]];

export interface Mm7Release {
  readonly version: Mm7Version;
  readonly namespace: string;
}

export function releaseFor(version: Mm7Version): Mm7Release {
  return { version, namespace: MM7_NAMESPACES[version] };
}

/**
 * The release to answer in, from the MM7Version a peer wrote: REL-5 MMSCs reject REL-6 answers,
 * and anything else (REL-6, or a version we do not know) gets REL-6.
 */
export function releaseOf(mm7Version: string | undefined): Mm7Release {
  return releaseFor(mm7Version?.startsWith('5.') ? '5.3.0' : '6.8.0');
}
