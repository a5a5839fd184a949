/**
 * LZF decompression (liblzf's format, which Redis uses for RDB strings): a
 * control byte below 32 copies that many plus one literal bytes; any other
 * is a back reference of length (ctrl >> 5) + 2 (7 meaning "add the next
 * byte") at distance ((ctrl & 31) << 8 | next) + 1.
 * @module
 */
import { CorruptError } from "../common/errors.ts";

/**
 * Decompresses `input` into exactly `outputBytes` bytes.
 * @throws {CorruptError} XX001 when the input is malformed or the length differs
 */
export function lzfDecompress(input: Uint8Array, outputBytes: number): Uint8Array {
  const out = new Uint8Array(outputBytes);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const ctrl = input[ip++]!;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outputBytes || ip + n > input.length) throw bad("literal run overflows");
      out.set(input.subarray(ip, ip + n), op);
      ip += n;
      op += n;
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= input.length) throw bad("truncated length");
      len += input[ip++]!;
    }
    if (ip >= input.length) throw bad("truncated reference");
    const ref = op - ((ctrl & 0x1f) << 8) - input[ip++]! - 1;
    len += 2;
    if (ref < 0) throw bad("reference before the start");
    if (op + len > outputBytes) throw bad("reference overflows");
    // Byte by byte: the source may overlap the bytes being written.
    for (let i = 0; i < len; i++) out[op + i] = out[ref + i]!;
    op += len;
  }
  if (op !== outputBytes) throw bad(`${op} bytes instead of ${outputBytes}`);
  return out;
}

function bad(what: string): CorruptError {
  return new CorruptError(`LZF data is malformed: ${what}`);
}
