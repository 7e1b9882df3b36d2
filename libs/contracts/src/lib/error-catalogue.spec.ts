import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ErrorInfo, errorInfoFor, isErrorCode, PartnerApiError } from './error-catalogue';

/** The committed copy of the API contract's error-codes.tsv: code, errorinfo, source. */
const tsvLines = readFileSync(join(__dirname, 'error-codes.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line !== '');
const [header, ...rowLines] = tsvLines;
const rows = rowLines.map((line) => line.split('\t'));

describe('error-codes.tsv', () => {
  it('has the expected header and three columns on every row', () => {
    expect(header).toBe('code\terrorinfo\tsource');
    expect(rows.filter((cells) => cells.length !== 3)).toStrictEqual([]);
  });

  it('lists each code once', () => {
    const codes = rows.map(([code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBe(29);
  });
});

describe('ErrorInfo', () => {
  it.each(rows.map(([code, info]) => [code, info] as [string, string]))('%s is exactly the TSV text', (code, info) => {
    expect(isErrorCode(code)).toBe(true);
    expect(ErrorInfo[code as ErrorCode]).toBe(info);
  });

  it('has no code the TSV does not list', () => {
    expect(Object.keys(ErrorInfo).sort()).toStrictEqual(rows.map(([code]) => code).sort());
  });

  it.each([
    ['E100', "Invalid request. Make request via GET method or send valid XML inside 'xml' field via POST."],
    ['E108', 'XML Parse error: $error'],
    ['E634', "Invalid 'barcodeid' for this database"],
    ['E713', 'There is billing problem on your account'],
  ])('%s reads as the docs print it', (code, info) => {
    expect(ErrorInfo[code as ErrorCode]).toBe(info);
  });
});

describe('isErrorCode', () => {
  it.each<[string, boolean]>([
    ['E100', true],
    ['E715', true],
    ['e100', false],
    ['E999', false],
    ['', false],
    ['toString', false],
    ['constructor', false],
    ['__proto__', false],
    ['hasOwnProperty', false],
  ])('%p -> %p', (code, expected) => {
    expect(isErrorCode(code)).toBe(expected);
  });
});

describe('errorInfoFor', () => {
  it.each<[ErrorCode, string | undefined, string]>([
    ['E106', '30', 'You can call API every 30 seconds'],
    ['E106', '1', 'You can call API every 1 seconds'],
    ['E106', undefined, 'You can call API every X seconds'],
    ['E108', 'Unclosed tag \'REQUEST\'. (line 1, column 1)', "XML Parse error: Unclosed tag 'REQUEST'. (line 1, column 1)"],
    ['E108', 'invalid UTF-8', 'XML Parse error: invalid UTF-8'],
    ['E108', undefined, 'XML Parse error: invalid document'],
    ['E108', '', 'XML Parse error: '],
  ])('%s with detail %p', (code, detail, expected) => {
    expect(errorInfoFor(code, detail)).toBe(expected);
  });

  // fast-xml-parser echoes the partner's own tag name into the message: `$&` in it must stay literal.
  it.each<[string, string]>([
    ["Tag 'a$&b' is an invalid name.", "XML Parse error: Tag 'a$&b' is an invalid name."],
    ["Tag 'a$'b' is an invalid name.", "XML Parse error: Tag 'a$'b' is an invalid name."],
    ['costs $$5', 'XML Parse error: costs $$5'],
  ])('E108 inserts the detail %p literally', (detail, expected) => {
    expect(errorInfoFor('E108', detail)).toBe(expected);
  });

  it.each(Object.keys(ErrorInfo).filter((code) => code !== 'E106' && code !== 'E108') as ErrorCode[])(
    '%s ignores a detail',
    (code) => {
      expect(errorInfoFor(code)).toBe(ErrorInfo[code]);
      expect(errorInfoFor(code, 'ignored')).toBe(ErrorInfo[code]);
    },
  );
});

describe('PartnerApiError', () => {
  it.each<[ErrorCode, string | undefined, string]>([
    ['E713', undefined, 'There is billing problem on your account'],
    ['E106', '30', 'You can call API every 30 seconds'],
    ['E108', 'bad tag', 'XML Parse error: bad tag'],
    ['E100', 'ignored', "Invalid request. Make request via GET method or send valid XML inside 'xml' field via POST."],
  ])('%s carries its code and info', (code, detail, info) => {
    const error = new PartnerApiError(code, detail);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(PartnerApiError);
    expect(error.name).toBe('PartnerApiError');
    expect(error.code).toBe(code);
    expect(error.info).toBe(info);
    expect(error.message).toBe(`${code} ${info}`);
  });
});
