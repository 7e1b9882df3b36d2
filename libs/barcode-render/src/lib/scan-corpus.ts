/**
 * The scan-fidelity corpus and its evaluation, shared by scan-fidelity.int-spec.ts and
 * scripts/scan-fidelity-report.ts (which writes docs/scan-fidelity.md). Test support: not
 * exported from the lib's index. The decoder is passed in (test/barcode-decoder.ts, zxing-wasm)
 * so that this file needs nothing outside the lib.
 */
import sharp from 'sharp';
import { type BarcodeSettings, Symbology, gs1CheckDigit, parseBarcodeSettings } from '@mms/contracts';
import type { BarcodeRenderer, RenderedBarcode } from './barcode-renderer';
import {
  BarcodeDoesNotFitError,
  type HandsetImageBox,
  LOWEST_JPEG_QUALITY,
  MIN_MODULE_PX,
  MODULE_PX_STEP,
  fitsBox,
  modulePxStepOf,
  renderToFit,
} from './handset-fit';

export type Decoder = (image: Buffer) => Promise<string[]>;

/** Every symbology of the contracts, in their order. */
export const SYMBOLOGIES: readonly Symbology[] = Object.values(Symbology);

/** The module size an empty settings object gives (barcode-settings.ts). */
export const DEFAULT_MODULE_PX = parseBarcodeSettings({}).moduleSize;

export interface ScanCase {
  readonly symbology: Symbology;
  readonly label: string;
  readonly value: string;
  /**
   * What a reader returns when it is not the value itself. `equivalent` means the same content
   * written differently (a computed check digit, UPC-A read as EAN-13); otherwise it is a
   * misread a real scanner makes too, pinned here so that it stays visible.
   */
  readonly readsAs?: { readonly text: string; readonly equivalent: boolean; readonly why: string };
}

export const ASCII_EDGE = `!"#$%&'()*+,-./:;<=>?@[\\]^_{|}~`;
export const UTF8_TEXT = 'Billet n°42 – Zürich ✓ 🎟';
/** The BARCODEID of the API docs' examples. */
export const DOCS_VALUE = 'Ticket_12345';

/** A long value that is not one repeated character: repeats compress unrealistically well. */
function longText(length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; out.length < length; i += 1) out += alphabet[(i * 7 + Math.floor(i / alphabet.length)) % alphabet.length];
  return out;
}
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/';
const CODE39_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -.';

const twoD = (symbology: Symbology, maxLength: number): ScanCase[] => [
  { symbology, label: 'ASCII edge characters', value: ASCII_EDGE },
  { symbology, label: 'UTF-8 text', value: UTF8_TEXT },
  { symbology, label: `${maxLength} characters`, value: longText(maxLength, MIXED) },
  { symbology, label: 'docs example', value: DOCS_VALUE },
];

const withCheckDigit = (digits: string): string => `${digits}${gs1CheckDigit(digits)}`;
const UPC_A_AS_EAN_13 = 'UPC-A is EAN-13 with a leading 0 (the same bars); zxing reports it as EAN-13 unless asked for UPC-A only';

