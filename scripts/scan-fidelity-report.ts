/**
 * `node -r @swc-node/register scripts/scan-fidelity-report.ts [--samples N]`: runs the
 * scan-fidelity corpus (libs/barcode-render/src/lib/scan-corpus.ts, the one the integration test
 * uses) and writes docs/scan-fidelity.md: what zxing-wasm reads back from each rendered
 * barcode, as rendered and after the handset adaptation, and the measurements behind
 * MIN_MODULE_PX (N seeded values per symbology on top of the named cases, 100 unless told).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Symbology } from '@mms/contracts';
import {
  BwipRenderer,
  LOWEST_JPEG_QUALITY,
  MIN_MODULE_PX,
  MODULE_PX_STEP,
  SMALLEST_HANDSET_BOX,
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
} from '../libs/barcode-render/src/lib/scan-corpus';
import { decodeBarcodes } from '../test/barcode-decoder';

const REPO_ROOT = join(__dirname, '..');
const OUTPUT = join(REPO_ROOT, 'docs', 'scan-fidelity.md');
/** Module sizes the evidence table shows. */
const EVIDENCE_SIZES = [1, 2, 3, 4, 6];

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

async function tally(renderer: BwipRenderer, cases: readonly ScanCase[], modulePx: number): Promise<Tally> {
  let jpegOnly = 0;
  let survived = 0;
  const perStress = MARGIN_STRESSES.map(() => 0);
  for (const scanCase of cases) {
    const check = await checkStresses(renderer, decodeBarcodes, scanCase, modulePx);
    if (check.jpegOnly) jpegOnly += 1;
    if (survives(check)) survived += 1;
    check.stresses.forEach((stress, i) => {
      if (stress.ok) perStress[i] = (perStress[i] ?? 0) + 1;
    });
  }
  return { cases: cases.length, jpegOnly, survived, perStress };
}

async function main(): Promise<void> {
  const started = Date.now();
  const samples = samplesFromArgs(process.argv.slice(2));
  const renderer = new BwipRenderer();
  const box = SMALLEST_HANDSET_BOX;

  const results: CaseResult[] = [];
  for (const scanCase of SCAN_CORPUS) {
    results.push(await scanOneCase(renderer, decodeBarcodes, scanCase, box));
    process.stdout.write('.');
  }
  const evidence = new Map<Symbology, Map<number, Tally>>();
  for (const symbology of SYMBOLOGIES) {
    const population = [...SCAN_CORPUS.filter((scanCase) => scanCase.symbology === symbology), ...marginSample(symbology, samples)];
    const bySize = new Map<number, Tally>();
    const upTo = MIN_MODULE_PX[symbology] + MODULE_PX_STEP[symbology];
    for (const modulePx of EVIDENCE_SIZES.filter((px) => px % MODULE_PX_STEP[symbology] === 0 && px <= upTo)) {
      bySize.set(modulePx, await tally(renderer, population, modulePx));
      process.stdout.write('+');
    }
    evidence.set(symbology, bySize);
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

  const evidenceHeader = `| symbology | MIN_MODULE_PX | ${EVIDENCE_SIZES.map((px) => `${px} px`).join(' | ')} |`;
  const evidenceRows = SYMBOLOGIES.map((symbology) => {
    const bySize = evidence.get(symbology) ?? new Map<number, Tally>();
    const cells = EVIDENCE_SIZES.map((px) => {
      const t = bySize.get(px);
      if (!t) return '–';
      const cell = `${t.jpegOnly}/${t.cases} · ${t.survived}/${t.cases}`;
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

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const markdown = `# Scan fidelity: do our barcodes read back, before and after handset adaptation?

Generated by \`node -r @swc-node/register scripts/scan-fidelity-report.ts\` (${samples} seeded
values per symbology; ${seconds} s). Do not edit by hand: change the corpus in
\`libs/barcode-render/src/lib/scan-corpus.ts\` and run it again. The same corpus is asserted by
\`libs/barcode-render/src/lib/scan-fidelity.int-spec.ts\`.
Renderer bwip-js ${versionOf('bwip-js')}, images by sharp ${versionOf('sharp')}, decoder zxing-wasm ${versionOf('zxing-wasm')}.

## Method

- Every case is rendered by the production adapter (\`BwipRenderer\`, default settings except the
  module size) and decoded by an independent decoder, ZXing's C++ core compiled to wasm
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
  delivery uses); the JPEG must still read. Where renderToFit refuses
  (\`BarcodeDoesNotFitError\`), the refusal is checked: the image at MIN_MODULE_PX is larger than
  the box.
- **MIN_MODULE_PX**: the smallest pixels per module renderToFit shrinks to. JPEG at quality
  ${LOWEST_JPEG_QUALITY} alone does not set it: on a pristine image at an integer module size
  every symbology still reads after it at the smallest size the adapter draws (1 px; 2 px for
  QR, Aztec and Data Matrix, whose modules bwip-js draws 2 units wide, so odd sizes do not
  exist). So MIN_MODULE_PX is set with a margin: the smallest size at which every case also
  survives each of these stresses, one more processing step before the JPEG, each something an
  MMSC that ignores \`allowAdaptations="false"\` or a handset fitting its screen may still do:
${MARGIN_STRESSES.map((stress) => `  - ${stress.name} (quality ${LOWEST_JPEG_QUALITY})`).join('\n')}

  and where one drawable size smaller loses some case. Columns "margin" and "one size below" in
  the results count the checks passed: JPEG alone, then each stress.

## MIN_MODULE_PX: the measurements

Named cases plus ${samples} seeded values per symbology; each cell is *read after JPEG alone* ·
*read after JPEG and after every stress*, out of the cases; MIN_MODULE_PX in bold.

${evidenceHeader}
|---|---|${EVIDENCE_SIZES.map(() => '---').join('|')}|
${evidenceRows.join('\n')}

Per stress (read / cases):

| symbology | px | JPEG only | ${MARGIN_STRESSES.map((stress) => stress.name).join(' | ')} |
|---|---|---|${MARGIN_STRESSES.map(() => '---').join('|')}|
${stressRows.join('\n')}

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
  every other case is refused (the handset gets no image it cannot scan). Nothing linear and no
  PDF417 can fit it: at MIN_MODULE_PX even a one-character Code 128 is 198 px wide, Code 39
  202 px, ITF-14 367 px, and bwip-js draws a one-character PDF417 321 px wide.
`;
  writeFileSync(OUTPUT, markdown);
  console.log(`wrote ${OUTPUT} (${results.length} cases, ${seconds} s)`);
  if (renderFailures.length + handsetFailures.length + marginFailures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
