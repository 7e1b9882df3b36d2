/**
 * `node -r @swc-node/register scripts/scan-fidelity-report.ts [--samples N]`: runs the
 * scan-fidelity corpus (libs/barcode-render/src/lib/scan-corpus.ts, the one the integration test
 * uses) against the renderer production uses, MatrixPngRenderer, and writes
 * docs/scan-fidelity.md: what zxing-wasm reads back from each rendered barcode, as rendered and
 * after the handset adaptation, and the measurements behind MIN_MODULE_PX (N seeded values per
 * symbology on top of the named cases, 100 unless told) at every module size the renderer
 * declares it draws (modulePxStepOf). Where bwip-js (BwipRenderer, the renderer before it) draws
 * a symbology on another grid, the same population is measured with it too, to show why the
 * floor moved.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Symbology } from '@mms/contracts';
import {
  type BarcodeRenderer,
  BwipRenderer,
  LOWEST_JPEG_QUALITY,
  MIN_MODULE_PX,
  MatrixPngRenderer,
  SMALLEST_HANDSET_BOX,
  modulePxStepOf,
} from '@mms/barcode-render';
import {
  type CaseResult,
  DEFAULT_MODULE_PX,
  MARGIN_STRESSES,
  SCAN_CORPUS,
  SYMBOLOGIES,
  type ScanCase,
  type StressCheck,
  checkStresses,
  marginSample,
  normaliseScan,
  scanOneCase,
  settingsAt,
} from '../libs/barcode-render/src/lib/scan-corpus';
import { decodeBarcodes } from '../test/barcode-decoder';

const REPO_ROOT = join(__dirname, '..');
const OUTPUT = join(REPO_ROOT, 'docs', 'scan-fidelity.md');

function samplesFromArgs(argv: string[]): number {
  const at = argv.indexOf('--samples');
  if (at === -1) return 100;
  const count = Number(argv[at + 1]);
  if (!Number.isInteger(count) || count < 0) throw new Error(`--samples takes a whole number, got: ${argv[at + 1]}`);
  return count;
}

function versionOf(name: string): string {
  // Read from disk: some packages' exports do not include their package.json.
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** A value as a code span a table cell can hold: escaped, and long ones shortened. */
function shown(value: string, max = 28): string {
  const json = JSON.stringify(value).slice(1, -1);
  const text = json.length > max ? `${json.slice(0, max)}…` : json;
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

const yesNo = (ok: boolean): string => (ok ? 'yes' : '**NO**');
const size = (image: { width: number; height: number }): string => `${image.width}x${image.height}`;
const survives = (check: StressCheck): boolean => check.jpegOnly && check.stresses.every((stress) => stress.ok);
const stressSummary = (check: StressCheck | null): string => {
  if (check === null) return '–';
  const passed = [check.jpegOnly, ...check.stresses.map((stress) => stress.ok)].filter(Boolean).length;
  return `${passed}/${check.stresses.length + 1} at ${check.modulePx} px`;
};

function caseRow(result: CaseResult): string {
  const { scanCase, handset } = result;
  const rendered = result.rendered
    .map((image) => `${image.modulePx} px: ${size(image)} ${yesNo(image.decode.ok)}`)
    .join('<br>');
  const adapted =
    handset.kind === 'fitted'
      ? `fitted at ${handset.image.modulePx} px, ${size(handset.image)}, JPEG ${handset.image.bytes} B: ${yesNo(handset.decode.ok)}`
      : `refused: ${size(handset.atMin)} at ${handset.atMin.modulePx} px ${handset.atMinFits ? '**FITS**' : 'does not fit'}`;
  const { readsAs } = scanCase;
  const value = readsAs
    ? `${shown(scanCase.value)} (reads as ${shown(readsAs.text)}${readsAs.equivalent ? '' : ', **misread**'})`
    : shown(scanCase.value);
  const cells = [
    scanCase.symbology,
    scanCase.label,
    value,
    scanCase.value.length,
    rendered,
    adapted,
    stressSummary(result.atMin),
    stressSummary(result.belowMin),
  ];
  return `| ${cells.join(' | ')} |`;
}

interface Tally {
  readonly cases: number;
  readonly jpegOnly: number;
  readonly survived: number;
  readonly perStress: readonly number[];
}

async function tally(renderer: BarcodeRenderer, cases: readonly ScanCase[], modulePx: number): Promise<Tally> {
  let jpegOnly = 0;
  let survived = 0;
  const perStress = MARGIN_STRESSES.map(() => 0);
  for (const scanCase of cases) {
    const check = await checkStresses(renderer, decodeBarcodes, scanCase, modulePx);
    if (check.modulePx !== modulePx) throw new Error(`${scanCase.symbology} asked for ${modulePx} px, drawn at ${check.modulePx} px`);
    if (check.jpegOnly) jpegOnly += 1;
    if (survives(check)) survived += 1;
    check.stresses.forEach((stress, i) => {
      if (stress.ok) perStress[i] = (perStress[i] ?? 0) + 1;
    });
  }
  return { cases: cases.length, jpegOnly, survived, perStress };
}

/** The module sizes measured for a symbology: every one the renderer draws, up to one step above MIN_MODULE_PX. */
function sizesToMeasure(renderer: BarcodeRenderer, symbology: Symbology): number[] {
  const step = modulePxStepOf(renderer, symbology);
  const sizes: number[] = [];
  for (let px = step; px <= MIN_MODULE_PX[symbology] + step; px += step) sizes.push(px);
  return sizes;
}

async function measure(renderer: BarcodeRenderer, symbology: Symbology, population: readonly ScanCase[]): Promise<Map<number, Tally>> {
  const bySize = new Map<number, Tally>();
  for (const modulePx of sizesToMeasure(renderer, symbology)) {
    bySize.set(modulePx, await tally(renderer, population, modulePx));
    process.stdout.write('+');
  }
  return bySize;
}

/**
 * The floor the measurements give: the smallest measured size from which every measured size
 * up has every case survive every stress (null if not even the largest does).
 */
function measuredFloor(bySize: ReadonlyMap<number, Tally>): number | null {
  let floor: number | null = null;
  for (const px of [...bySize.keys()].sort((a, b) => b - a)) {
    const t = bySize.get(px);
    if (!t || t.survived !== t.cases) break;
    floor = px;
  }
  return floor;
}

const cellOf = (t: Tally | undefined): string => (t ? `${t.jpegOnly}/${t.cases} · ${t.survived}/${t.cases}` : '–');

/** Which module sizes a renderer draws for a symbology, in words. */
function gridOf(renderer: BarcodeRenderer, symbology: Symbology): string {
  const step = modulePxStepOf(renderer, symbology);
  if (step === 1) return 'every whole size';
  return step === 2 ? 'even sizes only' : `multiples of ${step} px`;
}

/** The smallest values of the symbologies that can never fit, to show how wide they are at MIN_MODULE_PX. */
const SMALLEST_OF: readonly { readonly symbology: Symbology; readonly value: string; readonly name: string }[] = [
  { symbology: 'CODE128', value: 'A', name: 'a one-character Code 128' },
  { symbology: 'CODE39', value: 'A', name: 'Code 39' },
  { symbology: 'PDF417', value: 'A', name: 'PDF417' },
  { symbology: 'EAN13', value: '4006381333931', name: 'EAN-13 (and UPC-A, the same bars)' },
  { symbology: 'ITF14', value: '10012345678902', name: 'ITF-14' },
];

async function main(): Promise<void> {
  const started = Date.now();
  const samples = samplesFromArgs(process.argv.slice(2));
  // The renderer production uses (BARCODE_RENDERER in apps/delivery and apps/barcode), and the one before it.
  const renderer = new MatrixPngRenderer();
  const bwip = new BwipRenderer();
  const box = SMALLEST_HANDSET_BOX;

  const results: CaseResult[] = [];
  for (const scanCase of SCAN_CORPUS) {
    results.push(await scanOneCase(renderer, decodeBarcodes, scanCase, box));
    process.stdout.write('.');
  }
  const populationOf = (symbology: Symbology): ScanCase[] => [
    ...SCAN_CORPUS.filter((scanCase) => scanCase.symbology === symbology),
    ...marginSample(symbology, samples),
  ];
  const evidence = new Map<Symbology, Map<number, Tally>>();
  for (const symbology of SYMBOLOGIES) evidence.set(symbology, await measure(renderer, symbology, populationOf(symbology)));
  // bwip-js, measured the same way where it draws a symbology on another grid (elsewhere
  // MatrixPngRenderer draws bwip-js's pixels: matrix-png-renderer.adapter.spec.ts).
  const compared = SYMBOLOGIES.filter((symbology) => modulePxStepOf(bwip, symbology) !== modulePxStepOf(renderer, symbology));
  const bwipEvidence = new Map<Symbology, Map<number, Tally>>();
  const bwipDrawsMinAt = new Map<Symbology, number>();
  for (const symbology of compared) {
    bwipEvidence.set(symbology, await measure(bwip, symbology, populationOf(symbology)));
    const value = SCAN_CORPUS.find((scanCase) => scanCase.symbology === symbology)?.value ?? 'A';
    bwipDrawsMinAt.set(symbology, (await bwip.render(symbology, value, settingsAt(MIN_MODULE_PX[symbology]))).modulePx);
  }
  const widest = [];
  for (const smallest of SMALLEST_OF) {
    const image = await renderer.render(smallest.symbology, smallest.value, settingsAt(MIN_MODULE_PX[smallest.symbology]));
    widest.push({ ...smallest, width: image.width, modulePx: image.modulePx });
  }
  process.stdout.write('\n');

  const renderFailures = results.filter((result) => result.rendered.some((image) => !image.decode.ok));
  const handsetFailures = results.filter(
    (result) => (result.handset.kind === 'fitted' && !result.handset.decode.ok) || (result.handset.kind === 'refused' && result.handset.atMinFits),
  );
  const marginFailures = results.filter((result) => !survives(result.atMin));
  const fitted = results.filter((result) => result.handset.kind === 'fitted');
  const spurious = results.flatMap((result) => {
    const want = normaliseScan(result.scanCase.symbology, result.expected);
    const texts = [...result.rendered.map((image) => image.decode.texts), result.handset.kind === 'fitted' ? result.handset.decode.texts : []].flat();
    const extra = [...new Set(texts.filter((text) => normaliseScan(result.scanCase.symbology, text) !== want))];
    return extra.length > 0 ? [`${result.scanCase.symbology} ${result.scanCase.label}: also read ${extra.map((text) => shown(text)).join(', ')}`] : [];
  });
  const spuriousNote =
    spurious.length === 0
      ? '- zxing reported no extra symbols.'
      : "- Extra symbols zxing also reported (a multi-format search can find a short linear code in a matrix code's texture; " +
        `the expected text was read too):\n${spurious.map((line) => `  - ${line}`).join('\n')}`;
  const fittingSymbologies = SYMBOLOGIES.filter((symbology) => fitted.some((result) => result.scanCase.symbology === symbology));
  const notes = SCAN_CORPUS.filter((scanCase) => scanCase.readsAs !== undefined).map(
    (scanCase) =>
      `- ${scanCase.symbology} ${scanCase.label}: ${shown(scanCase.value)} reads as ${shown(scanCase.readsAs?.text ?? '')}` +
      `${scanCase.readsAs?.equivalent ? '' : ' (**a misread**)'}: ${scanCase.readsAs?.why}.`,
  );

  // MIN_MODULE_PX against the measurements: every case survives at it and at every size above
  // measured, some case does not one drawable size below.
  const floorOf = (symbology: Symbology): number | null => measuredFloor(evidence.get(symbology) ?? new Map<number, Tally>());
  const floorMismatches = SYMBOLOGIES.filter((symbology) => floorOf(symbology) !== MIN_MODULE_PX[symbology]);
  const floorCheck =
    floorMismatches.length === 0
      ? 'Every MIN_MODULE_PX is where the measurements put the line: every case survives there and above, some case fails one size below.'
      : `**The measurements disagree with MIN_MODULE_PX** for ${floorMismatches
          .map((symbology) => `${symbology} (measured ${floorOf(symbology) ?? 'no size'}, MIN_MODULE_PX ${MIN_MODULE_PX[symbology]})`)
          .join(', ')}.`;

  // JPEG alone, at the smallest size the renderer draws.
  const smallestDrawn = [...new Set(SYMBOLOGIES.map((symbology) => modulePxStepOf(renderer, symbology)))];
  const jpegLosses = SYMBOLOGIES.flatMap((symbology) => {
    const px = modulePxStepOf(renderer, symbology);
    const t = evidence.get(symbology)?.get(px);
    return t && t.jpegOnly < t.cases ? [`${symbology} ${t.jpegOnly}/${t.cases} at ${px} px`] : [];
  });
  const jpegAlone =
    jpegLosses.length === 0
      ? `JPEG at quality ${LOWEST_JPEG_QUALITY} alone does not set it: on a pristine image at an integer module
  size every symbology still reads after it at the smallest size MatrixPngRenderer draws (${smallestDrawn.join(', ')} px).`
      : `JPEG at quality ${LOWEST_JPEG_QUALITY} alone loses cases only at the smallest size MatrixPngRenderer draws
  (${jpegLosses.join('; ')}), below where the stresses put the line.`;

  const columns = [...new Set(SYMBOLOGIES.flatMap((symbology) => sizesToMeasure(renderer, symbology)))].sort((a, b) => a - b);
  const evidenceHeader = `| symbology | MIN_MODULE_PX | ${columns.map((px) => `${px} px`).join(' | ')} |`;
  const evidenceRows = SYMBOLOGIES.map((symbology) => {
    const bySize = evidence.get(symbology) ?? new Map<number, Tally>();
    const cells = columns.map((px) => {
      const cell = cellOf(bySize.get(px));
      return px === MIN_MODULE_PX[symbology] ? `**${cell}**` : cell;
    });
    return `| ${symbology} | ${MIN_MODULE_PX[symbology]} | ${cells.join(' | ')} |`;
  });
  const stressRows = SYMBOLOGIES.flatMap((symbology) => {
    const bySize = evidence.get(symbology) ?? new Map<number, Tally>();
    return [...bySize.entries()].map(
      ([px, t]) => `| ${symbology} | ${px} | ${t.jpegOnly}/${t.cases} | ${t.perStress.map((n) => `${n}/${t.cases}`).join(' | ')} |`,
    );
  });

  // The comparison with bwip-js.
  const comparedColumns = [
    ...new Set(compared.flatMap((symbology) => [...sizesToMeasure(renderer, symbology), ...sizesToMeasure(bwip, symbology)])),
  ].sort((a, b) => a - b);
  const bwipFloorOf = (symbology: Symbology): number | null => measuredFloor(bwipEvidence.get(symbology) ?? new Map<number, Tally>());
  const comparisonRows = compared.flatMap((symbology) => {
    const ours = evidence.get(symbology) ?? new Map<number, Tally>();
    const theirs = bwipEvidence.get(symbology) ?? new Map<number, Tally>();
    const bwipCells = comparedColumns.map((px) => {
      if (theirs.has(px)) return cellOf(theirs.get(px));
      return px === MIN_MODULE_PX[symbology] ? `not drawn: asked for ${px} px, draws ${bwipDrawsMinAt.get(symbology)} px` : '–';
    });
    const ourCells = comparedColumns.map((px) => cellOf(ours.get(px)));
    return [
      `| ${symbology} | bwip-js (\`BwipRenderer\`) | ${gridOf(bwip, symbology)} | ${bwipCells.join(' | ')} | ${bwipFloorOf(symbology) ?? '**none**'} |`,
      `| ${symbology} | \`MatrixPngRenderer\` | ${gridOf(renderer, symbology)} | ${ourCells.join(' | ')} | ${floorOf(symbology) ?? '**none**'} |`,
    ];
  });
  const gained = results.flatMap((result) => {
    const bwipFloor = bwipFloorOf(result.scanCase.symbology);
    const { handset } = result;
    return handset.kind === 'fitted' && bwipFloor !== null && handset.image.modulePx < bwipFloor
      ? [`${result.scanCase.symbology} ${result.scanCase.label} (${handset.image.modulePx} px, ${size(handset.image)})`]
      : [];
  });
  const gainedNote =
    gained.length === 0
      ? 'No named case fits the box only because of the lower floor.'
      : `Named cases that fit the ${box.maxWidth}x${box.maxHeight} box only below the bwip-js floor (one size larger is too ` +
        `big, so at that floor they would be refused): ${gained.join('; ')}.`;
  const unchanged = SYMBOLOGIES.filter((symbology) => !compared.includes(symbology));

  const wideEnough = widest.every((entry) => entry.width > box.maxWidth);
  const widthList = widest.map((entry) => `${entry.name} ${entry.width} px at ${entry.modulePx} px`).join(', ');
  const neverFits = wideEnough
    ? `Nothing linear and no PDF417 can fit it: at MIN_MODULE_PX the narrowest are wider than ${box.maxWidth} px (${widthList}).`
    : `**Some linear or PDF417 symbol is no wider than ${box.maxWidth} px at MIN_MODULE_PX** (${widthList}).`;

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const markdown = `# Scan fidelity: do our barcodes read back, before and after handset adaptation?

Generated by \`node -r @swc-node/register scripts/scan-fidelity-report.ts\` (${samples} seeded
values per symbology; ${seconds} s). Do not edit by hand: change the corpus in
\`libs/barcode-render/src/lib/scan-corpus.ts\` and run it again. The same corpus is asserted by
\`libs/barcode-render/src/lib/scan-fidelity.int-spec.ts\`.
Renderer \`MatrixPngRenderer\` (the one production uses: our QR Code, Aztec and Data Matrix
encoders; bwip-js ${versionOf('bwip-js')}'s encoder, \`raw()\`, for PDF417 and the linear codes;
compared with bwip-js's own drawing, \`BwipRenderer\`, below), images by sharp ${versionOf('sharp')},
decoder zxing-wasm ${versionOf('zxing-wasm')}.

## Method

- Every case is rendered by the production adapter (\`MatrixPngRenderer\`, default settings except
  the module size) and decoded by an independent decoder, ZXing's C++ core compiled to wasm
  (\`test/barcode-decoder.ts\`, \`tryHarder\`). A case passes when the expected text is among the
  symbols read; the expected text is the input itself unless the table says what it reads as
  (check digits the renderer computes, UPC-A reported as EAN-13, zxing's names for control
  characters). GS1-128 is compared without the parentheses, GS separators and \`]C1\` prefix,
  because zxing's HRI text mode prints the AIs in parentheses and its plain mode (like most
  scanners) sends FNC1 separators as GS: the same element string either way.
- **As rendered**: the PNG at the default ${DEFAULT_MODULE_PX} px per module and at the
  symbology's MIN_MODULE_PX.
- **Handset**: \`renderToFit\` into the smallest handset's box, OMA MMS "Image Basic",
  ${box.maxWidth}x${box.maxHeight}, then JPEG at quality ${LOWEST_JPEG_QUALITY} (the lowest
  delivery uses); the JPEG must still read. renderToFit steps down through every module size the
  renderer declares it draws (\`modulePxStepOf\`: every whole size for MatrixPngRenderer, odd ones
  included). Where it refuses (\`BarcodeDoesNotFitError\`), the refusal is checked: the image at
  MIN_MODULE_PX is larger than the box.
- **MIN_MODULE_PX**: the smallest pixels per module renderToFit shrinks to.
  ${jpegAlone}
  So MIN_MODULE_PX is set with a margin: the smallest size at which every case also
  survives each of these stresses, one more processing step before the JPEG, each something an
  MMSC that ignores \`allowAdaptations="false"\` or a handset fitting its screen may still do:
${MARGIN_STRESSES.map((stress) => `  - ${stress.name} (quality ${LOWEST_JPEG_QUALITY})`).join('\n')}

  and where one drawable size smaller loses some case. Columns "margin" and "one size below" in
  the results count the checks passed: JPEG alone, then each stress.

## MIN_MODULE_PX: the measurements

Named cases plus ${samples} seeded values per symbology, rendered by MatrixPngRenderer at every
size it draws up to one above MIN_MODULE_PX; each cell is *read after JPEG alone* · *read after
JPEG and after every stress*, out of the cases; MIN_MODULE_PX in bold. ${floorCheck}

${evidenceHeader}
|---|---|${columns.map(() => '---').join('|')}|
${evidenceRows.join('\n')}

Per stress (read / cases):

| symbology | px | JPEG only | ${MARGIN_STRESSES.map((stress) => stress.name).join(' | ')} |
|---|---|---|${MARGIN_STRESSES.map(() => '---').join('|')}|
${stressRows.join('\n')}

## Why the floors moved: bwip-js and MatrixPngRenderer

Production rendered with \`BwipRenderer\` (bwip-js) before \`MatrixPngRenderer\`. The method, the
stresses and the corpus are the same; what changed is which module sizes exist. bwip-js draws
${compared.join(', ')} modules 2 units wide, so it draws only even sizes: the smallest of them
that survives every stress was its floor, and the odd size below it did not exist. MatrixPngRenderer
draws every whole size, so the floor is the first size that survives, and where that is odd it is
one pixel per module smaller than bwip-js could go: a smaller image, so more values fit a small
handset's box. The same population and stresses, both renderers (cells as above; "floor": the
smallest size from which every case survives every stress):

| symbology | renderer | draws | ${comparedColumns.map((px) => `${px} px`).join(' | ')} | floor |
|---|---|---|${comparedColumns.map(() => '---').join('|')}|---|
${comparisonRows.join('\n')}

${gainedNote}

${unchanged.join(', ')} are BWIPP's encoding drawn pixel for pixel as bwip-js draws them, at every
whole size with either renderer (\`matrix-png-renderer.adapter.spec.ts\`): their measurements
and floors are the same with both. The encoder matters too: while MatrixPngRenderer still drew
BWIPP's Aztec encoding, 2 of 104 Aztec cases failed a downscale at 3 px, and Aztec's floor stayed
4 until our Aztec encoder replaced it (commits cf37e7b and f068832; not measured here).

## Results

${results.length} cases, ${results.filter((r) => r.scanCase.readsAs === undefined).length} of them read back as exactly the input;
${fitted.length} fit the ${box.maxWidth}x${box.maxHeight} box, ${results.length - fitted.length} are refused.
As rendered, cases not read: ${renderFailures.length}; after handset adaptation: ${handsetFailures.length};
below their margin at MIN_MODULE_PX: ${marginFailures.length}.

| symbology | case | value | chars | as rendered (PNG): size, read | handset ${box.maxWidth}x${box.maxHeight} + JPEG q${LOWEST_JPEG_QUALITY} | margin at MIN | one size below |
|---|---|---|---|---|---|---|---|
${results.map(caseRow).join('\n')}

## Notes

${notes.join('\n')}
${spuriousNote}
- Symbologies with a case that fits the ${box.maxWidth}x${box.maxHeight} box: ${fittingSymbologies.join(', ') || 'none'};
  every other case is refused (the handset gets no image it cannot scan). ${neverFits}
`;
  writeFileSync(OUTPUT, markdown);
  console.log(`wrote ${OUTPUT} (${results.length} cases, ${seconds} s)`);
  const problems = renderFailures.length + handsetFailures.length + marginFailures.length + floorMismatches.length;
  if (problems > 0 || !wideEnough) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
