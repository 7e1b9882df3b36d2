import { XMLValidator } from 'fast-xml-parser';
import { ComposeInput, composeMms, SlideSource } from './compose-mms';
import { ComposedMms } from './mms';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x01, 0x02, 0xff]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);

/** A template whose slides arrive out of order: image + text, barcode + text, text only, empty. */
const INPUT: ComposeInput = {
  trackingId: 'TU1TXzEyMzQ2',
  from: '60856',
  to: '16501234123',
  templateSubject: 'Your ticket, {{FIRST_NAME}}',
  customSubject: null,
  slides: [
    { position: 3, text: 'See you, {{ first_name }}', durationSeconds: 7, media: null },
    { position: 1, text: 'Welcome {{FIRST_NAME}} {{LAST_NAME}}!', durationSeconds: 5, media: 'IMAGE' },
    { position: 4, text: null, durationSeconds: 4, media: null },
    { position: 2, text: 'Show this at the door', durationSeconds: 10, media: 'BARCODE' },
  ],
  customTexts: [],
  mergeData: { FIRST_NAME: 'John', LAST_NAME: 'Smith', SEAT: '12C' },
  barcode: { bytes: PNG, contentType: 'image/png' },
  slideImages: new Map([[1, { bytes: JPEG, contentType: 'image/jpeg' }]]),
};

const EXPECTED_SMIL = [
  '<smil>',
  '  <head>',
  '    <layout>',
  '      <root-layout width="320" height="480"/>',
  '      <region id="Image" left="0" top="0" width="320" height="320" fit="meet"/>',
  '      <region id="Text" left="0" top="320" width="320" height="160" fit="scroll"/>',
  '    </layout>',
  '  </head>',
  '  <body>',
  '    <par dur="5s">',
  '      <img src="cid:image1.jpg" region="Image"/>',
  '      <text src="cid:slide1.txt" region="Text"/>',
  '    </par>',
  '    <par dur="10s">',
  '      <img src="cid:barcode.png" region="Image"/>',
  '      <text src="cid:slide2.txt" region="Text"/>',
  '    </par>',
  '    <par dur="7s">',
  '      <text src="cid:slide3.txt" region="Text"/>',
  '    </par>',
  '  </body>',
  '</smil>',
  '',
].join('\n');

const smilOf = (mms: ComposedMms): string => mms.parts[0]?.body.toString('utf8') ?? '';
const textOf = (mms: ComposedMms, contentId: string): string | undefined =>
  mms.parts.find((part) => part.contentId === contentId)?.body.toString('utf8');
const referencesOf = (smil: string): string[] => [...smil.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1] ?? '');
const durationsOf = (smil: string): string[] => [...smil.matchAll(/<par dur="([^"]+)">/g)].map((m) => m[1] ?? '');

