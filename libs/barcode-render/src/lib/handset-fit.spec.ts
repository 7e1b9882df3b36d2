import { type BarcodeSettings, type Symbology, parseBarcodeSettings } from '@mms/contracts';
import type { BarcodeRenderer, RenderedBarcode } from './barcode-renderer';
import {
  BarcodeDoesNotFitError,
  type HandsetImageBox,
  MIN_MODULE_PX,
  MODULE_PX_STEP,
  SMALLEST_HANDSET_BOX,
  modulePxStepOf,
  renderToFit,
} from './handset-fit';
import { MatrixPngRenderer } from './matrix-png-renderer.adapter';

type Size = { width: number; height: number };

/**
 * Draws nothing: reports the size an image would have. Like the bwip-js adapter, it rounds a
 * requested module size to its own grid (`unitsPerModule` units per module, rounding half up).
 */
class FakeRenderer implements BarcodeRenderer {
  readonly requests: number[] = [];

  constructor(
    private readonly sizeAt: (modulePx: number) => Size,
    private readonly unitsPerModule: 1 | 2 = 1,
  ) {}

  async render(_symbology: Symbology, _value: string, settings: BarcodeSettings): Promise<RenderedBarcode> {
    this.requests.push(settings.moduleSize);
    const modulePx = Math.max(1, Math.round(settings.moduleSize / this.unitsPerModule)) * this.unitsPerModule;
    return { bytes: Buffer.alloc(0), contentType: 'image/png', modulePx, ...this.sizeAt(modulePx) };
  }
}

const settings = (moduleSize = 8): BarcodeSettings => ({ ...parseBarcodeSettings({}), moduleSize });
/** A square symbol of `modules` modules a side, quiet zone included. */
const square = (modules: number) => (px: number): Size => ({ width: modules * px, height: modules * px });
const box: HandsetImageBox = SMALLEST_HANDSET_BOX;

/** What renderToFit must return: the largest drawable size in [MIN, configured] that fits. */
function largestFitting(sizeAt: (px: number) => Size, from: number, floor: number, step: number, within: HandsetImageBox) {
  for (let px = from; px >= floor; px -= step) {
    const size = sizeAt(px);
    if (size.width <= within.maxWidth && size.height <= within.maxHeight) return px;
  }
  return null;
}

