/**
 * Redis's CRC-64 (the "Jones" polynomial 0xad93d23594c935a9, reflected, no
 * final xor): the checksum that closes every DUMP payload. Table-driven over
 * two 32-bit halves so no BigInt arithmetic runs per byte.
 * @module
 */

/** The polynomial reflected (0x95ac9329ac4bc9b5), as high and low halves. */
const polyHigh = 0x95ac9329;
const polyLow = 0xac4bc9b5;

const tableHigh = new Uint32Array(256);
const tableLow = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let high = 0;
  let low = i;
  for (let bit = 0; bit < 8; bit++) {
    const lsb = low & 1;
    low = ((low >>> 1) | ((high & 1) << 31)) >>> 0;
    high = high >>> 1;
    if (lsb !== 0) {
      high = (high ^ polyHigh) >>> 0;
      low = (low ^ polyLow) >>> 0;
    }
  }
  tableHigh[i] = high;
  tableLow[i] = low;
}

/**
 * CRC-64 of `bytes`, as Redis's `crc64(0, bytes, len)`.
 * @example crc64(new TextEncoder().encode("123456789")) === 0xe9c6d914c4b8d9can
 */
export function crc64(bytes: Uint8Array): bigint {
  let high = 0;
  let low = 0;
  for (let i = 0; i < bytes.length; i++) {
    const index = (low ^ bytes[i]!) & 0xff;
    low = ((low >>> 8) | ((high & 0xff) << 24)) >>> 0;
    high = high >>> 8;
    high = (high ^ tableHigh[index]!) >>> 0;
    low = (low ^ tableLow[index]!) >>> 0;
  }
  return (BigInt(high) << 32n) | BigInt(low);
}
