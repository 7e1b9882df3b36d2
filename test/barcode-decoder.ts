import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ReaderOptions, prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

let prepared: Promise<unknown> | undefined;

/**
 * An independent decoder (ZXing's C++ core compiled to wasm) for checking that what we render
 * scans. Loads the .wasm shipped in the package: its default is a CDN download, which fails here.
 * `options` narrows the formats looked for, or sets the text mode: the default, HRI, writes
 * control characters by name (<GS>); Plain gives them as they are.
 */
export async function decodeBarcodes(image: Buffer, options: Pick<ReaderOptions, 'formats' | 'textMode'> = {}): Promise<string[]> {
  prepared ??= Promise.resolve(
    prepareZXingModule({
      overrides: {
        wasmBinary: readFileSync(join(require.resolve('zxing-wasm/reader'), '..', '..', '..', 'reader', 'zxing_reader.wasm')).buffer,
      },
      fireImmediately: true,
    }),
  );
  await prepared;
  const results = await readBarcodes(new Uint8Array(image), { tryHarder: true, maxNumberOfSymbols: 4, ...options });
  return results.filter((r) => r.isValid).map((r) => r.text);
}
