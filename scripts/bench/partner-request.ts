import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/fleet';

export const PARTNER_API_PATH = '/API/wxml/1.3/index.php';
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * The docs' sendMMSBarcode example (demo API key, TO 16501234123, FROM 60856, MMSID 35674,
 * DATABASEID 17856, CAMPAIGNREF 12333), verbatim but for its BARCODEID.
 */
const EXAMPLE = readFileSync(join(REPO_ROOT, 'examples', 'sendMMSBarcode.request.xml'), 'utf8');
if (!/<BARCODEID>[^<]*<\/BARCODEID>/.test(EXAMPLE)) throw new Error('examples/sendMMSBarcode.request.xml has no BARCODEID');

/** Hands out BARCODEIDs no other request of the run has used (every request renders). */
export class BarcodeIds {
  private next = 0;

  constructor(private readonly runId: string) {}

  take(): string {
    this.next += 1;
    return `Bench_${this.runId}_${this.next}`;
  }

  get issued(): number {
    return this.next;
  }
}

/** The body a partner POSTs: the request XML in the `xml` form field. */
export function sendMmsBarcodeForm(barcodeId: string): string {
  const xml = EXAMPLE.replace(/<BARCODEID>[^<]*<\/BARCODEID>/, `<BARCODEID>${barcodeId}</BARCODEID>`);
  return new URLSearchParams({ xml }).toString();
}

export interface PartnerAnswer {
  readonly status: string | undefined;
  readonly errorCode: string | undefined;
  readonly trackingId: string | undefined;
}

const field = (xml: string, name: string): string | undefined => {
  const match = new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(xml);
  return match?.[1];
};

/** STATUS, ERRORCODE and TRACKINGID of an answer (the gateway's and the ceiling server's). */
export function readAnswer(body: string): PartnerAnswer {
  return { status: field(body, 'STATUS'), errorCode: field(body, 'ERRORCODE'), trackingId: field(body, 'TRACKINGID') };
}
