import { MASK_COUNT, formatInformation, penaltyScore, versionInformation, versionTemplate } from './qr-matrix';
import { type QrErrorCorrection, alignmentPatternPositions, blockLayout, rawDataModules, symbolSize } from './qr-tables';

/** ISO/IEC 18004 Annex C Table C.1: format information after masking, by level then mask 0-7. */
const FORMAT_INFORMATION: Record<QrErrorCorrection, number[]> = {
  L: [0x77c4, 0x72f3, 0x7daa, 0x789d, 0x662f, 0x6318, 0x6c41, 0x6976],
  M: [0x5412, 0x5125, 0x5e7c, 0x5b4b, 0x45f9, 0x40ce, 0x4f97, 0x4aa0],
  Q: [0x355f, 0x3068, 0x3f31, 0x3a06, 0x24b4, 0x2183, 0x2eda, 0x2bed],
  H: [0x1689, 0x13be, 0x1ce7, 0x19d0, 0x0762, 0x0255, 0x0d0c, 0x083b],
};

/** Annex D Table D.1: version information for versions 7-40. */
const VERSION_INFORMATION = [
  0x07c94, 0x085bc, 0x09a99, 0x0a4d3, 0x0bbf6, 0x0c762, 0x0d847, 0x0e60d, 0x0f928, 0x10b78, 0x1145d, 0x12a17,
  0x13532, 0x149a6, 0x15683, 0x168c9, 0x177ec, 0x18ec4, 0x191e1, 0x1afab, 0x1b08e, 0x1cc1a, 0x1d33f, 0x1ed75,
  0x1f250, 0x209d5, 0x216f0, 0x228ba, 0x2379f, 0x24b0b, 0x2542e, 0x26a64, 0x27541, 0x28c69,
];

describe('format information (§7.9)', () => {
  it.each(Object.entries(FORMAT_INFORMATION))('level %s, masks 0-7, match Table C.1', (level, expected) => {
    expect(Array.from({ length: 8 }, (_, mask) => formatInformation(level as QrErrorCorrection, mask))).toEqual(expected);
  });
});

describe('version information (§7.10)', () => {
  it('is 0x07C94 for version 7', () => {
    expect(versionInformation(7)).toBe(0x07c94);
  });

  it('matches Table D.1 for versions 7-40', () => {
    expect(Array.from({ length: 34 }, (_, i) => versionInformation(i + 7))).toEqual(VERSION_INFORMATION);
  });
});

describe('symbol tables', () => {
  it('places alignment patterns as Annex E lists them', () => {
    expect(alignmentPatternPositions(1)).toEqual([]);
    expect(alignmentPatternPositions(2)).toEqual([6, 18]);
    expect(alignmentPatternPositions(7)).toEqual([6, 22, 38]);
    expect(alignmentPatternPositions(15)).toEqual([6, 26, 48, 70]);
    expect(alignmentPatternPositions(32)).toEqual([6, 34, 60, 86, 112, 138]);
    expect(alignmentPatternPositions(36)).toEqual([6, 24, 50, 76, 102, 128, 154]);
    expect(alignmentPatternPositions(40)).toEqual([6, 30, 58, 86, 114, 142, 170]);
  });

  it('has Table 7 and Table 9 capacities', () => {
    expect(Math.floor(rawDataModules(1) / 8)).toBe(26);
    expect(Math.floor(rawDataModules(40) / 8)).toBe(3706);
    expect(blockLayout(1, 'M')).toMatchObject({ dataCodewords: 16, eccPerBlock: 10, blocks: 1 });
    expect(blockLayout(5, 'Q')).toMatchObject({ dataCodewords: 62, blocks: 4, shortBlocks: 2, shortBlockData: 15 });
    expect(blockLayout(40, 'L').dataCodewords).toBe(2956);
    expect(blockLayout(40, 'H').dataCodewords).toBe(1276);
  });

  it('leaves exactly the raw data modules for codewords in every version', () => {
    for (let version = 1; version <= 40; version += 1) {
      const template = versionTemplate(version);
      expect({ version, modules: template.placement.length }).toEqual({ version, modules: rawDataModules(version) });
      expect(template.size).toBe(symbolSize(version));
      const functionModules = template.isFunction.reduce((sum, bit) => sum + bit, 0);
      expect(functionModules + template.placement.length).toBe(template.size ** 2);
    }
  });

  it('masks only the encoding region', () => {
    const { masks, isFunction } = versionTemplate(7);
    for (const mask of masks) expect(mask.some((bit, index) => bit === 1 && isFunction[index] === 1)).toBe(false);
    expect(masks).toHaveLength(MASK_COUNT);
  });
});

