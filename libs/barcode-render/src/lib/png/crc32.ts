import * as zlib from 'node:zlib';

/** CRC-32 (ISO 3309, as PNG chunks use it) of data, continuing from a previous value. */
export type Crc32 = (data: Uint8Array, previous?: number) => number;

let table: Uint32Array | undefined;

/** Table-driven CRC-32 for Node releases before 20.15, which have no zlib.crc32. */
export const tableCrc32: Crc32 = (data, previous = 0) => {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let crc = ~previous;
  for (let i = 0; i < data.length; i += 1) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
};

/** node:zlib's native crc32 where the runtime has it (Node 20.15+, 22). */
export const crc32: Crc32 = typeof zlib.crc32 === 'function' ? (data, previous) => zlib.crc32(data, previous) : tableCrc32;
