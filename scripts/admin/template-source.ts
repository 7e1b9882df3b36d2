import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { AdminError } from './context';

/**
 * A template as the operator writes it: a JSON file, or a folder holding `template.json` and its
 * images, checked as saveMMS checks a template (../shared/skycore/API.md, "MMS templates"), before
 * anything is stored:
 *   { "name": "Event ticket", "subject": "Your ticket", "defaultDatabase": 17856,
 *     "slides": [ { "text": "Welcome", "image": "logo.png", "duration": 5 },
 *                 { "text": "Show this at the gate", "barcode": true } ] }
 * Images are named relative to the JSON file's folder.
 */
export const MANIFEST_FILE = 'template.json';

/** saveMMS: 1 to 8 slides, text up to 500 characters, a duration up to 60 s (default 5). */
export const MAX_SLIDES = 8;
export const MAX_TEXT = 500;
export const MAX_DURATION_SECONDS = 60;
export const DEFAULT_DURATION_SECONDS = 5;
/** saveMMS takes GIF, JPEG and PNG images. */
const IMAGE_TYPES: Readonly<Record<string, string>> = { gif: 'image/gif', jpeg: 'image/jpeg', png: 'image/png' };
/** Ours: the largest whole MMS any handset class takes (content-rich, 600 KB); delivery shrinks photos to fit smaller ones. */
export const MAX_IMAGE_BYTES = 600_000;
/** Ours: a side longer than this is no photo for a phone (and keeps decompression bombs out). */
export const MAX_IMAGE_SIDE = 4096;
/** Ours: names and subjects stay readable in the inbox and in lists. */
const MAX_NAME = 100;
const MAX_SUBJECT = 200;

export interface SlideSpec {
  readonly position: number;
  readonly text: string | null;
  readonly durationSeconds: number;
  readonly media: 'IMAGE' | 'BARCODE' | null;
  readonly image: { readonly file: string; readonly bytes: Buffer; readonly contentType: string } | null;
}

export interface TemplateSpec {
  readonly name: string;
  readonly subject: string;
  readonly defaultDatabaseId: number | null;
  readonly slides: readonly SlideSpec[];
}

const TEMPLATE_FIELDS = ['name', 'subject', 'defaultDatabase', 'slides'];
const SLIDE_FIELDS = ['text', 'image', 'barcode', 'duration', 'audio', 'video'];

/** Reads and checks a template from a folder or a JSON file; every error names the file and the rule. */
export async function readTemplateSource(path: string): Promise<TemplateSpec> {
  const manifest = (await kindOf(path)) === 'folder' ? join(path, MANIFEST_FILE) : path;
  if ((await kindOf(manifest)) !== 'file') throw new AdminError(`${manifest}: no such file (a template is a JSON file, or a folder with ${MANIFEST_FILE})`);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifest, 'utf8'));
  } catch (error) {
    throw new AdminError(`${manifest} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const fail = (message: string): never => {
    throw new AdminError(`${manifest}: ${message}`);
  };
  const t = objectOf(raw, 'the template', TEMPLATE_FIELDS, fail);
  const name = textOf(t.name, 'name', MAX_NAME, fail);
  const subject = textOf(t.subject, 'subject', MAX_SUBJECT, fail);
  const defaultDatabaseId = t.defaultDatabase === undefined ? null : databaseIdOf(t.defaultDatabase, fail);
  if (!Array.isArray(t.slides) || t.slides.length < 1 || t.slides.length > MAX_SLIDES) {
    return fail(`a template has 1 to ${MAX_SLIDES} slides (saveMMS); "slides" ${Array.isArray(t.slides) ? `has ${t.slides.length}` : 'must be a list'}`);
  }
  const drafts = t.slides.map((slide: unknown, index) => slideOf(slide, index + 1, fail));
  const barcodeSlots = drafts.filter((s) => s.media === 'BARCODE').map((s) => s.position);
  if (barcodeSlots.length !== 1) {
    fail(
      barcodeSlots.length === 0
        ? 'no slide has the barcode slot ("barcode": true): sendMMSBarcode would answer E633'
        : `slides ${barcodeSlots.join(' and ')} each have a barcode slot: a template has exactly one`,
    );
  }
  const slides: SlideSpec[] = [];
  for (const draft of drafts) {
    const image = draft.imageFile === null ? null : await imageOf(resolve(dirname(manifest), draft.imageFile), draft.imageFile, draft.position, fail);
    slides.push({ position: draft.position, text: draft.text, durationSeconds: draft.durationSeconds, media: draft.media, image });
  }
  return { name, subject, defaultDatabaseId, slides };
}

async function kindOf(path: string): Promise<'file' | 'folder' | 'missing'> {
  try {
    const info = await stat(path);
    return info.isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

type Fail = (message: string) => never;

function objectOf(value: unknown, what: string, fields: readonly string[], fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${what} must be a JSON object`);
  const unknown = Object.keys(value).filter((key) => !fields.includes(key));
  if (unknown.length > 0) fail(`${what} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${fields.join(', ')})`);
  return value as Record<string, unknown>;
}