/** Table 11 written the slow, obvious way, with the area outside the symbol light. */
function referencePenalty(modules: Uint8Array, size: number): number {
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= size || y >= size ? 0 : modules[y * size + x]);
  let score = 0;
  const lines: number[][] = [];
  for (let i = 0; i < size; i += 1) {
    lines.push(Array.from({ length: size }, (_, j) => at(j, i)));
    lines.push(Array.from({ length: size }, (_, j) => at(i, j)));
  }
  for (const line of lines) {
    // Rule 1: each run of 5 + k same-coloured modules scores 3 + k.
    let run = 1;
    for (let j = 1; j <= size; j += 1) {
      if (j < size && line[j] === line[j - 1]) run += 1;
      else {
        if (run >= 5) score += 3 + run - 5;
        run = 1;
      }
    }
    // Rule 3: runs (with size light modules added beyond both ends) forming 1:1:3:1:1.
    const padded = [...Array(size).fill(0), ...line, ...Array(size).fill(0)];
    const runs: { colour: number; length: number }[] = [];
    for (const colour of padded) {
      const last = runs[runs.length - 1];
      if (last?.colour === colour) last.length += 1;
      else runs.push({ colour, length: 1 });
    }
    for (let k = 0; k + 6 < runs.length; k += 1) {
      if (runs[k].colour !== 0) continue;
      const [before, d1, l1, d3, l2, d4, after] = runs.slice(k, k + 7).map((r) => r.length);
      const n = d1;
      if (l1 === n && d3 === 3 * n && l2 === n && d4 === n) {
        if (before >= 4 * n && after >= n) score += 40;
        if (after >= 4 * n && before >= n) score += 40;
      }
    }
  }
  let dark = 0;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      dark += at(x, y);
      if (x + 1 < size && y + 1 < size && at(x, y) === at(x + 1, y) && at(x, y) === at(x, y + 1) && at(x, y) === at(x + 1, y + 1)) score += 3;
    }
  }
  return score + 10 * (Math.ceil(Math.abs(dark * 20 - size * size * 10) / (size * size)) - 1);
}

describe('penaltyScore (§7.8.3.1, Table 11)', () => {
  it('agrees with a direct reading of the rules on random and structured matrices', () => {
    let seed = 12345;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (const size of [21, 25, 45, 57]) {
      for (let trial = 0; trial < 20; trial += 1) {
        const density = 0.1 + 0.8 * random();
        const modules = Uint8Array.from({ length: size * size }, () => (random() < density ? 1 : 0));
        expect({ size, trial, score: penaltyScore(modules, size) }).toEqual({ size, trial, score: referencePenalty(modules, size) });
      }
      const template = versionTemplate((size - 17) / 4);
      expect(penaltyScore(template.functionModules, size)).toBe(referencePenalty(template.functionModules, size));
    }
  });

  it('scores a finder-like pattern at the edge of a line', () => {
    const size = 21;
    const line = [1, 0, 1, 1, 1, 0, 1, ...Array(14).fill(0)];
    const modules = new Uint8Array(size * size);
    modules.set(line, 0);
    expect(penaltyScore(modules, size)).toBe(referencePenalty(modules, size));
    // The same row without the pattern scores at least 40 less (one pattern, 4 light on the right).
    const plain = new Uint8Array(size * size);
    expect(referencePenalty(modules, size) - referencePenalty(plain, size)).toBeGreaterThanOrEqual(40);
  });
});
