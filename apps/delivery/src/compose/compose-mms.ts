import { ComposedMms, MmsPart } from './mms';
import { mergeFields } from './merge-fields';

export interface SlideSource {
  readonly position: number;
  readonly text: string | null;
  readonly durationSeconds: number;
  readonly media: 'IMAGE' | 'AUDIO' | 'VIDEO' | 'BARCODE' | null;
}

export interface ImageContent {
  readonly bytes: Buffer;
  readonly contentType: string;
}

export interface ComposeInput {
  readonly trackingId: string;
  readonly from: string;
  readonly to: string;
  readonly templateSubject: string;
  readonly customSubject: string | null;
  readonly slides: readonly SlideSource[];
  readonly customTexts: ReadonlyArray<{ slide: string; value: string }>;
  readonly mergeData: Readonly<Record<string, string>>;
  readonly barcode: ImageContent;
  /** Stored images of IMAGE slides, by slide position. */
  readonly slideImages?: ReadonlyMap<number, ImageContent>;
}

const extensionOf: Record<string, string> = {
  'image/png': 'png',
  'image/gif': 'gif',
  'image/jpeg': 'jpg',
};

/**
 * Builds the MMS from the template: slides in order, CUSTOMTEXT replacing a slide's text,
 * DATA merged into the text and subject, the barcode image in the barcode slot, and a SMIL
 * presentation with an image region above a text region.
 */
export function composeMms(input: ComposeInput): ComposedMms {
  const customBySlide = new Map(input.customTexts.map((t) => [t.slide.trim(), t.value]));
  const slides = [...input.slides].sort((a, b) => a.position - b.position);
  const parts: MmsPart[] = [];
  const pars: string[] = [];

  for (const slide of slides) {
    const refs: string[] = [];
    const image =
      slide.media === 'BARCODE' ? input.barcode : slide.media === 'IMAGE' ? input.slideImages?.get(slide.position) : undefined;
    if (image !== undefined) {
      const name = slide.media === 'BARCODE' ? 'barcode' : `image${slide.position}`;
      const location = `${name}.${extensionOf[image.contentType] ?? 'bin'}`;
      parts.push({ contentId: location, contentType: image.contentType, location, body: image.bytes });
      refs.push(`      <img src="cid:${location}" region="Image"/>`);
    }
    const rawText = customBySlide.get(String(slide.position)) ?? slide.text;
    if (rawText !== null && rawText !== '') {
      const location = `slide${slide.position}.txt`;
      parts.push({
        contentId: location,
        contentType: 'text/plain; charset=utf-8',
        location,
        body: Buffer.from(mergeFields(rawText, input.mergeData), 'utf8'),
      });
      refs.push(`      <text src="cid:${location}" region="Text"/>`);
    }
    if (refs.length > 0) pars.push(`    <par dur="${slide.durationSeconds}s">\n${refs.join('\n')}\n    </par>`);
  }

  const smil = [
    '<smil>',
    '  <head>',
    '    <layout>',
    '      <root-layout width="320" height="480"/>',
    '      <region id="Image" left="0" top="0" width="320" height="320" fit="meet"/>',
    '      <region id="Text" left="0" top="320" width="320" height="160" fit="scroll"/>',
    '    </layout>',
    '  </head>',
    '  <body>',
    ...pars,
    '  </body>',
    '</smil>',
    '',
  ].join('\n');

  const subject = mergeFields(input.customSubject ?? input.templateSubject, input.mergeData);
  return {
    trackingId: input.trackingId,
    from: input.from,
    to: input.to,
    subject,
    parts: [
      { contentId: 'presentation.smil', contentType: 'application/smil; charset=utf-8', location: 'presentation.smil', body: Buffer.from(smil, 'utf8') },
      ...parts,
    ],
  };
}
