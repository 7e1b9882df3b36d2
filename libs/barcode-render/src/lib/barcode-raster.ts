/**
 * Barcode geometry in pixels: a module matrix or a linear bar pattern, with its quiet zone, as
 * bands of identical scanlines for the PNG writer. Module sizes are whole pixels, so no module
 * is ever resampled.
 */
import { type BilevelImage, type ScanlineBand, scanlineBytes, setRun } from './png/bilevel-png';

/**
 * A 2-D symbol drawn `modulePx` pixels per module (any integer), with `quietModules` light
 * modules on every side. `modules` is row-major, columns x rows, non-zero for a dark module;
 * each row is `rowModules` modules high (PDF417's rows are 3, BWIPP's default).
 */
export function matrixImage(
  modules: ArrayLike<number>,
  columns: number,
  rows: number,
  modulePx: number,
  quietModules: number,
  rowModules = 1,
): BilevelImage {
  const quietPx = quietModules * modulePx;
  const rowPx = rowModules * modulePx;
  const width = columns * modulePx + 2 * quietPx;
  const height = rows * rowPx + 2 * quietPx;
  const stride = scanlineBytes(width);
  const light = new Uint8Array(stride);
  const bands: ScanlineBand[] = [{ line: light, rows: quietPx }];
  let previous: Uint8Array = light;
  for (let y = 0; y < rows; y += 1) {
    const line = new Uint8Array(stride);
    const rowStart = y * columns;
    for (let x = 0; x < columns; ) {
      if (!modules[rowStart + x]) {
        x += 1;
        continue;
      }
      const runStart = x;
      while (x < columns && modules[rowStart + x]) x += 1;
      setRun(line, quietPx + runStart * modulePx, quietPx + x * modulePx);
    }
    // Rows that repeat the one above make one band.
    const last = bands[bands.length - 1];
    if (y > 0 && equalBytes(line, previous)) bands[bands.length - 1] = { line: last.line, rows: last.rows + rowPx };
    else bands.push({ line, rows: rowPx });
    previous = line;
  }
  bands.push({ line: light, rows: quietPx });
  return { width, height, bands };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A linear symbol as bwip-js/BWIPP's renlinear describes it: alternating bar and space widths in
 * modules (starting with a bar), and per bar its height and bottom in inches.
 */
export interface LinearPattern {
  readonly sbs: readonly number[];
  readonly bhs: readonly number[];
  readonly bbs: readonly number[];
  /** Module widths of a wide element per narrow one minus 1, as BWIPP's barratio/spaceratio (ITF: 2). */
  readonly ratio?: number;
  /** A frame round the bars (ITF-14's bearer bars), in points, as BWIPP's border options. */
  readonly border?: { readonly width: number; readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
}

/** Inclusive pixel rectangle, y downwards. */
interface Rect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * Draws a linear pattern at `scale` pixels per module exactly as bwip-js 4 draws it at the same
 * scale (so that images keep their size, and fitting them into a handset's box its outcome):
 * BWIPP positions in points (1 point per module, 72 per inch of bar height, single-precision
 * like its PostScript), bwip-js rounding to device pixels, bars and frame strokes drawn as its
 * line and polygon primitives fill them, the bounding box widened by a pixel where a stroke's
 * half width is fractional; then `quietModules` modules of padding left and right and a quarter
 * of that (rounded up) above and below, as the bwip-js adapter asks for.
 */
export function linearImage(pattern: LinearPattern, scale: number, quietModules: number): BilevelImage {
  const f32 = Math.fround;
  const ratio = pattern.ratio ?? 1;
  const rects: Rect[] = [];
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  const extend = (x0: number, y0: number, x1: number, y1: number): void => {
    minX = Math.min(minX, Math.floor(x0));
    minY = Math.min(minY, Math.floor(y0));
    maxX = Math.max(maxX, Math.ceil(x1));
    maxY = Math.max(maxY, Math.ceil(y1));
  };

  // Bars: a vertical stroke at the bar's centre, its width the bar's (renlinear; bwip-js line()).
  const elements = ((pattern.sbs.length + 1) >> 1) * 2 - 1;
  let pixx = 0;
  let pixy = 0;
  for (let i = 0; i < elements; i += 1) {
    const d = f32(pattern.sbs[i] * ratio - ratio) + 1;
    if (i % 2 === 0 && pattern.sbs[i] !== 0) {
      const h = pattern.bhs[i >> 1] * 72;
      const y = pattern.bbs[i >> 1] * 72;
      if (f32(h + y) > pixy) pixy = f32(h + y);
      const x = Math.round(scale * f32(d / 2 + pixx));
      const yBottom = Math.round(scale * y);
      const yTop = Math.round(scale * y + scale * h);
      const penWidth = Math.floor(f32(d) * scale + 0.66);
      const lineWidth = Math.round(penWidth) || 1;
      const half = (lineWidth / 2) | 0;
      extend(x - penWidth / 2, yBottom, x + penWidth - penWidth / 2 - 1, yTop);
      rects.push({ x0: x - lineWidth + half, x1: x + half - 1, y0: yBottom, y1: yTop });
    }
    pixx = f32(pixx + d);
  }

  // Frame: a closed rectangle stroked `border.width` points wide, the larger half outside.
  const { border } = pattern;
  if (border !== undefined) {
    const left = Math.round(scale * -f32(border.left + border.width / 2));
    const right = Math.round(scale * f32(pixx + border.right + border.width / 2));
    const bottom = Math.round(scale * -f32(border.bottom + border.width / 2));
    const top = Math.round(scale * f32(pixy + border.top + border.width / 2));
    const pen = Math.floor(border.width * scale + 0.66);
    const outside = Math.ceil(pen / 2);
    const inside = pen - outside;
    extend(left - outside, bottom - outside, right + outside, top + outside);
    // Four sides of the ring, in the same y-up coordinates as the bars.
    rects.push(
      { x0: left - outside, x1: right + outside, y0: top - inside + 1, y1: top + outside },
      { x0: left - outside, x1: right + outside, y0: bottom - outside, y1: bottom + inside - 1 },
      { x0: left - outside, x1: left + inside - 1, y0: bottom - outside, y1: top + outside },
      { x0: right - inside + 1, x1: right + outside, y0: bottom - outside, y1: top + outside },
    );
  }
  if (rects.length === 0) throw new RangeError('a linear pattern without bars');

  const padX = quietModules * scale;
  const padY = Math.ceil(quietModules / 4) * scale;
  const width = maxX - minX + 1 + 2 * padX;
  const height = maxY - minY + 1 + 2 * padY;
  // To image coordinates: x from the left edge, y downwards from the top.
  const placed = rects.map((r) => ({ x0: r.x0 - minX + padX, x1: r.x1 - minX + padX, y0: maxY - r.y1 + padY, y1: maxY - r.y0 + padY }));
  return rectanglesImage(width, height, placed);
}

/** Bands of an image that is dark exactly where one of the (inclusive) rectangles is. */
function rectanglesImage(width: number, height: number, rects: readonly Rect[]): BilevelImage {
  const edges = [...new Set([0, height, ...rects.flatMap((r) => [r.y0, r.y1 + 1])])].filter((y) => y >= 0 && y <= height).sort((a, b) => a - b);
  const stride = scanlineBytes(width);
  const bands: ScanlineBand[] = [];
  for (let i = 0; i + 1 < edges.length; i += 1) {
    const y = edges[i];
    const line = new Uint8Array(stride);
    for (const r of rects) if (r.y0 <= y && y <= r.y1) setRun(line, Math.max(0, r.x0), Math.min(width, r.x1 + 1));
    bands.push({ line, rows: edges[i + 1] - y });
  }
  return { width, height, bands };
}
