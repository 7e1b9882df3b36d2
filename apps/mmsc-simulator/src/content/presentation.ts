import { contentIdFromCidUrl, normalizeContentId } from '../mime/multipart';
import { XmlElement, attributeValue, childElement, parseXml } from '../xml/xml';

/**
 * How a handset lays the message out: the SMIL presentation's slides (`par`), in order, each with
 * its media resolved to the message's parts by `cid:` (RFC 2392), Content-Location or bare
 * Content-ID, and within a slide ordered top to bottom by their SMIL regions. Without SMIL (or
 * with SMIL a phone could not read) a phone shows the parts one after another.
 */

export interface PresentedPart {
  readonly index: number;
  readonly essence: string;
  readonly contentId: string | null;
  readonly contentLocation: string | null;
}

export type MediaKind = 'image' | 'text' | 'video' | 'audio' | 'other';

export interface SlideItem {
  readonly kind: MediaKind;
  /** The part shown, or null when the SMIL names a part that is not there. */
  readonly partIndex: number | null;
  readonly src: string;
}

export interface Slide {
  /** The `dur` of the par, as written (e.g. "10s"). */
  readonly duration: string | null;
  readonly items: readonly SlideItem[];
}

export interface Presentation {
  readonly smilPartIndex: number | null;
  readonly slides: readonly Slide[];
  /** Parts no slide shows (a phone lists them as attachments). */
  readonly unreferenced: readonly number[];
  readonly warnings: readonly string[];
}

const MEDIA_ELEMENTS: Readonly<Record<string, MediaKind>> = {
  img: 'image',
  image: 'image',
  text: 'text',
  textstream: 'text',
  video: 'video',
  audio: 'audio',
  animation: 'image',
  ref: 'other',
};

export function kindOf(essence: string): MediaKind {
  if (essence.startsWith('image/')) return 'image';
  if (essence.startsWith('text/')) return 'text';
  if (essence.startsWith('video/')) return 'video';
  if (essence.startsWith('audio/')) return 'audio';
  return 'other';
}

/**
 * SMIL documents read before, by their text. A VASP sends the same presentation with every message
 * of a template, and the tree is never changed after parsing: the same text gives the same tree,
 * so reading it once is the same check at a fraction of the cost. Bounded; unreadable texts are
 * not kept (they are read, and refused, each time).
 */
const smilTrees = new Map<string, XmlElement>();
const SMIL_TREES_KEPT = 64;
const SMIL_TEXT_KEPT_BYTES = 16 * 1024;

function parseSmil(text: string): XmlElement {
  const known = smilTrees.get(text);
  if (known !== undefined) return known;
  const root = parseXml(text);
  if (text.length <= SMIL_TEXT_KEPT_BYTES) {
    if (smilTrees.size >= SMIL_TREES_KEPT) smilTrees.delete(smilTrees.keys().next().value as string);
    smilTrees.set(text, root);
  }
  return root;
}

export function presentationOf(parts: readonly PresentedPart[], smilText: (index: number) => string): Presentation {
  const smil = parts.find((p) => p.essence === 'application/smil');
  const warnings: string[] = [];
  const sequential = (): Presentation => {
    const shown = parts.filter((p) => p !== smil);
    return {
      smilPartIndex: smil?.index ?? null,
      slides: shown.map((p) => ({ duration: null, items: [{ kind: kindOf(p.essence), partIndex: p.index, src: p.contentLocation ?? p.contentId ?? `part ${p.index}` }] })),
      unreferenced: [],
      warnings,
    };
  };
  if (smil === undefined) {
    if (parts.length > 1) warnings.push('no SMIL part: a handset shows the parts in order');
    return sequential();
  }
  let root: XmlElement;
  try {
    root = parseSmil(smilText(smil.index));
  } catch (error) {
    warnings.push(`the SMIL part cannot be read (${(error as Error).message}): a handset shows the parts in order`);
    return sequential();
  }
  const body = root.localName === 'smil' ? childElement(root, 'body') : undefined;
  if (body === undefined) {
    warnings.push('the SMIL has no <smil><body>: a handset shows the parts in order');
    return sequential();
  }
  const tops = regionTops(root);
  const slides: Slide[] = [];
  const used = new Set<number>([smil.index]);
  const slideOf = (elements: readonly XmlElement[], duration: string | null) => {
    const items = elements
      .filter((e) => e.localName in MEDIA_ELEMENTS)
      .map((e, order) => {
        const src = attributeValue(e, 'src') ?? '';
        const part = resolve(parts, src);
        if (part === undefined) warnings.push(`SMIL <${e.localName} src="${src}"> names no part of the message`);
        else used.add(part.index);
        const kind = part === undefined ? (MEDIA_ELEMENTS[e.localName] as MediaKind) : kindOf(part.essence);
        const region = attributeValue(e, 'region');
        return { item: { kind, partIndex: part?.index ?? null, src }, top: region === undefined ? undefined : tops.get(region), order };
      });
    // Top to bottom by region when every item has a placed region; document order otherwise.
    if (items.every((i) => i.top !== undefined)) items.sort((a, b) => (a.top as number) - (b.top as number) || a.order - b.order);
    slides.push({ duration, items: items.map((i) => i.item) });
  };
  const walk = (container: XmlElement) => {
    for (const child of container.children) {
      if (child.localName === 'par') slideOf(child.children, attributeValue(child, 'dur') ?? null);
      else if (child.localName === 'seq') walk(child);
      else if (child.localName in MEDIA_ELEMENTS) slideOf([child], attributeValue(child, 'dur') ?? null);
    }
  };
  walk(body);
  if (slides.length === 0) warnings.push('the SMIL body has no slides');
  const unreferenced = parts.filter((p) => !used.has(p.index)).map((p) => p.index);
  if (unreferenced.length > 0) warnings.push(`part(s) ${unreferenced.join(', ')} appear on no slide (handsets show them as attachments, if at all)`);
  return { smilPartIndex: smil.index, slides, unreferenced, warnings };
}

function resolve(parts: readonly PresentedPart[], src: string): PresentedPart | undefined {
  const cid = contentIdFromCidUrl(src);
  if (cid !== null) return parts.find((p) => p.contentId === cid);
  const trimmed = src.trim();
  return parts.find((p) => p.contentLocation === trimmed) ?? parts.find((p) => p.contentId === normalizeContentId(trimmed));
}

/** SMIL layout regions' top edges, in pixels (percentages of the root-layout height). */
function regionTops(root: XmlElement): Map<string, number> {
  const tops = new Map<string, number>();
  const head = childElement(root, 'head');
  const layout = head === undefined ? undefined : childElement(head, 'layout');
  if (layout === undefined) return tops;
  const rootLayout = childElement(layout, 'root-layout');
  const height = Number.parseFloat(rootLayout === undefined ? '' : (attributeValue(rootLayout, 'height') ?? '')) || 100;
  for (const region of layout.children.filter((c) => c.localName === 'region')) {
    const id = attributeValue(region, 'id');
    const top = attributeValue(region, 'top') ?? '0';
    if (id === undefined) continue;
    const value = Number.parseFloat(top);
    if (Number.isNaN(value)) continue;
    tops.set(id, top.trim().endsWith('%') ? (value / 100) * height : value);
  }
  return tops;
}
