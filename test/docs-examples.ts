import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const example = (name: string) => readFileSync(join(__dirname, '..', 'examples', name), 'utf8');

/**
 * The API docs' example requests, byte for byte as the repository's examples/ holds them (copies
 * of ../shared/skycore/examples; odd indentation and the padded ACTION included): partners send
 * exactly these.
 */
export const DOCS_EXAMPLE_REQUEST = example('sendMMSBarcode.request.xml');
export const DOCS_FULL_REQUEST = example('sendMMSBarcode.full.request.xml');

/** The value of one element of a RESPONSE document. */
export function responseField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** The POSTBACK example of API.md's Postbacks section. */
export const DOCS_POSTBACK = `<?xml version='1.0'?>
<POSTBACK>
  <ORIGIN>MMS_MT</ORIGIN>
  <CODE>N102</CODE>
  <SENTAS>MMS</SENTAS>
  <STATUS>Message Sent/Delivered</STATUS>
  <MMSID>35674</MMSID>
  <TO>16501234123</TO>
  <TRACKINGID>TU1TXzEyMzQ2</TRACKINGID>
  <SPID>0001890</SPID>
  <TIMESTAMP>2011-08-02T07:21:04-04:00</TIMESTAMP>
  <HANDSET>motol7c</HANDSET>
  <AGGREGATORID>11529-64807-97508-73852-97658</AGGREGATORID>
</POSTBACK>
`;