export const SCAN_CORPUS: readonly ScanCase[] = [
  ...twoD('QRCODE', 300),
  ...twoD('AZTEC', 150),
  ...twoD('PDF417', 150),
  ...twoD('DATAMATRIX', 150),
  { symbology: 'CODE128', label: 'ASCII edge characters', value: ASCII_EDGE },
  { symbology: 'CODE128', label: 'docs example', value: DOCS_VALUE },
  { symbology: 'CODE128', label: '40 characters', value: longText(40, MIXED) },
  {
    symbology: 'CODE128',
    label: 'control characters (GS, TAB)',
    value: 'A\x1dB\tC',
    readsAs: { text: 'A<GS>B<HT>C', equivalent: true, why: "zxing's default text mode (HRI) writes control characters by name: <GS>, <HT>" },
  },
  { symbology: 'CODE39', label: 'Code 39 edge characters', value: ' -.$/+%' },
  { symbology: 'CODE39', label: 'ticket number', value: 'TICKET-12345' },
  { symbology: 'CODE39', label: '40 characters', value: longText(40, CODE39_ALPHABET) },
  {
    symbology: 'CODE39',
    label: 'a / or + before a letter',
    value: 'ROW/A-SEAT+B',
    readsAs: {
      text: 'ROW!-SEATb',
      equivalent: false,
      why: 'Full ASCII Code 39 readers (zxing, and scanners with Full ASCII on) read $X, %X, /X, +X as one character',
    },
  },
  { symbology: 'EAN13', label: '13 digits', value: '4006381333931' },
  {
    symbology: 'EAN13',
    label: '12 digits, check digit computed',
    value: '400638133393',
    readsAs: { text: withCheckDigit('400638133393'), equivalent: true, why: 'the renderer appends the check digit' },
  },
  { symbology: 'UPCA', label: '12 digits', value: '036000291452', readsAs: { text: '0036000291452', equivalent: true, why: UPC_A_AS_EAN_13 } },
  {
    symbology: 'UPCA',
    label: '11 digits, check digit computed',
    value: '03600029145',
    readsAs: { text: '0036000291452', equivalent: true, why: `the renderer appends the check digit; ${UPC_A_AS_EAN_13}` },
  },
  { symbology: 'ITF14', label: '14 digits', value: '10012345678902' },
  {
    symbology: 'ITF14',
    label: '13 digits, check digit computed',
    value: '1001234567890',
    readsAs: { text: '10012345678902', equivalent: true, why: 'the renderer appends the check digit' },
  },
  { symbology: 'GS1_128', label: 'GTIN, expiry, batch', value: '(01)09501101530003(17)250101(10)ABC123' },
  { symbology: 'GS1_128', label: 'variable-length AI before another (FNC1)', value: '(01)09501101530003(10)ABC123(21)12345' },
];

/**
 * Compares what zxing read with what we expect, as text a scanner hands over.
 * GS1-128: zxing-wasm 3's default text mode (HRI) writes GS1 element strings with the AIs in
 * parentheses, exactly like our input; its Plain mode (and most scanners) gives the bare
 * element string with the FNC1 separators as GS (0x1D) and, with symbology identifiers on, a
 * leading "]C1". Both are the same data, so GS1 text is compared without parentheses, GS and
 * "]C1" and this check does not depend on the decoder's text mode.
 */
export function normaliseScan(symbology: Symbology, text: string): string {
  // eslint-disable-next-line no-control-regex
  return symbology === 'GS1_128' ? text.replace(/^\]C1/, '').replace(/[()\x1d]/g, '') : text;
}

export function expectedScan(scanCase: ScanCase): string {
  return scanCase.readsAs?.text ?? scanCase.value;
}

export interface DecodeCheck {
  /** The expected text is among the symbols read. */
  readonly ok: boolean;
  /** Everything zxing read (it may also report a spurious short code in a matrix's texture). */
  readonly texts: readonly string[];
}

export async function checkDecodes(decode: Decoder, symbology: Symbology, image: Buffer, expected: string): Promise<DecodeCheck> {
  const texts = await decode(image);
  const want = normaliseScan(symbology, expected);
  return { ok: texts.some((text) => normaliseScan(symbology, text) === want), texts };
}

export function settingsAt(moduleSize: number): BarcodeSettings {
  return { ...parseBarcodeSettings({}), moduleSize };
}

/** JPEG as the lowest-quality delivery re-encodes it (sharp's defaults otherwise: 4:2:0 chroma). */
export function toDeliveryJpeg(image: Buffer): Promise<Buffer> {
  return sharp(image).jpeg({ quality: LOWEST_JPEG_QUALITY }).toBuffer();
}

export interface Stress {
  readonly name: string;
  readonly apply: (image: Buffer) => Promise<Buffer>;
}

