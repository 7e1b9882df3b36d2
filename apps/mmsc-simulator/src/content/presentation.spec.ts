import { SLIDE_SMIL } from '../../test/mm7-requests';
import { PresentedPart, presentationOf } from './presentation';

const smil = (index: number): PresentedPart => ({ index, essence: 'application/smil', contentId: 'slide.smil', contentLocation: 'slide.smil' });
const png: PresentedPart = { index: 1, essence: 'image/png', contentId: 'barcode.png', contentLocation: 'barcode.png' };
const txt: PresentedPart = { index: 2, essence: 'text/plain', contentId: 'ticket.txt', contentLocation: 'ticket.txt' };

describe('presentationOf: the slides a handset shows', () => {
  it('reads the example SMIL: one 10 s slide, the barcode image above the text', () => {
    const presentation = presentationOf([smil(0), png, txt], () => SLIDE_SMIL);
    expect(presentation.smilPartIndex).toBe(0);
    expect(presentation.slides).toEqual([
      {
        duration: '10s',
        items: [
          { kind: 'image', partIndex: 1, src: 'cid:barcode.png' },
          { kind: 'text', partIndex: 2, src: 'cid:ticket.txt' },
        ],
      },
    ]);
    expect(presentation.unreferenced).toEqual([]);
    expect(presentation.warnings).toEqual([]);
  });

  it('orders a slide top to bottom by region, resolves Content-Location and bare Content-ID srcs, keeps slides in order', () => {
    const text = `<smil><head><layout><root-layout width="100" height="200"/>
      <region id="Text" top="50%" left="0"/><region id="Image" top="0" left="0"/></layout></head>
      <body><par dur="5s"><text src="ticket.txt" region="Text"/><img src="barcode.png" region="Image"/></par>
      <seq><par><text src="cid:ticket.txt"/></par></seq></body></smil>`;
    const presentation = presentationOf([smil(0), png, txt], () => text);
    expect(presentation.slides.map((s) => s.items.map((i) => i.partIndex))).toEqual([[1, 2], [2]]);
  });

  it('warns about a SMIL src that names no part and about parts on no slide', () => {
    const text = '<smil><body><par><img src="cid:missing.png"/></par></body></smil>';
    const presentation = presentationOf([smil(0), png, txt], () => text);
    expect(presentation.slides[0]?.items).toEqual([{ kind: 'image', partIndex: null, src: 'cid:missing.png' }]);
    expect(presentation.unreferenced).toEqual([1, 2]);
    expect(presentation.warnings).toEqual([
      'SMIL <img src="cid:missing.png"> names no part of the message',
      'part(s) 1, 2 appear on no slide (handsets show them as attachments, if at all)',
    ]);
  });

  it('shows the parts one by one without SMIL, or with SMIL it cannot read', () => {
    expect(presentationOf([png, txt], () => '').slides.map((s) => s.items[0]?.partIndex)).toEqual([1, 2]);
    const broken = presentationOf([smil(0), png, txt], () => '<smil><body>');
    expect(broken.slides.map((s) => s.items[0]?.partIndex)).toEqual([1, 2]);
    expect(broken.warnings[0]).toMatch(/the SMIL part cannot be read/);
  });
});