describe('renderToFit', () => {
  it('returns the image at the configured size when it fits, rendering once', async () => {
    const renderer = new FakeRenderer(square(25), 2);
    const image = await renderToFit(renderer, 'AZTEC', 'Ticket_12345', settings(4), box);
    expect(image).toMatchObject({ modulePx: 4, width: 100, height: 100 });
    expect(renderer.requests).toEqual([4]);
  });

  it('shrinks to the largest module size that fits, asking only for sizes the adapter draws', async () => {
    // QR version 1 with its 4-module quiet zones: 29 modules, 232 px at 8 px, 116 px at 4 px.
    const renderer = new FakeRenderer(square(29), 2);
    const image = await renderToFit(renderer, 'QRCODE', 'Ticket_12345', settings(8), box);
    expect(image).toMatchObject({ modulePx: 4, width: 116, height: 116 });
    expect(renderer.requests[0]).toBe(8);
    expect(renderer.requests.slice(1).every((request) => request % 2 === 0 && request < 8)).toBe(true);
  });

  it('uses the odd sizes of a renderer that declares it draws every size', async () => {
    // Aztec 19 modules + 1-module quiet zones: 21 modules, 105 px at 5 px (4 px on a 2-unit grid).
    class EverySize extends FakeRenderer {
      modulePxStep(): number {
        return 1;
      }
    }
    const renderer = new EverySize(square(21));
    const image = await renderToFit(renderer, 'AZTEC', 'Ticket_12345', settings(8), box);
    expect(image).toMatchObject({ modulePx: 5, width: 105, height: 105 });
    await expect(renderToFit(new FakeRenderer(square(21), 2), 'AZTEC', 'Ticket_12345', settings(8), box)).resolves.toMatchObject({ modulePx: 4 });
  });

  it('is limited by height as well as width', async () => {
    // A linear code 100 modules wide and 45 high: 3 px gives 300x135, 2 px 200x90.
    const renderer = new FakeRenderer((px) => ({ width: 100 * px, height: 45 * px }));
    const image = await renderToFit(renderer, 'ITF14', '10012345678902', settings(3), { maxWidth: 400, maxHeight: 120 });
    expect(image).toMatchObject({ modulePx: 2, width: 200, height: 90 });
  });

  it('refuses rather than go below MIN_MODULE_PX, naming symbology, value length, smallest size and box', async () => {
    const renderer = new FakeRenderer(square(57), 2); // QR version 10: 228 px at 4 px
    const value = 'x'.repeat(150);
    const refusal = renderToFit(renderer, 'QRCODE', value, settings(8), box);
    await expect(refusal).rejects.toThrow(BarcodeDoesNotFitError);
    await expect(refusal).rejects.toThrow(/QRCODE.*150 characters.*160x120.*228x228 at 4 px per module/);
    expect(Math.min(...renderer.requests)).toBeGreaterThanOrEqual(MIN_MODULE_PX.QRCODE);
  });

  it('exposes the smallest image tried and the box on the error', async () => {
    const renderer = new FakeRenderer((px) => ({ width: 120 * px, height: 50 * px }));
    const error = await renderToFit(renderer, 'EAN13', '4006381333931', settings(8), box).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BarcodeDoesNotFitError);
    expect(error).toMatchObject({
      symbology: 'EAN13',
      valueLength: 13,
      smallest: { modulePx: MIN_MODULE_PX.EAN13, width: 120 * MIN_MODULE_PX.EAN13 },
      box,
    });
  });

  it('keeps a configured size below MIN_MODULE_PX when it fits, and never shrinks it further', async () => {
    const fits = new FakeRenderer(square(29), 2);
    await expect(renderToFit(fits, 'QRCODE', 'A', settings(2), box)).resolves.toMatchObject({ modulePx: 2 });
    const tooBig = new FakeRenderer(square(90), 2);
    await expect(renderToFit(tooBig, 'QRCODE', 'A', settings(2), box)).rejects.toThrow(BarcodeDoesNotFitError);
    expect(tooBig.requests).toEqual([2]);
  });

  it('walks down past requests a renderer rounds back up to the size already tried', async () => {
    // A renderer whose grid is coarser than MODULE_PX_STEP says (3 px per step, rounding up).
    const requests: number[] = [];
    const coarse: BarcodeRenderer = {
      async render(_symbology, _value, { moduleSize }) {
        requests.push(moduleSize);
        const modulePx = Math.ceil(moduleSize / 3) * 3;
        return { bytes: Buffer.alloc(0), contentType: 'image/png', modulePx, width: 30 * modulePx, height: 10 * modulePx };
      },
    };
    const image = await renderToFit(coarse, 'CODE128', 'Ticket_12345', settings(9), { maxWidth: 100, maxHeight: 100 });
    expect(image.modulePx).toBe(3);
    expect(requests[0]).toBe(9);
    // Rendering stops once the renderer can make no smaller image that is allowed.
    await expect(renderToFit(coarse, 'CODE128', 'Ticket_12345', settings(9), { maxWidth: 80, maxHeight: 100 })).rejects.toThrow(
      /90x30 at 3 px per module/,
    );
  });

  it('always finds the largest fitting size, also when sizes do not scale in proportion', () => {
    // Images with a fixed part (a human-readable line, a bearer bar) on top of the modules; every
    // configured size, box and fixed part: the answer is the brute-force one.
    const boxes: HandsetImageBox[] = [box, { maxWidth: 640, maxHeight: 480 }, { maxWidth: 100, maxHeight: 300 }];
    const checks: Promise<void>[] = [];
    for (const symbology of ['QRCODE', 'PDF417', 'CODE39'] as const) {
      const step = MODULE_PX_STEP[symbology];
      for (const fixed of [0, 7, 31]) {
        for (const modules of [21, 40, 95]) {
          const sizeAt = (px: number): Size => ({ width: modules * px + fixed, height: Math.ceil(modules * px * 0.6) + fixed });
          for (const within of boxes) {
            for (let moduleSize = 2; moduleSize <= 20; moduleSize += 1) {
              const renderer = new FakeRenderer(sizeAt, step);
              const configured = Math.max(1, Math.round(moduleSize / step)) * step;
              const want = largestFitting(sizeAt, configured, Math.min(configured, MIN_MODULE_PX[symbology]), step, within);
              const got = renderToFit(renderer, symbology, 'v', settings(moduleSize), within).then(
                (image) => image.modulePx,
                (error: unknown) => {
                  if (error instanceof BarcodeDoesNotFitError) return null;
                  throw error;
                },
              );
              const where = { symbology, fixed, modules, within, moduleSize };
              checks.push(got.then((modulePx) => expect({ ...where, modulePx }).toEqual({ ...where, modulePx: want })));
            }
          }
        }
      }
    }
    return Promise.all(checks);
  });

  it('renders a handful of times at most, even from the largest module size', async () => {
    const renderer = new FakeRenderer((px) => ({ width: 11 * 40 * px, height: 45 * px })); // 40 Code 128 characters
    await expect(renderToFit(renderer, 'CODE128', 'x'.repeat(40), settings(20), { maxWidth: 640, maxHeight: 480 })).rejects.toThrow(
      BarcodeDoesNotFitError,
    );
    expect(renderer.requests.length).toBeLessThanOrEqual(3);
  });
});

describe('MIN_MODULE_PX', () => {
  it('is a size the production renderer (MatrixPngRenderer) draws for every symbology', () => {
    const production = new MatrixPngRenderer();
    for (const [symbology, px] of Object.entries(MIN_MODULE_PX) as [Symbology, number][]) {
      const step = modulePxStepOf(production, symbology);
      expect({ symbology, onGrid: px % step === 0 && px >= step }).toEqual({ symbology, onGrid: true });
    }
  });

  it('is the grid of a renderer that declares none: MODULE_PX_STEP, the bwip-js adapter\'s', () => {
    const undeclared = new FakeRenderer(square(21));
    expect(modulePxStepOf(undeclared, 'QRCODE')).toBe(MODULE_PX_STEP.QRCODE);
    expect(modulePxStepOf({ render: undeclared.render.bind(undeclared), modulePxStep: () => 3 } as BarcodeRenderer, 'QRCODE')).toBe(3);
  });

  it('names the OMA Image Basic box as the smallest handset', () => {
    expect(SMALLEST_HANDSET_BOX).toEqual({ maxWidth: 160, maxHeight: 120 });
  });
});