async function downscale(image: Buffer, factor: number, kernel: 'linear' | 'nearest'): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(image).metadata();
  const resized = sharp(image).resize(Math.round(width * factor), Math.round(height * factor), { kernel, fit: 'fill' });
  return resized.jpeg({ quality: LOWEST_JPEG_QUALITY }).toBuffer();
}

/**
 * The margin MIN_MODULE_PX is chosen with: one more processing step before the delivery JPEG
 * (which alone breaks nothing at any size the adapter draws), each what an MMSC or handset may
 * still do to an image we sent at a fitting size.
 */
export const MARGIN_STRESSES: readonly Stress[] = [
  { name: 'downscale 80% bilinear + JPEG', apply: (image) => downscale(image, 0.8, 'linear') },
  { name: 'downscale 80% nearest + JPEG', apply: (image) => downscale(image, 0.8, 'nearest') },
  { name: 'blur 1 px + JPEG', apply: async (image) => sharp(image).blur(1).jpeg({ quality: LOWEST_JPEG_QUALITY }).toBuffer() },
];

/**
 * The largest module size a renderer drawing multiples of `step` can draw below `modulePx`, or
 * null at the smallest (by default the bwip-js adapter's grid; modulePxStepOf gives a renderer's).
 */
export function nextSizeBelow(symbology: Symbology, modulePx: number, step: number = MODULE_PX_STEP[symbology]): number | null {
  const below = (Math.ceil(modulePx / step) - 1) * step;
  return below >= step ? below : null;
}

export interface ImageFacts {
  readonly modulePx: number;
  readonly width: number;
  readonly height: number;
  readonly bytes: number;
}
const factsOf = (image: RenderedBarcode, bytes = image.bytes.length): ImageFacts => ({
  modulePx: image.modulePx,
  width: image.width,
  height: image.height,
  bytes,
});

export interface RenderedCheck extends ImageFacts {
  readonly decode: DecodeCheck;
}

export type HandsetOutcome =
  | { readonly kind: 'fitted'; readonly image: ImageFacts; readonly decode: DecodeCheck }
  | {
      readonly kind: 'refused';
      readonly message: string;
      /** The image at MIN_MODULE_PX, rendered again to show the refusal is right. */
      readonly atMin: ImageFacts;
      readonly atMinFits: boolean;
    };

export interface StressCheck {
  readonly modulePx: number;
  readonly jpegOnly: boolean;
  readonly stresses: readonly { readonly name: string; readonly ok: boolean }[];
}

export interface CaseResult {
  readonly scanCase: ScanCase;
  readonly expected: string;
  /** As rendered (PNG) at the default module size and at MIN_MODULE_PX. */
  readonly rendered: readonly RenderedCheck[];
  readonly handset: HandsetOutcome;
  /** At MIN_MODULE_PX, and at the next size the adapter can draw below it (if any and asked for). */
  readonly atMin: StressCheck;
  readonly belowMin: StressCheck | null;
}

export async function checkStresses(
  renderer: BarcodeRenderer,
  decode: Decoder,
  scanCase: ScanCase,
  modulePx: number,
): Promise<StressCheck> {
  const { symbology } = scanCase;
  const expected = expectedScan(scanCase);
  const image = await renderer.render(symbology, scanCase.value, settingsAt(modulePx));
  const jpegOnly = (await checkDecodes(decode, symbology, await toDeliveryJpeg(image.bytes), expected)).ok;
  const stresses = [];
  for (const stress of MARGIN_STRESSES) {
    stresses.push({ name: stress.name, ok: (await checkDecodes(decode, symbology, await stress.apply(image.bytes), expected)).ok });
  }
  return { modulePx: image.modulePx, jpegOnly, stresses };
}

