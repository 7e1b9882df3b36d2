/**
 * `npm run admin -- <command>`: the operators' CLI (scripts/admin/, one file per noun).
 * `npm run admin -- --help` lists the commands; `<command> --help` explains one.
 */
import { processIo, runAdmin } from './admin/cli';

runAdmin(process.argv.slice(2), processIo).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`admin: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
