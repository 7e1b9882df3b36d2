/**
 * `npm run build`: compiles the services, the libs (with the generated Prisma client), the admin
 * CLI and the migrate step to CommonJS in dist/, with @swc/core (the compiler the dev commands and
 * the tests already use), so that production runs `node dist/apps/gateway/src/main.js` without a
 * TypeScript loader. The `@mms/*` paths of tsconfig.base.json become relative requires. Types are
 * checked by `npm run typecheck`, not here: this only has to be fast and faithful.
 *
 *   node -r @swc-node/register scripts/build.ts [--out-dir <dir inside the repository>]
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { type Options, transformFile } from '@swc/core';

const REPO_ROOT = resolve(__dirname, '..');

/** What production runs: the services (the simulator too, for the compose file's dev profile), the libs, the operators' commands. */
const SOURCE_ROOTS = ['apps/gateway/src', 'apps/barcode/src', 'apps/delivery/src', 'apps/mmsc-simulator/src', 'libs'];
const SOURCE_FILES = ['scripts/admin.ts', 'scripts/migrate.ts', 'scripts/healthcheck.ts'];
const SOURCE_DIRS = ['scripts/admin'];
/** Tests and their helpers stay out of the bundle. */
const NOT_SHIPPED = /(\.spec\.ts|\.int-spec\.ts|\.e2e-spec\.ts|\.d\.ts)$|[\\/](test|fixtures)[\\/]/;

function swcOptions(file: string, outFile: string, paths: Record<string, string[]>): Options {
  return {
    filename: file,
    swcrc: false,
    configFile: false,
    sourceMaps: true,
    sourceFileName: relative(dirname(outFile), file),
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      // NestJS needs the legacy decorators with their design-time metadata, as in the dev commands.
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      baseUrl: REPO_ROOT,
      paths,
    },
    module: { type: 'commonjs' },
  };
}

async function tsFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

async function sources(): Promise<string[]> {
  const libRoots = (await readdir(join(REPO_ROOT, 'libs'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(REPO_ROOT, 'libs', entry.name, 'src'));
  const roots = [...SOURCE_ROOTS.filter((root) => root !== 'libs').map((root) => join(REPO_ROOT, root)), ...libRoots];
  const files = [
    ...(await Promise.all([...roots, ...SOURCE_DIRS.map((dir) => join(REPO_ROOT, dir))].map(tsFilesUnder))).flat(),
    ...SOURCE_FILES.map((file) => join(REPO_ROOT, file)),
  ];
  return [...new Set(files)].filter((file) => !NOT_SHIPPED.test(relative(REPO_ROOT, file))).sort();
}

function outDirFrom(argv: readonly string[]): string {
  const at = argv.indexOf('--out-dir');
  const outDir = resolve(REPO_ROOT, at >= 0 ? (argv[at + 1] ?? '') : 'dist');
  // Its requires of node_modules resolve upwards, and it is emptied first: inside the repository, never the repository.
  if (!outDir.startsWith(REPO_ROOT + sep)) throw new Error(`--out-dir must be a folder inside ${REPO_ROOT}; got ${outDir}`);
  return outDir;
}

export async function build(outDir: string): Promise<number> {
  if (!existsSync(join(REPO_ROOT, 'libs/db/src/generated/prisma/client.ts'))) {
    throw new Error('the Prisma client is not generated: run `npx prisma generate` first (npm run build does)');
  }
  const tsconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.base.json'), 'utf8')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  const files = await sources();
  await rm(outDir, { recursive: true, force: true });
  // swc's own thread pool does the work; a bounded number in flight keeps memory flat.
  const queue = [...files];
  const compileNext = async (): Promise<void> => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      const outFile = join(outDir, relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
      const output = await transformFile(file, swcOptions(file, outFile, tsconfig.compilerOptions.paths));
      await mkdir(dirname(outFile), { recursive: true });
      await writeFile(outFile, `${output.code}\n//# sourceMappingURL=${basename(outFile)}.map\n`);
      if (output.map !== undefined) await writeFile(`${outFile}.map`, output.map);
    }
  };
  await Promise.all(Array.from({ length: 16 }, compileNext));
  return files.length;
}

async function main(): Promise<void> {
  const started = Date.now();
  const outDir = outDirFrom(process.argv.slice(2));
  const count = await build(outDir);
  const shown = relative(REPO_ROOT, outDir);
  console.log(`build: ${count} files compiled into ${shown}/ in ${Date.now() - started} ms`);
  console.log(`  node ${shown}/apps/gateway/src/main.js   (barcode, delivery, mmsc-simulator alike; ${shown}/scripts/admin.js, ${shown}/scripts/migrate.js)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
