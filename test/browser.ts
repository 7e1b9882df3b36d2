import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

/** A headless Chromium to launch: where it is and with which arguments. */
interface ChromiumBinary {
  readonly executablePath: string;
  readonly args: readonly string[];
  readonly source: string;
}

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const HEADLESS_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/**
 * The Chromium the browser tests drive, never one a test tool downloads: CHROMIUM_PATH when set;
 * else the one inside the @sparticuz/chromium npm package (so `npm install` alone is enough; it
 * unpacks into the OS temp folder on first use); else Debian's `chromium`.
 */
export async function findChromium(): Promise<ChromiumBinary> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured !== undefined && configured !== '') {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured}: no such file`);
    return { executablePath: configured, args: HEADLESS_ARGS, source: 'CHROMIUM_PATH' };
  }
  let npmError: unknown;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'sparticuz-chromium.mjs')], { cwd: join(__dirname, '..'), timeout: 60_000 });
    const found = JSON.parse(stdout) as { executablePath: string; args: string[] };
    // Its arguments are made for one page per Lambda: in a single process the browser ends with
    // its first closed page, and a suite opens several.
    return { executablePath: found.executablePath, args: found.args.filter((arg) => arg !== '--single-process'), source: '@sparticuz/chromium' };
  } catch (error) {
    npmError = error;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, args: HEADLESS_ARGS, source: 'Debian chromium' };
  throw new Error(
    `no Chromium for the browser test: @sparticuz/chromium did not start (${npmError instanceof Error ? npmError.message : String(npmError)}), ` +
      `and ${DEBIAN_CHROMIUM} is missing. Run npm install, set CHROMIUM_PATH, or apt-get install chromium.`,
  );
}

export async function launchChromium(): Promise<Browser> {
  const binary = await findChromium();
  return chromium.launch({ executablePath: binary.executablePath, args: [...binary.args] });
}