function textOf(value: unknown, field: string, max: number, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '') return fail(`"${field}" must be a non-empty string`);
  const length = [...value].length;
  if (length > max) fail(`"${field}" has ${length} characters, at most ${max} are taken`);
  return value;
}

function databaseIdOf(value: unknown, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 999_999_999) {
    return fail(`"defaultDatabase" must be a DATABASEID (an integer of 1 to 9 digits), got ${JSON.stringify(value)}`);
  }
  return value;
}

interface SlideDraft {
  readonly position: number;
  readonly text: string | null;
  readonly durationSeconds: number;
  readonly media: 'IMAGE' | 'BARCODE' | null;
  readonly imageFile: string | null;
}

function slideOf(value: unknown, position: number, fail: Fail): SlideDraft {
  const at = `slide ${position}`;
  const s = objectOf(value, at, SLIDE_FIELDS, fail);
  if (s.audio !== undefined || s.video !== undefined) {
    fail(`${at}: audio and video need encoding, which this fleet does not do: the template would answer E626 for ever (use text, an image or the barcode slot)`);
  }
  let text: string | null = null;
  if (s.text !== undefined) {
    if (typeof s.text !== 'string' || s.text === '') fail(`${at}: "text" must be a non-empty string (leave it out for none)`);
    const length = [...(s.text as string)].length;
    if (length > MAX_TEXT) fail(`${at}: text has ${length} characters, saveMMS takes at most ${MAX_TEXT}`);
    text = s.text as string;
  }
  if (s.barcode !== undefined && s.barcode !== true) fail(`${at}: "barcode" is true on the slide with the barcode slot, and left out elsewhere`);
  if (s.image !== undefined && (typeof s.image !== 'string' || s.image.trim() === '')) fail(`${at}: "image" must be a file name`);
  if (s.image !== undefined && s.barcode === true) fail(`${at}: one media per slide: an image or the barcode slot, not both`);
  const media = s.barcode === true ? 'BARCODE' : s.image !== undefined ? 'IMAGE' : null;
  if (media === null && text === null) fail(`${at} is empty: give it text, an image or the barcode slot`);
  let durationSeconds = DEFAULT_DURATION_SECONDS;
  if (s.duration !== undefined) {
    if (typeof s.duration !== 'number' || !Number.isInteger(s.duration) || s.duration < 1 || s.duration > MAX_DURATION_SECONDS) {
      fail(`${at}: "duration" is whole seconds from 1 to ${MAX_DURATION_SECONDS} (saveMMS), got ${JSON.stringify(s.duration)}`);
    }
    durationSeconds = s.duration as number;
  }
  return { position, text, durationSeconds, media, imageFile: media === 'IMAGE' ? (s.image as string) : null };
}

async function imageOf(path: string, file: string, position: number, fail: Fail): Promise<NonNullable<SlideSpec['image']>> {
  const at = `slide ${position}: image ${file}`;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    return fail(`${at}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file (${path})` : (error as Error).message}`);
  }
  if (bytes.length === 0) fail(`${at} is empty`);
  if (bytes.length > MAX_IMAGE_BYTES) fail(`${at} has ${bytes.length} bytes, at most ${MAX_IMAGE_BYTES} are taken (the largest MMS a handset takes)`);
  const unreadable = (error: unknown): never => fail(`${at} cannot be read as an image: ${error instanceof Error ? error.message : String(error)}`);
  const { format, width = 0, height = 0 } = await sharp(bytes).metadata().catch(unreadable);
  const contentType = format === undefined ? undefined : IMAGE_TYPES[format];
  if (contentType === undefined) return fail(`${at} is ${format ?? 'of an unknown format'}: saveMMS takes GIF, JPEG or PNG images (else E629)`);
  // The size from the header before any decoding: a decompression bomb is refused unopened.
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) fail(`${at} is ${width}x${height} pixels, at most ${MAX_IMAGE_SIDE} a side are taken`);
  // The whole image decoded once: a truncated or corrupt file is refused here, not at delivery.
  await sharp(bytes).stats().catch(unreadable);
  return { file, bytes, contentType };
}
