import { Injectable } from '@nestjs/common';
import bwipjs from 'bwip-js';
import sharp from 'sharp';
import { BarcodeSettings, Symbology, effectiveQuietZone } from '@mms/contracts';
import { BarcodeRenderer, RenderedBarcode, UnencodableBarcodeError } from './barcode-renderer';

interface Encoder {
  readonly bcid: string;
  /** bwip-js draws matrix modules 2 units wide and linear ones 1 unit wide. */
  readonly unitsPerModule: 1 | 2;
  readonly linear: boolean;
}

const encoders: Readonly<Record<Symbology, Encoder>> = {
  QRCODE: { bcid: 'qrcode', unitsPerModule: 2, linear: false },
  AZTEC: { bcid: 'azteccode', unitsPerModule: 2, linear: false },
  DATAMATRIX: { bcid: 'datamatrix', unitsPerModule: 2, linear: false },
  PDF417: { bcid: 'pdf417', unitsPerModule: 1, linear: false },
  CODE128: { bcid: 'code128', unitsPerModule: 1, linear: true },
  CODE39: { bcid: 'code39', unitsPerModule: 1, linear: true },
  EAN13: { bcid: 'ean13', unitsPerModule: 1, linear: true },
  UPCA: { bcid: 'upca', unitsPerModule: 1, linear: true },
  ITF14: { bcid: 'itf14', unitsPerModule: 1, linear: true },
  GS1_128: { bcid: 'gs1-128', unitsPerModule: 1, linear: true },
};

const contentTypes = { png: 'image/png', gif: 'image/gif', jpeg: 'image/jpeg' } as const;

/**
 * bwip-js adapter. Always an opaque background and a quiet zone of at least the symbology's
 * minimum (bwip-js defaults to neither, and ZXing then reads nothing), at an integer number of
 * pixels per module so no module is ever resampled.
 */
@Injectable()
export class BwipRenderer implements BarcodeRenderer {
  async render(symbology: Symbology, value: string, settings: BarcodeSettings): Promise<RenderedBarcode> {
    const encoder = encoders[symbology];
    const scale = Math.max(1, Math.round(settings.moduleSize / encoder.unitsPerModule));
    const quietUnits = effectiveQuietZone(symbology, settings) * encoder.unitsPerModule;
    let png: Buffer;
    try {
      png = await bwipjs.toBuffer({
        bcid: encoder.bcid,
        text: value,
        scale,
        paddingwidth: quietUnits,
        paddingheight: encoder.linear ? Math.ceil(quietUnits / 4) : quietUnits,
        backgroundcolor: settings.background,
        barcolor: settings.foreground,
        ...(symbology === 'QRCODE' ? { eclevel: settings.errorCorrection } : {}),
        ...(encoder.linear ? { height: settings.barHeightMm, includetext: settings.humanReadableText } : {}),
      });
    } catch (error) {
      throw new UnencodableBarcodeError(symbology, error instanceof Error ? error.message : String(error));
    }
    if (settings.format === 'png') {
      // bwip-js paints the background colour over every pixel, so its PNG is already opaque:
      // re-encoding it would double the cost of a render for nothing.
      const { width, height } = pngSize(png);
      return { bytes: png, contentType: contentTypes.png, width, height, modulePx: scale * encoder.unitsPerModule };
    }
    // Flatten to opaque RGB first: every JPEG encoder turns transparency black.
    const image = sharp(png).flatten({ background: `#${settings.background}` });
    const bytes =
      settings.format === 'gif' ? await image.gif().toBuffer() : await image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
    const { width = 0, height = 0 } = await sharp(bytes).metadata();
    return { bytes, contentType: contentTypes[settings.format], width, height, modulePx: scale * encoder.unitsPerModule };
  }
}

/** Width and height from a PNG's IHDR chunk (bytes 16-23), without decoding the image. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
