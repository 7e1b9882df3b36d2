import { BarcodeSettings, effectiveQuietZone, minimumQuietZone, parseBarcodeSettings, Symbology } from './barcode-settings';

const DEFAULTS: BarcodeSettings = {
  moduleSize: 8,
  errorCorrection: 'M',
  barHeightMm: 15,
  humanReadableText: false,
  foreground: '000000',
  background: 'FFFFFF',
  format: 'png',
};

describe('parseBarcodeSettings', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
  ])('%s gives every default, and no quiet zone of its own', (_case, raw) => {
    const settings = parseBarcodeSettings(raw);
    expect(settings).toStrictEqual(DEFAULTS);
    expect(settings).not.toHaveProperty('quietZoneModules');
  });

  it('keeps given values and defaults the rest', () => {
    expect(parseBarcodeSettings({ moduleSize: 4, foreground: '1a237e', quietZoneModules: 6 })).toStrictEqual({
      ...DEFAULTS,
      moduleSize: 4,
      foreground: '1a237e',
      quietZoneModules: 6,
    });
  });

  it('accepts a complete set at the limits', () => {
    const full: BarcodeSettings = {
      moduleSize: 20,
      quietZoneModules: 40,
      errorCorrection: 'H',
      barHeightMm: 50,
      humanReadableText: true,
      foreground: '012345',
      background: 'FfFfEe',
      format: 'jpeg',
    };
    expect(parseBarcodeSettings(full)).toStrictEqual(full);
    expect(parseBarcodeSettings({ moduleSize: 2, quietZoneModules: 0, barHeightMm: 5 })).toStrictEqual({
      ...DEFAULTS,
      moduleSize: 2,
      quietZoneModules: 0,
      barHeightMm: 5,
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a colour name', { foreground: 'red' }, 'foreground: must be a 6-digit hex colour like 000000'],
    ['red bars on white (4.0:1)', { foreground: 'ff0000' }, 'foreground: contrast with background is 4.0:1, at least 7:1 is needed'],
    ['light bars on a dark ground', { foreground: 'FFFFFF', background: '000000' }, 'foreground: must be darker than background (scanners read dark bars on a light ground)'],
    ['a colour with #', { background: '#FFFFFF' }, 'background: must be a 6-digit hex colour like 000000'],
    ['a 3-digit colour', { foreground: 'FFF' }, 'foreground: must be a 6-digit hex colour like 000000'],
    ['a colour with alpha', { background: 'FFFFFF00' }, 'background: must be a 6-digit hex colour like 000000'],
    ['a non-hex colour', { foreground: 'GGGGGG' }, 'foreground: must be a 6-digit hex colour like 000000'],
    ['a numeric colour', { foreground: 0 }, 'foreground: Invalid input: expected string, received number'],
    ['a module size below 2', { moduleSize: 1 }, 'moduleSize: Too small: expected number to be >=2'],
    ['a module size above 20', { moduleSize: 21 }, 'moduleSize: Too big: expected number to be <=20'],
    ['a fractional module size', { moduleSize: 2.5 }, 'moduleSize: Invalid input: expected int, received number'],
    ['a module size as text', { moduleSize: '8' }, 'moduleSize: Invalid input: expected number, received string'],
    ['a negative quiet zone', { quietZoneModules: -1 }, 'quietZoneModules: Too small: expected number to be >=0'],
    ['a quiet zone above 40', { quietZoneModules: 41 }, 'quietZoneModules: Too big: expected number to be <=40'],
    ['an unknown error-correction level', { errorCorrection: 'X' }, 'errorCorrection: Invalid option: expected one of "L"|"M"|"Q"|"H"'],
    ['a bar height below 5 mm', { barHeightMm: 4.9 }, 'barHeightMm: Too small: expected number to be >=5'],
    ['a bar height above 50 mm', { barHeightMm: 50.1 }, 'barHeightMm: Too big: expected number to be <=50'],
    ['an unknown format', { format: 'bmp' }, 'format: Invalid option: expected one of "png"|"gif"|"jpeg"'],
    ['a non-boolean human-readable flag', { humanReadableText: 'yes' }, 'humanReadableText: Invalid input: expected boolean, received string'],
    ['an unknown setting', { dpi: 300 }, ': Unrecognized key: "dpi"'],
  ])('refuses %s, naming the setting', (_case, raw, problem) => {
    expect(() => parseBarcodeSettings(raw)).toThrow(new Error(`invalid barcode setting ${problem}`));
  });
});

describe('effectiveQuietZone', () => {
  it('knows the minimum of every symbology', () => {
    expect(minimumQuietZone).toStrictEqual({
      QRCODE: 4,
      AZTEC: 1,
      PDF417: 2,
      DATAMATRIX: 2,
      CODE128: 10,
      CODE39: 10,
      EAN13: 10,
      UPCA: 10,
      ITF14: 10,
      GS1_128: 10,
    });
    expect(Object.keys(minimumQuietZone).sort()).toStrictEqual(Object.values(Symbology).sort());
  });

  it.each<[Symbology, number | undefined, number]>([
    ['QRCODE', undefined, 4],
    ['QRCODE', 0, 4],
    ['QRCODE', 3, 4],
    ['QRCODE', 4, 4],
    ['QRCODE', 5, 5],
    ['AZTEC', undefined, 1],
    ['AZTEC', 0, 1],
    ['AZTEC', 2, 2],
    ['PDF417', 1, 2],
    ['DATAMATRIX', undefined, 2],
    ['CODE128', 9, 10],
    ['CODE128', 12, 12],
    ['CODE39', 0, 10],
    ['EAN13', undefined, 10],
    ['UPCA', 10, 10],
    ['ITF14', 40, 40],
    ['GS1_128', 11, 11],
  ])('%s with quietZoneModules %p -> %p', (symbology, quietZoneModules, expected) => {
    const settings = parseBarcodeSettings(quietZoneModules === undefined ? {} : { quietZoneModules });
    expect(effectiveQuietZone(symbology, settings)).toBe(expected);
  });

  it.each(Object.values(Symbology))('%s is never below its minimum', (symbology) => {
    for (let zone = 0; zone <= 40; zone++) {
      const effective = effectiveQuietZone(symbology, parseBarcodeSettings({ quietZoneModules: zone }));
      expect(effective).toBe(Math.max(zone, minimumQuietZone[symbology]));
      expect(effective).toBeGreaterThanOrEqual(minimumQuietZone[symbology]);
    }
  });
});
