/**
 * SHA-1, synchronous: script names are the SHA-1 of their body (lowercase
 * hex), computed inside a command where WebCrypto's async digest cannot be
 * awaited. Not used for security.
 * @module
 */

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** Pads the message per FIPS 180-4: 0x80, zeros, 64-bit big-endian bit length. */
function padded(bytes: Uint8Array): Uint8Array {
  const total = ((bytes.length + 8) >> 6 << 6) + 64;
  const out = new Uint8Array(total);
  out.set(bytes);
  out[bytes.length] = 0x80;
  const view = new DataView(out.buffer);
  view.setUint32(total - 8, Math.floor(bytes.length / 0x20000000));
  view.setUint32(total - 4, (bytes.length * 8) >>> 0);
  return out;
}

/** The message schedule, reused: SHA-1 runs synchronously, one digest at a time. */
const words = new Int32Array(80);

/**
 * The SHA-1 digest of `bytes` as 40 lowercase hex digits.
 * @example sha1Hex(new Uint8Array()) // "da39a3ee5e6b4b0d3255bfef95601890afd80709"
 */
export function sha1Hex(bytes: Uint8Array): string {
  const msg = padded(bytes);
  const view = new DataView(msg.buffer);
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = words;
  for (let off = 0; off < msg.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(off + i * 4);
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!;
    for (let i = 0; i < 80; i++) {
      let f: number;
      if (i < 20) f = ((b & c) | (~b & d)) + 0x5a827999;
      else if (i < 40) f = (b ^ c ^ d) + 0x6ed9eba1;
      else if (i < 60) f = ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc;
      else f = (b ^ c ^ d) + 0xca62c1d6;
      const t = (rotl(a, 5) + f + e + w[i]!) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
  }
  let hex = "";
  for (const v of h) hex += (v >>> 0).toString(16).padStart(8, "0");
  return hex;
}