describe('composeMms', () => {
  it('lays out the parts: SMIL first, then each slide in position order, image before text', () => {
    const mms = composeMms(INPUT);
    expect(mms.parts.map(({ contentId, contentType, location }) => [contentId, contentType, location])).toStrictEqual([
      ['presentation.smil', 'application/smil; charset=utf-8', 'presentation.smil'],
      ['image1.jpg', 'image/jpeg', 'image1.jpg'],
      ['slide1.txt', 'text/plain; charset=utf-8', 'slide1.txt'],
      ['barcode.png', 'image/png', 'barcode.png'],
      ['slide2.txt', 'text/plain; charset=utf-8', 'slide2.txt'],
      ['slide3.txt', 'text/plain; charset=utf-8', 'slide3.txt'],
    ]);
  });

  it('passes tracking id, sender and receiver through', () => {
    const mms = composeMms(INPUT);
    expect([mms.trackingId, mms.from, mms.to]).toStrictEqual(['TU1TXzEyMzQ2', '60856', '16501234123']);
  });

  it('merges DATA into every slide text', () => {
    const mms = composeMms(INPUT);
    expect(textOf(mms, 'slide1.txt')).toBe('Welcome John Smith!');
    expect(textOf(mms, 'slide2.txt')).toBe('Show this at the door');
    expect(textOf(mms, 'slide3.txt')).toBe('See you, John');
  });

  it('puts the barcode image, byte for byte, in the BARCODE slide and slide images in IMAGE slides', () => {
    const mms = composeMms(INPUT);
    expect(mms.parts.find((p) => p.contentId === 'barcode.png')?.body.equals(PNG)).toBe(true);
    expect(mms.parts.find((p) => p.contentId === 'image1.jpg')?.body.equals(JPEG)).toBe(true);
  });

  describe('SMIL', () => {
    it('is exactly the presentation of the non-empty slides', () => {
      expect(smilOf(composeMms(INPUT))).toBe(EXPECTED_SMIL);
    });

    it('is well-formed XML', () => {
      expect(XMLValidator.validate(smilOf(composeMms(INPUT)))).toBe(true);
    });

    it('references every other part once, by cid:, in part order', () => {
      const mms = composeMms(INPUT);
      expect(referencesOf(smilOf(mms))).toStrictEqual(mms.parts.slice(1).map((p) => p.contentId));
    });

    it("has one <par> per non-empty slide, with the slide's duration", () => {
      expect(durationsOf(smilOf(composeMms(INPUT)))).toStrictEqual(['5s', '10s', '7s']);
    });

    it('has an empty body when every slide is empty', () => {
      const mms = composeMms({ ...INPUT, slides: [{ position: 1, text: '', durationSeconds: 5, media: null }] });
      expect(mms.parts).toHaveLength(1);
      expect(durationsOf(smilOf(mms))).toStrictEqual([]);
      expect(smilOf(mms)).toContain('  <body>\n  </body>\n');
    });
  });

  describe('CUSTOMTEXT', () => {
    it.each<[string, Array<{ slide: string; value: string }>, Record<string, string>]>([
      ['replaces the text of the slide it names', [{ slide: '2', value: 'Gate B' }], { 'slide2.txt': 'Gate B' }],
      ['is merged with DATA', [{ slide: '2', value: 'Seat {{ seat }} for {{First_Name}}' }], { 'slide2.txt': 'Seat 12C for John' }],
      ['matches a slide number with spaces around it', [{ slide: ' 3 ', value: 'Bye' }], { 'slide3.txt': 'Bye' }],
      [
        'replaces several slides',
        [
          { slide: '3', value: 'three' },
          { slide: '1', value: 'one' },
        ],
        { 'slide1.txt': 'one', 'slide2.txt': 'Show this at the door', 'slide3.txt': 'three' },
      ],
      ['naming a slide the template does not have changes nothing', [{ slide: '9', value: 'nowhere' }], {
        'slide1.txt': 'Welcome John Smith!',
        'slide2.txt': 'Show this at the door',
        'slide3.txt': 'See you, John',
      }],
    ])('%s', (_case, customTexts, texts) => {
      const mms = composeMms({ ...INPUT, customTexts });
      for (const [contentId, text] of Object.entries(texts)) expect(textOf(mms, contentId)).toBe(text);
      expect(mms.parts.map((p) => p.contentId)).toStrictEqual([
        'presentation.smil',
        'image1.jpg',
        'slide1.txt',
        'barcode.png',
        'slide2.txt',
        'slide3.txt',
      ]);
    });

    it('gives an empty slide a text part and a <par> of its own', () => {
      const mms = composeMms({ ...INPUT, customTexts: [{ slide: '4', value: 'Extra {{LAST_NAME}}' }] });
      expect(textOf(mms, 'slide4.txt')).toBe('Extra Smith');
      expect(durationsOf(smilOf(mms))).toStrictEqual(['5s', '10s', '7s', '4s']);
      expect(referencesOf(smilOf(mms))).toStrictEqual(['image1.jpg', 'slide1.txt', 'barcode.png', 'slide2.txt', 'slide3.txt', 'slide4.txt']);
    });
  });

  describe('subject', () => {
    it.each<[string, string | null, string]>([
      ["the template's subject, merged", null, 'Your ticket, John'],
      ['CUSTOMSUBJECT replaces it', 'Event pass', 'Event pass'],
      ['CUSTOMSUBJECT is merged too', '{{ last_name }}, your seat {{SEAT}}', 'Smith, your seat 12C'],
      ['an unknown tag stays visible', 'Hi {{NICK}}', 'Hi {{NICK}}'],
    ])('%s', (_case, customSubject, subject) => {
      expect(composeMms({ ...INPUT, customSubject }).subject).toBe(subject);
    });
  });

  describe('images', () => {
    it.each<[string, string]>([
      ['image/png', 'barcode.png'],
      ['image/gif', 'barcode.gif'],
      ['image/jpeg', 'barcode.jpg'],
      ['image/webp', 'barcode.bin'],
    ])('a %s barcode is %s', (contentType, location) => {
      const mms = composeMms({ ...INPUT, barcode: { bytes: PNG, contentType } });
      const part = mms.parts[3];
      expect(part).toMatchObject({ contentId: location, contentType, location });
      expect(referencesOf(smilOf(mms))).toContain(location);
    });

    it('an IMAGE slide without a stored image carries its text only', () => {
      const mms = composeMms({ ...INPUT, slideImages: undefined });
      expect(mms.parts.map((p) => p.contentId)).toStrictEqual(['presentation.smil', 'slide1.txt', 'barcode.png', 'slide2.txt', 'slide3.txt']);
      expect(smilOf(mms)).toContain('    <par dur="5s">\n      <text src="cid:slide1.txt" region="Text"/>\n    </par>');
    });

    it('a BARCODE slide without text carries the image only', () => {
      const slides: SlideSource[] = [{ position: 1, text: null, durationSeconds: 8, media: 'BARCODE' }];
      const mms = composeMms({ ...INPUT, slides });
      expect(mms.parts.map((p) => p.contentId)).toStrictEqual(['presentation.smil', 'barcode.png']);
      expect(smilOf(mms)).toContain('    <par dur="8s">\n      <img src="cid:barcode.png" region="Image"/>\n    </par>');
    });

    it('stored images are only used on IMAGE slides', () => {
      const slides: SlideSource[] = [{ position: 1, text: 'text', durationSeconds: 5, media: null }];
      const mms = composeMms({ ...INPUT, slides });
      expect(mms.parts.map((p) => p.contentId)).toStrictEqual(['presentation.smil', 'slide1.txt']);
    });
  });

  it('encodes non-ASCII text as UTF-8', () => {
    const mms = composeMms({ ...INPUT, mergeData: { FIRST_NAME: 'Zoë', LAST_NAME: '🎟️' } });
    const part = mms.parts.find((p) => p.contentId === 'slide1.txt');
    expect(part?.body.equals(Buffer.from('Welcome Zoë 🎟️!', 'utf8'))).toBe(true);
  });

  it('does not reorder the caller’s slides', () => {
    const slides = [...INPUT.slides];
    composeMms({ ...INPUT, slides });
    expect(slides.map((s) => s.position)).toStrictEqual([3, 1, 4, 2]);
  });
});
