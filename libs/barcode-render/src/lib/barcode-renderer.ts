import type { BarcodeSettings, Symbology } from '@mms/contracts';

export interface RenderedBarcode {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
  /** Pixels per module actually drawn (an integer: no module is ever resampled). */
  readonly modulePx: number;
}

/** The port the barcode service renders through. */
export interface BarcodeRenderer {
  render(symbology: Symbology, value: string, settings: BarcodeSettings): Promise<RenderedBarcode>;
}

export const BARCODE_RENDERER = Symbol('BARCODE_RENDERER');

/** A value that this symbology cannot encode: no retry will change that. */
export class UnencodableBarcodeError extends Error {
  constructor(symbology: Symbology, reason: string) {
    super(`cannot encode as ${symbology}: ${reason}`);
    this.name = 'UnencodableBarcodeError';
  }
}
