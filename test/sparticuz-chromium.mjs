// Prints where @sparticuz/chromium unpacked its Chromium, and the arguments it launches with, as
// JSON. A separate ESM process: the package is ESM only (import.meta), which jest's CommonJS module
// loader cannot run. Used by test/browser.ts.
import chromium from '@sparticuz/chromium';

const executablePath = await chromium.executablePath();
process.stdout.write(JSON.stringify({ executablePath, args: chromium.args }));
