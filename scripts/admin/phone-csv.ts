import { AdminError } from './context';

/** Header names of the column that holds the numbers (any case). */
const PHONE_COLUMNS = ['phone', 'number', 'msisdn', 'to', 'mobile'];

/**
 * The numbers of a CSV file as account managers get them from partners: comma or semicolon
 * separated, cells optionally in double quotes, blank lines and `#` comments skipped. A first row
 * without a digit in its first cell is a header and must name the column (PHONE_COLUMNS); without
 * a header the number is the first column. Each number comes with its line, for error messages;
 * the numbers are checked by the caller.
 */
export function numbersFromCsv(text: string): Array<{ text: string; line: number }> {
  const rows = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((raw, i) => ({ cells: splitRow(raw), line: i + 1, blank: raw.trim() === '' || raw.trim().startsWith('#') }))
    .filter((row) => !row.blank);
  const [first] = rows;
  if (first === undefined) return [];
  let column = 0;
  let body = rows;
  if (!/[0-9]/.test(first.cells[0] ?? '')) {
    column = first.cells.findIndex((cell) => PHONE_COLUMNS.includes(cell.toLowerCase()));
    if (column < 0) throw new AdminError(`line ${first.line} is a header without a ${PHONE_COLUMNS.join(', ')} column: ${first.cells.join(', ')}`);
    body = rows.slice(1);
  }
  return body.map((row) => ({ text: row.cells[column] ?? '', line: row.line }));
}

function splitRow(raw: string): string[] {
  return raw.split(/[,;]/).map((cell) => cell.trim().replace(/^"(.*)"$/, '$1').trim());
}
