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
