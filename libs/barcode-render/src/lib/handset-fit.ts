import type { BarcodeSettings, Symbology } from '@mms/contracts';
import type { BarcodeRenderer, RenderedBarcode } from './barcode-renderer';

/** The largest image a handset class displays unscaled, in pixels. */
export interface HandsetImageBox {
  readonly maxWidth: number;
  readonly maxHeight: number;
}

/**
 * OMA MMS Conformance Document 1.2, content class "Image Basic" (30 KB, images up to 160x120):
 * the smallest class a conformant handset supports (../shared/mm7/NOTES.md, "Content limits").
 */
export const SMALLEST_HANDSET_BOX: HandsetImageBox = { maxWidth: 160, maxHeight: 120 };

/**
 * The lowest JPEG quality an image of ours goes through on its way to a handset (MMSC
 * re-encoding is typically around 75; 40 leaves room for the harsher ones).
 */
export const LOWEST_JPEG_QUALITY = 40;

/**
 * Sizes the bwip-js adapter can draw, in pixels per module: it draws 2-D matrix modules
 * (QR, Aztec, Data Matrix) 2 units wide, so only even sizes exist there; everything else,
 * PDF417 included, is 1 unit per module. Mirrors `unitsPerModule` in bwip-renderer.adapter.ts.
 * It is the grid renderToFit assumes for a renderer that does not declare its own
 * (DeclaresModulePxStep): MatrixPngRenderer, which production uses, draws every whole size.
 */
export const MODULE_PX_STEP: Readonly<Record<Symbology, 1 | 2>> = {
  QRCODE: 2,
  AZTEC: 2,
  DATAMATRIX: 2,
  PDF417: 1,
  CODE128: 1,
  CODE39: 1,
  EAN13: 1,
  UPCA: 1,
  ITF14: 1,
  GS1_128: 1,
};

/** A renderer that says which module sizes it draws: multiples of the step, in pixels. */
export interface DeclaresModulePxStep {
  modulePxStep(symbology: Symbology): number;
}

/**
 * The step between module sizes this renderer draws (scan-fidelity.int-spec.ts checks the
 * production renderer draws every one of them): its own when it declares one, else MODULE_PX_STEP.
 */
export function modulePxStepOf(renderer: BarcodeRenderer, symbology: Symbology): number {
  const declared = (renderer as Partial<DeclaresModulePxStep>).modulePxStep;
  return typeof declared === 'function' ? declared.call(renderer, symbology) : MODULE_PX_STEP[symbology];
}

/**
 * The smallest pixels per module renderToFit will shrink a barcode to, found with the corpus in
 * scan-corpus.ts (the table and the method are in docs/scan-fidelity.md; `node -r
 * @swc-node/register scripts/scan-fidelity-report.ts` measures them again).
 *
 * JPEG at LOWEST_JPEG_QUALITY alone sets no useful floor: a pristine image at an integer module
 * size still decodes after it at the smallest size a renderer draws (1 px). So these are set
 * with a margin: the smallest size at which every corpus case also survives one further
 * processing step before that JPEG (a 20 % downscale, bilinear or nearest-neighbour, as an MMSC
 * that ignores allowAdaptations or a handset fitting its screen does, or a one-pixel blur),
 * where one size smaller already fails some case:
 * - QR, Aztec, Data Matrix: 3 (at 2 px the blur loses almost every case, downscaling many).
 *   bwip-js cannot draw 3 px (it draws these modules 2 units wide), so the floor was 4 until
 *   MatrixPngRenderer; drawn by it at 3 px, the named cases and 400 seeded values each survive
 *   every stress. (BWIPP's Aztec encoding of the same values, drawn at 3 px, lost 2 of 104 to a
 *   downscale: its choice of character sets differs from our encoder's for most values);
 * - PDF417, Code 128, GS1-128, EAN-13, UPC-A: 3 (at 2 px downscaled images already fail);
 * - Code 39: 3 (at 2 px, values with $ / + %, whose bars are all narrow, fail downscaled);
 * - ITF-14: 2 (digits only, wide bars 3x narrow: every case survives at 2 px, none at 1 px).
 */
export const MIN_MODULE_PX: Readonly<Record<Symbology, number>> = {
  QRCODE: 3,
  AZTEC: 3,
  DATAMATRIX: 3,
  PDF417: 3,
  CODE128: 3,
  GS1_128: 3,
  EAN13: 3,
  UPCA: 3,
  CODE39: 3,
  ITF14: 2,
};

/** No module size this symbology scans reliably at makes the value fit the handset's box. */
export class BarcodeDoesNotFitError extends Error {
  constructor(
    readonly symbology: Symbology,
    readonly valueLength: number,
    /** The smallest image tried: its modulePx is the smallest size reached. */
    readonly smallest: Pick<RenderedBarcode, 'width' | 'height' | 'modulePx'>,
    readonly box: HandsetImageBox,
  ) {
    super(
      `${symbology} value of ${valueLength} characters does not fit a ${box.maxWidth}x${box.maxHeight} handset image: ` +
        `${smallest.width}x${smallest.height} at ${smallest.modulePx} px per module, the smallest size tried ` +
        `(${symbology} scans reliably down to ${MIN_MODULE_PX[symbology]} px per module)`,
    );
    this.name = 'BarcodeDoesNotFitError';
  }
}

export function fitsBox(image: Pick<RenderedBarcode, 'width' | 'height'>, box: HandsetImageBox): boolean {
  return image.width <= box.maxWidth && image.height <= box.maxHeight;
}

/**
 * Renders at settings.moduleSize and, while the image exceeds the box, again at smaller integer
 * module sizes (never resampling pixels), down to MIN_MODULE_PX. Throws BarcodeDoesNotFitError
 * rather than return an image below that size.
 *
 * A configured moduleSize already below MIN_MODULE_PX is the account's choice: it is returned
 * when it fits (every other handset gets that same image), never enlarged and never shrunk.
 */
export async function renderToFit(
  renderer: BarcodeRenderer,
  symbology: Symbology,
  value: string,
  settings: BarcodeSettings,
  box: HandsetImageBox,
): Promise<RenderedBarcode> {
  const floor = MIN_MODULE_PX[symbology];
  const step = modulePxStepOf(renderer, symbology);
  let image = await renderer.render(symbology, value, settings);
  while (!fitsBox(image, box)) {
    if (image.modulePx <= floor) throw new BarcodeDoesNotFitError(symbology, value.length, image, box);
    // Width and height grow about in proportion to the module size (quiet zones and bar heights
    // are counted in modules too), so aim one step above the proportional estimate instead of
    // rendering every size on the way down from a large moduleSize; the loop walks down from
    // there if that is still too big.
    const ratio = Math.min(box.maxWidth / image.width, box.maxHeight / image.height);
    const estimate = Math.floor((image.modulePx * ratio) / step) * step + step;
    let request = Math.max(floor, Math.min(image.modulePx - step, estimate));
    let next = await renderer.render(symbology, value, { ...settings, moduleSize: request });
    // A renderer rounding a request up to the size already tried (a step table out of date)
    // makes no progress: ask for smaller sizes until it does, never below the floor.
    while (next.modulePx >= image.modulePx && request > floor) {
      request -= 1;
      next = await renderer.render(symbology, value, { ...settings, moduleSize: request });
    }
    if (next.modulePx >= image.modulePx || next.modulePx < floor) {
      throw new BarcodeDoesNotFitError(symbology, value.length, image, box);
    }
    image = next;
  }
  return image;
}
