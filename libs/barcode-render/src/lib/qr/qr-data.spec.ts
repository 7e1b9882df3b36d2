import { UnencodableBarcodeError } from '../barcode-renderer';
import { encodeData } from './qr-data';

const binary = (codewords: Uint8Array): string => [...codewords].map((byte) => byte.toString(2).padStart(8, '0')).join(' ');
const bitString = (codewords: Uint8Array): string => [...codewords].map((byte) => byte.toString(2).padStart(8, '0')).join('');

describe('encodeData', () => {
  it('gives the data codewords of ISO/IEC 18004 Annex I ("01234567", 1-M, numeric mode)', () => {
    const data = encodeData('01234567', 'M');
    expect(data).toMatchObject({ version: 1, level: 'M', mode: 'numeric', eci: false });
    expect(binary(data.codewords)).toBe(
      '00010000 00100000 00001100 01010110 01100001 10000000 11101100 00010001 11101100 00010001 11101100 00010001 11101100 00010001 11101100 00010001',
    );
  });

  it('encodes uppercase text in alphanumeric mode (45 * first + second, 11 bits a pair)', () => {
    const data = encodeData('HELLO WORLD', 'M');
    expect(data).toMatchObject({ version: 1, mode: 'alphanumeric' });
    expect([...data.codewords]).toEqual([0x20, 0x5b, 0x0b, 0x78, 0xd1, 0x72, 0xdc, 0x4d, 0x43, 0x40, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11]);
  });

  it('encodes other ASCII in byte mode without an ECI', () => {
    const data = encodeData('Ticket_12345', 'M');
    expect(data).toMatchObject({ mode: 'byte', eci: false });
    // 0100 (byte), count 12 in 8 bits, then the bytes.
    expect(bitString(data.codewords).slice(0, 12 + 8 * 12)).toBe(
      '0100' + '00001100' + [...Buffer.from('Ticket_12345')].map((b) => b.toString(2).padStart(8, '0')).join(''),
    );
  });

  it('precedes non-ASCII text with ECI 000026 and encodes it as UTF-8 bytes', () => {
    const value = 'Zürich ✓ 🎟';
    const bytes = Buffer.from(value, 'utf8');
    const data = encodeData(value, 'M');
    expect(data).toMatchObject({ mode: 'byte', eci: true });
    // 0111 (ECI), 00011010 (26), 0100 (byte), count, then the UTF-8 bytes.
    expect(bitString(data.codewords).slice(0, 4 + 8 + 4 + 8 + 8 * bytes.length)).toBe(
      '0111' + '00011010' + '0100' + bytes.length.toString(2).padStart(8, '0') + [...bytes].map((b) => b.toString(2).padStart(8, '0')).join(''),
    );
  });

  it('takes the smallest version that holds the value, with 16-bit byte counts from version 10', () => {
    expect(encodeData('x'.repeat(14), 'M').version).toBe(1);
    expect(encodeData('x'.repeat(15), 'M').version).toBe(2);
    const big = encodeData('x'.repeat(300), 'L');
    expect(big.version).toBe(11);
    expect(bitString(big.codewords).slice(0, 20)).toBe('0100' + (300).toString(2).padStart(16, '0'));
  });

  it('with boostLevel, raises the level as far as the same version allows', () => {
    // 8 digits at 1-M; version 1 holds up to 17 digits at H.
    expect(encodeData('01234567', 'M', { boostLevel: true })).toMatchObject({ version: 1, level: 'H' });
    // 14 bytes fill 1-M; 1-Q holds 11.
    expect(encodeData('x'.repeat(14), 'M', { boostLevel: true })).toMatchObject({ version: 1, level: 'M' });
    expect(encodeData('x'.repeat(14), 'L', { boostLevel: true })).toMatchObject({ version: 1, level: 'M' });
  });

  it.each([
    ['L', 7089, 4296, 2953],
    ['M', 5596, 3391, 2331],
    ['Q', 3993, 2420, 1663],
    ['H', 3057, 1852, 1273],
  ] as const)('holds version 40-%s capacities (%i digits, %i alphanumeric, %i bytes) and refuses one more', (level, digits, alphanumeric, bytes) => {
    for (const [value, mode] of [
      ['7'.repeat(digits), 'numeric'],
      ['A'.repeat(alphanumeric), 'alphanumeric'],
      ['a'.repeat(bytes), 'byte'],
    ] as const) {
      expect(encodeData(value, level)).toMatchObject({ version: 40, mode });
      expect(() => encodeData(value + value[0], level)).toThrow(UnencodableBarcodeError);
    }
    expect(() => encodeData('a'.repeat(bytes + 1), level)).toThrow(/2?\d+ bytes in byte mode exceed the capacity of version 40 at error-correction level/);
  });

  it('refuses an empty value and text with an unpaired surrogate', () => {
    expect(() => encodeData('', 'M')).toThrow(UnencodableBarcodeError);
    expect(() => encodeData('ab\ud83c', 'M')).toThrow(/unpaired UTF-16 surrogate/);
    expect(encodeData('ab\ud83c\udf9f', 'M').eci).toBe(true);
  });

  it('pads with the terminator, zero bits and 11101100 00010001 alternately', () => {
    const data = encodeData('1', 'L');
    // 0001 0000000001 0001 (the digit), 0000 terminator, then pad codewords.
    expect(bitString(data.codewords).slice(0, 24)).toBe('0001' + '0000000001' + '0001' + '0000' + '00');
    expect([...data.codewords.slice(3, 7)]).toEqual([0xec, 0x11, 0xec, 0x11]);
  });
});
