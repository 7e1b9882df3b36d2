import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

/**
 * Validation against the XML Schemas (XSD 1.0) of the partner API's documents in docs/schemas,
 * with libxml2's xmllint compiled to WebAssembly (npm package xmllint-wasm): offline, as the
 * .wasm ships inside the package, and without a native libxml2.
 *
 * Why it runs under jest (@swc/jest, CommonJS) as it is: xmllint-wasm's Node entry
 * (index-node.js) is CommonJS, so jest loads it like any package. Each run starts a
 * worker_threads Worker on the package's xmllint-node.js, a file Node itself loads outside
 * jest's module system (no transform, no ESM question); the worker runs
 * `xmllint --schema <xsd> --noout <files>` on an in-memory file system, posts the exit code and
 * stderr back, and is terminated.
 *
 * Speed: a run costs a new worker and a new wasm instance, some 50-100 ms in plain Node and up
 * to 200-400 ms inside a busy jest worker; the documents themselves take well under a
 * millisecond each. So calls made together (synchronously one after another, as in
 * `Promise.all(documents.map(...))`) share one xmllint run per schema: some 300 ms for 50
 * documents. See `flush` and `runXmllint`.
 */

export type XmlSchemaName = 'request' | 'response' | 'postback';

export interface XmlValidation {
  readonly valid: boolean;
  /**
   * xmllint's messages, one line each, as `<schema>.xml:<line>: <message>` where libxml2 knows
   * the line (`response.xml:3: Schemas validity error : Element 'TO': ...`); a parser error is
   * followed by its context lines (the source line and a caret).
   */
  readonly errors: string[];
}

const SCHEMA_FILES: Readonly<Record<XmlSchemaName, string>> = {
  request: 'sendMMSBarcode.request.xsd',
  response: 'response.xsd',
  postback: 'postback.xsd',
};

const SCHEMA_DIR = join(__dirname, '..', 'docs', 'schemas');

/** Documents per xmllint run: they live in the worker's memory file system (32 MiB by default). */
const MAX_BATCH = 100;

const schemaTexts = new Map<XmlSchemaName, string>();

function schemaText(schema: XmlSchemaName): string {
  let text = schemaTexts.get(schema);
  if (text === undefined) {
    text = readFileSync(join(SCHEMA_DIR, SCHEMA_FILES[schema]), 'utf8');
    schemaTexts.set(schema, text);
  }
  return text;
}

interface Pending {
  readonly xml: string;
  readonly resolve: (result: XmlValidation) => void;
  readonly reject: (error: unknown) => void;
}

const queues = new Map<XmlSchemaName, Pending[]>();

/**
 * Validates one XML document against one of our schemas. A document that is not well-formed is
 * invalid (xmllint's parser error is in `errors`), not an exception; a schema that does not
 * compile rejects the promise, as that is our bug, not the document's.
 */
export function validateXml(xml: string, schema: XmlSchemaName): Promise<XmlValidation> {
  return new Promise<XmlValidation>((resolve, reject) => {
    let queue = queues.get(schema);
    if (queue === undefined) {
      queue = [];
      queues.set(schema, queue);
      // A microtask, not setImmediate: it runs after the caller's synchronous code (all of a
      // `Promise.all(documents.map(...))`), and jest's fake timers cannot hold it back.
      void Promise.resolve().then(() => flush(schema));
    }
    queue.push({ xml, resolve, reject });
  });
}

function flush(schema: XmlSchemaName): void {
  const queue = queues.get(schema) ?? [];
  queues.delete(schema);
  for (let start = 0; start < queue.length; start += MAX_BATCH) {
    void settle(schema, queue.slice(start, start + MAX_BATCH));
  }
}

async function settle(schema: XmlSchemaName, batch: readonly Pending[]): Promise<void> {
  try {
    const results = await runXmllint(schema, batch.map((pending) => pending.xml));
    batch.forEach((pending, i) => pending.resolve(results[i] as XmlValidation));
  } catch (error) {
    // xmllint gave up on the whole run (not a validation failure: those resolve). Run the
    // documents one by one, so that only the one that caused it fails.
    if (batch.length > 1) {
      await Promise.all(batch.map((pending) => settle(schema, [pending])));
    } else {
      batch.forEach((pending) => pending.reject(error));
    }
  }
}

const documentName = (i: number): string => `document-${i}.xml`;

/**
 * xmllint prints its messages for several files in one stream, in file order; a file that
 * validates or fails validation ends with `<file> validates` or `<file> fails to validate`,
 * but one that is not well-formed ends with no such line, and a few messages carry no file name
 * (those about nodes without a line, such as a defaulted attribute). So each document is
 * followed by a separator document that no schema of ours declares: it always fails with
 * messages that name it, and everything between two separators belongs to the document
 * between them.
 */
const SEPARATOR_XML = '<XMLLINT_BATCH_SEPARATOR/>';
const separatorName = (i: number): string => `xmllint-batch-separator-${i}.xml`;
const SEPARATOR_LINE = /^xmllint-batch-separator-(\d+)\.xml[: ]/;

async function runXmllint(schema: XmlSchemaName, documents: readonly string[]): Promise<XmlValidation[]> {
  const result = await validateXML({
    xml: documents.flatMap((contents, i) => [
      { fileName: documentName(i), contents },
      { fileName: separatorName(i), contents: SEPARATOR_XML },
    ]),
    schema: [{ fileName: SCHEMA_FILES[schema], contents: schemaText(schema) }],
  });

  const blocks: string[][] = documents.map(() => []);
  const separatorsSeen = new Set<number>();
  let current = 0;
  for (const line of result.rawOutput.split('\n')) {
    const separator = SEPARATOR_LINE.exec(line);
    if (separator !== null) {
      const index = Number(separator[1]);
      separatorsSeen.add(index);
      current = index + 1;
    } else if (current < documents.length) {
      blocks[current]?.push(line);
    }
  }
  if (separatorsSeen.size !== documents.length) {
    throw new Error(`xmllint output not understood (${separatorsSeen.size} of ${documents.length} separators):\n${result.rawOutput}`);
  }

  const fileName = `${schema}.xml`;
  return blocks.map((lines, i) => {
    const name = documentName(i);
    const valid = lines.includes(`${name} validates`);
    const errors = lines
      .filter((line) => line !== `${name} validates` && line !== `${name} fails to validate` && line.trim() !== '')
      .map((line) => (line.startsWith(`${name}:`) ? fileName + line.slice(name.length) : line).trimEnd());
    if (valid && errors.length > 0) {
      throw new Error(`xmllint output not understood (${name} validates, yet has messages):\n${result.rawOutput}`);
    }
    if (!valid && errors.length === 0) {
      throw new Error(`xmllint output not understood (${name} neither validates nor has messages):\n${result.rawOutput}`);
    }
    return { valid, errors };
  });
}
