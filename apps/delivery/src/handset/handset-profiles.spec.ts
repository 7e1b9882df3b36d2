import {
  CarrierLimits,
  DEFAULT_CARRIER_LIMITS,
  HANDSET_CLASSES,
  HANDSET_CLASS_NAMES,
  chooseHandsetClass,
  chooseHandsetProfile,
  withCarrierLimit,
} from './handset-profiles';

const contentRich = HANDSET_CLASSES['content-rich'];
const imageBasic = HANDSET_CLASSES['image-basic'];
const imageRich = HANDSET_CLASSES['image-rich'];

describe('handset classes', () => {
  it('follows the OMA MMS conformance content classes (NOTES.md; CONF 1.3 for Megapixel; issue 10 for Content)', () => {
    const table = Object.fromEntries(HANDSET_CLASS_NAMES.map((name) => [name, HANDSET_CLASSES[name]]));
    expect(table).toMatchObject({
      'image-basic': { name: 'image-basic', maxWidth: 160, maxHeight: 120, maxMessageBytes: 30_000 },
      'image-rich': { name: 'image-rich', maxWidth: 640, maxHeight: 480, maxMessageBytes: 100_000 },
      'video-basic': { name: 'video-basic', maxWidth: 640, maxHeight: 480, maxMessageBytes: 100_000 },
      'video-rich': { name: 'video-rich', maxWidth: 640, maxHeight: 480, maxMessageBytes: 300_000 },
      megapixel: { name: 'megapixel', maxWidth: 1600, maxHeight: 1200, maxMessageBytes: 600_000 },
      'content-basic': { name: 'content-basic', maxWidth: 1600, maxHeight: 1200, maxMessageBytes: 300_000 },
      'content-rich': { name: 'content-rich', maxWidth: 1600, maxHeight: 1200, maxMessageBytes: 600_000 },
    });
    for (const handset of Object.values(HANDSET_CLASSES)) expect(handset.imageTypes).toEqual(['image/png', 'image/gif', 'image/jpeg']);
  });

  it('assumes a modern class for an unknown handset unless the carrier says otherwise', () => {
    expect(DEFAULT_CARRIER_LIMITS).toEqual({ unknownHandsetClass: 'content-rich' });
  });
});

describe('choosing the handset class', () => {
  const carrier: CarrierLimits = { unknownHandsetClass: 'image-rich' };

  it.each([
    // DEVICE values partners send for today's phones
    ['iPhoneOS', null, contentRich],
    ['iPhone', null, contentRich],
    ['Apple iPhone 15 Pro', null, contentRich],
    ['iOS 17.4', null, contentRich],
    ['Android 14', null, contentRich],
    ['Pixel 8', null, contentRich],
    ['Samsung Galaxy S24', null, contentRich],
    ['SM-S918B', null, contentRich],
    ['smartphone', null, contentRich],
    // feature phones keep the smallest class
    ['Nokia S40', null, imageBasic],
    ['KaiOS 2.5', null, imageBasic],
    ['basic feature phone', null, imageBasic],
    // no DEVICE: the handset a delivery report named for the number (UAProf-style strings)
    [null, 'iPhoneOS', contentRich],
    [null, 'http://wap.samsungmobile.com/uaprof/SM-A546E.xml', contentRich],
    [null, 'Pixel 8', contentRich],
    [null, 'Nokia Series 40', imageBasic],
    // a DEVICE that says nothing falls back on the reported handset
    ['unknown-device', 'basic-phone', imageBasic],
    ['unknown-device', 'Apple iPhone', contentRich],
    // nothing known: the carrier connector's class for unknown handsets
    ['unknown-device', null, imageRich],
    [null, 'motol7c', imageRich],
    [null, null, imageRich],
  ])('DEVICE %p, last reported %p', (device, reported, expected) => {
    expect(chooseHandsetClass(device, reported, carrier)).toBe(expected);
  });

  it('prefers the DEVICE the partner sent over the last reported handset', () => {
    expect(chooseHandsetClass('basic', 'iPhoneOS', carrier)).toBe(imageBasic);
    expect(chooseHandsetClass('iPhone', 'Nokia S40', carrier)).toBe(contentRich);
  });

  it.each(HANDSET_CLASS_NAMES)("gives an unknown handset the connector's class %s", (name) => {
    expect(chooseHandsetClass(null, null, { unknownHandsetClass: name })).toBe(HANDSET_CLASSES[name]);
  });
});

describe("a carrier's limit wins over the handset class", () => {
  it('caps a smartphone at a connector taking 100 KB: 100 KB budget, the class still names the image box', () => {
    const profile = chooseHandsetProfile('iPhone', null, { maxMessageBytes: 100_000, unknownHandsetClass: 'content-rich' });
    expect(profile).toEqual({ ...contentRich, maxMessageBytes: 100_000, sizeLimitedBy: 'carrier' });
  });

  it('caps an unknown handset the same way, with the class the connector names', () => {
    const profile = chooseHandsetProfile(null, null, { maxMessageBytes: 250_000, unknownHandsetClass: 'megapixel' });
    expect(profile).toMatchObject({ name: 'megapixel', maxWidth: 1600, maxHeight: 1200, maxMessageBytes: 250_000, sizeLimitedBy: 'carrier' });
  });

  it('keeps the class limit where the carrier takes more, or sets none', () => {
    expect(withCarrierLimit(imageBasic, { maxMessageBytes: 1_000_000, unknownHandsetClass: 'content-rich' })).toEqual({
      ...imageBasic,
      sizeLimitedBy: 'handset class',
    });
    expect(withCarrierLimit(contentRich, DEFAULT_CARRIER_LIMITS)).toEqual({ ...contentRich, sizeLimitedBy: 'handset class' });
    expect(withCarrierLimit(contentRich, { maxMessageBytes: 600_000, unknownHandsetClass: 'content-rich' }).sizeLimitedBy).toBe('handset class');
  });

  it('leaves the class table itself untouched', () => {
    chooseHandsetProfile('iPhone', null, { maxMessageBytes: 50_000, unknownHandsetClass: 'content-rich' });
    expect(HANDSET_CLASSES['content-rich'].maxMessageBytes).toBe(600_000);
  });
});
