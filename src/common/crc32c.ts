/**
 * CRC32C (Castagnoli), table-driven with slicing-by-8. Used for page and WAL
 * record checksums.
 * @module
 */

const polynomialReflected = 0x82f63b78;

/** Eight 256-entry tables laid out back to back: table k at [k*256, k*256+256). */
const tables = buildTables();

function buildTables(): Uint32Array {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ polynomialReflected : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const previous = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = ((previous >>> 8) ^ t[previous & 0xff]!) >>> 0;
    }
  }
  return t;
}

/**
 * Continues a CRC32C over `data[start, end)`.
 * @param crc the value returned by a previous call (0 to start)
 * @returns the updated CRC as an unsigned 32-bit integer
 * @example
 * crc32cUpdate(0, new TextEncoder().encode("123456789")); // 0xe3069283
 */
export function crc32cUpdate(
  crc: number,
  data: Uint8Array,
  start = 0,
  end = data.length,
): number {
  const t = tables;
  let c = ~crc | 0;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    const lo = c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    c = t[1792 + (lo & 0xff)]! ^ t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^ t[1024 + (lo >>> 24)]! ^
      t[768 + data[i + 4]!]! ^ t[512 + data[i + 5]!]! ^ t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = t[(c ^ data[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * CRC32C of `data[start, end)`.
 * @returns an unsigned 32-bit integer
 * @example
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  return crc32cUpdate(0, data, start, end);
}