export async function handsetOutcome(
  renderer: BarcodeRenderer,
  decode: Decoder,
  scanCase: ScanCase,
  box: HandsetImageBox,
): Promise<HandsetOutcome> {
  const { symbology, value } = scanCase;
  try {
    const fitted = await renderToFit(renderer, symbology, value, settingsAt(DEFAULT_MODULE_PX), box);
    const jpeg = await toDeliveryJpeg(fitted.bytes);
    return { kind: 'fitted', image: factsOf(fitted, jpeg.length), decode: await checkDecodes(decode, symbology, jpeg, expectedScan(scanCase)) };
  } catch (error) {
    if (!(error instanceof BarcodeDoesNotFitError)) throw error;
    const atMin = await renderer.render(symbology, value, settingsAt(MIN_MODULE_PX[symbology]));
    return { kind: 'refused', message: error.message, atMin: factsOf(atMin), atMinFits: fitsBox(atMin, box) };
  }
}

/** Everything the test asserts and the report prints about one case. */
export async function scanOneCase(
  renderer: BarcodeRenderer,
  decode: Decoder,
  scanCase: ScanCase,
  box: HandsetImageBox,
  options: { readonly belowMin?: boolean } = {},
): Promise<CaseResult> {
  const { symbology, value } = scanCase;
  const expected = expectedScan(scanCase);
  const minPx = MIN_MODULE_PX[symbology];
  const rendered: RenderedCheck[] = [];
  for (const moduleSize of [...new Set([DEFAULT_MODULE_PX, minPx])]) {
    const image = await renderer.render(symbology, value, settingsAt(moduleSize));
    rendered.push({ ...factsOf(image), decode: await checkDecodes(decode, symbology, image.bytes, expected) });
  }
  const below = options.belowMin === false ? null : nextSizeBelow(symbology, minPx, modulePxStepOf(renderer, symbology));
  return {
    scanCase,
    expected,
    rendered,
    handset: await handsetOutcome(renderer, decode, scanCase, box),
    atMin: await checkStresses(renderer, decode, scanCase, minPx),
    belowMin: below === null ? null : await checkStresses(renderer, decode, scanCase, below),
  };
}

/**
 * Seeded values beyond the named cases, for measuring where decoding breaks (the report's
 * MIN_MODULE_PX evidence, and the test's refusal line): the same values on every run.
 */
export function marginSample(symbology: Symbology, count: number): ScanCase[] {
  let seed = 0x5eed + SYMBOLOGIES.indexOf(symbology) * 7919;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pick = (alphabet: string, length: number): string =>
    Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
  const digits = '0123456789';
  const cases: ScanCase[] = [];
  for (let i = 0; i < count; i += 1) {
    const label = `sample ${i + 1}`;
    switch (symbology) {
      case 'QRCODE':
        cases.push({ symbology, label, value: pick(printable, 1 + Math.floor(random() * 300)) });
        break;
      case 'AZTEC':
      case 'PDF417':
      case 'DATAMATRIX':
        cases.push({ symbology, label, value: pick(printable, 1 + Math.floor(random() * 150)) });
        break;
      case 'CODE128':
        cases.push({ symbology, label, value: pick(printable, 5 + Math.floor(random() * 20)) });
        break;
      case 'CODE39':
        cases.push({ symbology, label, value: pick(CODE39_ALPHABET, 5 + Math.floor(random() * 20)) });
        break;
      case 'EAN13':
        cases.push({ symbology, label, value: withCheckDigit(pick(digits, 12)) });
        break;
      case 'UPCA': {
        const value = withCheckDigit(pick(digits, 11));
        cases.push({ symbology, label, value, readsAs: { text: `0${value}`, equivalent: true, why: UPC_A_AS_EAN_13 } });
        break;
      }
      case 'ITF14':
        cases.push({ symbology, label, value: withCheckDigit(pick(digits, 13)) });
        break;
      case 'GS1_128':
        cases.push({
          symbology,
          label,
          value: `(01)${withCheckDigit(pick(digits, 13))}(10)${pick('ABCDEFGH0123456789', 1 + Math.floor(random() * 10))}`,
        });
        break;
    }
  }
  return cases;
}
