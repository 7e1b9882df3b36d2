/**
 * Scan fidelity: what MatrixPngRenderer (the renderer production uses) draws, an independent
 * decoder (zxing-wasm) reads back
 * as the input, as rendered and after the handset adaptation (renderToFit into the smallest
 * handset's box, then JPEG at the lowest delivery quality). The corpus and its evaluation are
 * shared with scripts/scan-fidelity-report.ts (docs/scan-fidelity.md). No database: this is an
 * integration test only because it is slow (decoding is the cost).
 */
import sharp from 'sharp';
import type { Symbology } from '@mms/contracts';
// The repository's shared test decoder (test/ is test support, not a project to depend on): the
// boundary rule is about production imports between projects.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { decodeBarcodes } from '../../../../test/barcode-decoder';
import { MIN_MODULE_PX, SMALLEST_HANDSET_BOX, fitsBox, modulePxStepOf } from './handset-fit';
import { MatrixPngRenderer } from './matrix-png-renderer.adapter';
import {
  type CaseResult,
  DEFAULT_MODULE_PX,
  SCAN_CORPUS,
  SYMBOLOGIES,
  type ScanCase,
  type StressCheck,
  checkStresses,
  marginSample,
  nextSizeBelow,
  normaliseScan,
  scanOneCase,
  settingsAt,
} from './scan-corpus';

const renderer = new MatrixPngRenderer();
/** Seeded values per symbology added to the named cases for the MIN_MODULE_PX line. */
const SAMPLES_PER_SYMBOLOGY = 3;
/**
 * How far the search for a case failing one size below MIN_MODULE_PX may go (it stops at the
 * first). UPC-A needs the most: at 2 px about 1 value in 20 fails, the first being sample 39.
 */
const MAX_SAMPLES_BELOW_MIN = 60;

const survives = (check: StressCheck): boolean => check.jpegOnly && check.stresses.every((stress) => stress.ok);
const describeCheck = (scanCase: ScanCase, check: StressCheck): string =>
  `${scanCase.label} at ${check.modulePx} px: JPEG ${check.jpegOnly ? 'ok' : 'FAILED'}; ` +
  check.stresses.map((stress) => `${stress.name} ${stress.ok ? 'ok' : 'FAILED'}`).join('; ');

function expectRead(texts: readonly string[], symbology: Symbology, expected: string, where: string): void {
  expect({ where, read: texts.map((text) => normaliseScan(symbology, text)) }).toEqual({
    where,
    read: expect.arrayContaining([normaliseScan(symbology, expected)]),
  });
}

beforeAll(async () => {
  // Load the wasm once, outside any one case's time.
  const blank = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ffffff' } }).png().toBuffer();
  expect(await decodeBarcodes(blank)).toEqual([]);
});

it('draws every module size renderToFit asks for (the step the renderer declares is true)', async () => {
  for (const symbology of SYMBOLOGIES) {
    const step = modulePxStepOf(renderer, symbology);
    const value = SCAN_CORPUS.find((scanCase) => scanCase.symbology === symbology)?.value ?? '';
    for (let modulePx = step; modulePx <= DEFAULT_MODULE_PX; modulePx += step) {
      const image = await renderer.render(symbology, value, settingsAt(modulePx));
      expect({ symbology, modulePx: image.modulePx }).toEqual({ symbology, modulePx });
    }
    expect({ symbology, minOnTheGrid: MIN_MODULE_PX[symbology] % step }).toEqual({ symbology, minOnTheGrid: 0 });
  }
});

describe.each(SYMBOLOGIES)('%s', (symbology) => {
  const cases = SCAN_CORPUS.filter((scanCase) => scanCase.symbology === symbology);
  const minPx = MIN_MODULE_PX[symbology];

  it.each(cases.map((scanCase) => [scanCase.label, scanCase] as const))('%s', async (_label, scanCase) => {
    const result: CaseResult = await scanOneCase(renderer, decodeBarcodes, scanCase, SMALLEST_HANDSET_BOX, { belowMin: false });

    // As rendered (PNG) at the default module size and at MIN_MODULE_PX: exactly the input.
    expect(result.rendered.map((image) => image.modulePx)).toEqual([...new Set([DEFAULT_MODULE_PX, minPx])]);
    for (const image of result.rendered) {
      expectRead(image.decode.texts, symbology, result.expected, `PNG at ${image.modulePx} px`);
    }

    // Handset adaptation: fitted into the smallest handset's box and still read after JPEG, or
    // refused, rightly: at MIN_MODULE_PX the image is still larger than the box.
    const { handset } = result;
    if (handset.kind === 'fitted') {
      expect(fitsBox(handset.image, SMALLEST_HANDSET_BOX)).toBe(true);
      expect(handset.image.modulePx).toBeGreaterThanOrEqual(minPx);
      expectRead(handset.decode.texts, symbology, result.expected, `fitted at ${handset.image.modulePx} px, JPEG`);
      // The largest size that fits: one step up is the default, or too big.
      const larger = handset.image.modulePx + modulePxStepOf(renderer, symbology);
      if (larger <= DEFAULT_MODULE_PX) {
        expect(fitsBox(await renderer.render(symbology, scanCase.value, settingsAt(larger)), SMALLEST_HANDSET_BOX)).toBe(false);
      }
    } else {
      expect({ atMin: handset.atMin, fits: handset.atMinFits }).toEqual({ atMin: expect.objectContaining({ modulePx: minPx }), fits: false });
      expect(handset.message).toContain(symbology);
    }

    // MIN_MODULE_PX holds its margin: read after the delivery JPEG alone and after each stress.
    expect(describeCheck(scanCase, result.atMin)).not.toContain('FAILED');
  });

  it(`MIN_MODULE_PX (${minPx}) is the line: every case and sample survives the stresses there, some fail one size below`, async () => {
    const below = nextSizeBelow(symbology, minPx, modulePxStepOf(renderer, symbology));
    // Every MIN is above the smallest size the renderer draws (1 px), so there is a size below
    // it: MIN - 1.
    expect(below).not.toBeNull();
    const samples = marginSample(symbology, SAMPLES_PER_SYMBOLOGY);
    const atMin: string[] = [];
    for (const scanCase of samples) {
      const check = await checkStresses(renderer, decodeBarcodes, scanCase, minPx);
      if (!survives(check)) atMin.push(describeCheck(scanCase, check));
    }
    expect(atMin).toEqual([]);

    // One size below, at least one case (named, or seeded sample: the first that fails) no
    // longer survives a stress; JPEG alone would not show it (docs/scan-fidelity.md).
    let failure: string | undefined;
    for (const scanCase of [...cases, ...marginSample(symbology, MAX_SAMPLES_BELOW_MIN)]) {
      const check = await checkStresses(renderer, decodeBarcodes, scanCase, below ?? 0);
      if (!survives(check)) {
        failure = describeCheck(scanCase, check);
        break;
      }
    }
    expect(failure).toContain('FAILED');
  });
});
