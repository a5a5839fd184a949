import assert from "node:assert/strict";
import { crc32c, crc32cUpdate } from "../../src/common/crc32c.ts";

const text = new TextEncoder();

/** Bitwise reference implementation, obviously correct and slow. */
function crc32cBitwise(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

Deno.test("crc32c() matches the published check values", () => {
  assert.equal(crc32c(text.encode("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  const ascending = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.equal(crc32c(ascending), 0x46dd794e);
});

Deno.test("crc32c() agrees with a bitwise implementation on random lengths and offsets", () => {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
  const data = Uint8Array.from({ length: 1000 }, () => next() & 0xff);
  for (let i = 0; i < 200; i++) {
    const start = next() % 500;
    const end = start + (next() % 500);
    assert.equal(crc32c(data, start, end), crc32cBitwise(data.subarray(start, end)));
  }
});

Deno.test("crc32cUpdate() continues a checksum across chunks", () => {
  const all = text.encode("The quick brown fox jumps over the lazy dog");
  const split = crc32cUpdate(crc32cUpdate(0, all, 0, 10), all, 10);
  assert.equal(split, crc32c(all));
  assert.equal(crc32c(all), 0x22620404);
});
