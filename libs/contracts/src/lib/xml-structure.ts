/** How many elements an XML document may have, and how deep they may nest. */
export interface XmlStructureLimits {
  readonly elements: number;
  readonly depth: number;
}

/**
 * Counts elements and nesting depth before a parser sees the document, so a document built to
 * exhaust the parser (a million tiny elements, ten thousand levels deep) costs one linear scan.
 * Returns what is wrong in words, or undefined when the document is within the limits (it may
 * still be malformed: that is the validator's to say). Used by the partner API's parser (E108)
 * and by libs/mm7's readEnvelope (a SOAP Fault).
 */
export function xmlStructureProblem(xml: string, limits: XmlStructureLimits): string | undefined {
  // A hand-written scan, not a regular expression: a regex over tags backtracks on a body of
  // unclosed `<a` and turns 4 KB into seconds of blocked event loop. Each character is visited
  // about once.
  let elements = 0;
  let depth = 0;
  for (let open = xml.indexOf('<'); open !== -1; open = xml.indexOf('<', open + 1)) {
    const next = xml.charCodeAt(open + 1);
    if (next === SLASH) {
      depth -= 1;
      continue;
    }
    if (!isXmlNameStart(next)) continue; // comments, processing instructions, CDATA, a stray '<'
    const close = xml.indexOf('>', open + 1);
    if (close === -1) return undefined; // no '>' anywhere after: the validator reports the broken tag
    elements += 1;
    if (xml.charCodeAt(close - 1) !== SLASH) depth += 1;
    if (elements > limits.elements) return `more than ${limits.elements} elements`;
    if (depth > limits.depth) return `elements nested deeper than ${limits.depth} levels`;
    open = close;
  }
  return undefined;
}

const SLASH = 0x2f;

/** Whether a character code can start an XML name (ASCII letters, `_`, `:`, anything past ASCII). */
export function isXmlNameStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x3a || code > 0x7f;
}
