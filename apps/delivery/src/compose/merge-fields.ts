/**
 * DATA fields merge into template text as `{{NAME}}` (case-insensitive, spaces inside the braces
 * allowed). A tag with no matching field is left visible as written, so a missing field shows up
 * in the inbox instead of silently vanishing.
 */
const MERGE_TAG = /\{\{\s*([A-Za-z0-9_.-]{1,64})\s*\}\}/g;

export function mergeFields(text: string, data: Readonly<Record<string, string>>): string {
  const byName = new Map(Object.entries(data).map(([name, value]) => [name.toUpperCase(), value]));
  return text.replace(MERGE_TAG, (tag, name: string) => byName.get(name.toUpperCase()) ?? tag);
}
