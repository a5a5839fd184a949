/**
 * Redis's HyperLogLog, byte for byte: a string value with the "HYLL" header,
 * a cached cardinality and 16384 six-bit registers, kept sparse (run-length
 * opcodes) while small and dense (packed) after; elements hashed with
 * MurmurHash64A; cardinality from Ertl's estimator as Redis 7 computes it.
 * Pure functions over latin1 strings (one char per byte).
 * @module
 */
import { latin1 } from "./bytes.ts";

/** Number of registers and bits of the hash that pick one. */
export const hllRegisters = 16384;
const hllP = 14;
const hllQ = 50;
const headerBytes = 16;
/** Byte length of a dense HyperLogLog. */
export const denseBytes = headerBytes + (hllRegisters * 6) / 8;
const sparseMaxValue = 32;
const alphaInf = 0.721347520444481703680;

/** A decoded HyperLogLog: encoding and register values. */
export interface Hll {
  dense: boolean;
  readonly registers: Uint8Array;
}

/** A 64-bit value as two unsigned 32-bit halves. */
type U64 = [hi: number, lo: number];

/** 64-bit multiplication modulo 2^64, in 16-bit limbs (exact in doubles). */
function mul64(ah: number, al: number, bh: number, bl: number): U64 {
  const a48 = ah >>> 16, a32 = ah & 0xffff, a16 = al >>> 16, a00 = al & 0xffff;
  const b48 = bh >>> 16, b32 = bh & 0xffff, b16 = bl >>> 16, b00 = bl & 0xffff;
  let c00 = a00 * b00;
  let c16 = c00 >>> 16;
  c00 &= 0xffff;
  c16 += a16 * b00;
  let c32 = Math.floor(c16 / 65536);
  c16 = (c16 & 0xffff) + a00 * b16;
  c32 += Math.floor(c16 / 65536);
  c16 &= 0xffff;
  c32 += a32 * b00;
  let c48 = Math.floor(c32 / 65536);
  c32 = (c32 & 0xffff) + a16 * b16;
  c48 += Math.floor(c32 / 65536);
  c32 = (c32 & 0xffff) + a00 * b32;
  c48 += Math.floor(c32 / 65536);
  c32 &= 0xffff;
  c48 = (c48 + a48 * b00 + a32 * b16 + a16 * b32 + a00 * b48) % 65536;
  return [((c48 << 16) | c32) >>> 0, ((c16 << 16) | c00) >>> 0];
}

const mHi = 0xc6a4a793;
const mLo = 0x5bd1e995;

/** `v ^= v >> 47` on a 64-bit value. */
function mix47(v: U64): U64 {
  return [v[0], (v[1] ^ (v[0] >>> 15)) >>> 0];
}

/** MurmurHash64A of `data` (latin1) with Redis's seed, as [hi, lo]. */
export function murmur64(data: string): U64 {
  const len = data.length;
  let h = mul64(0, len, mHi, mLo);
  h = [h[0], (h[1] ^ 0xadc83b19) >>> 0];
  const whole = len - (len & 7);
  const byte = (i: number) => data.charCodeAt(i);
  for (let i = 0; i < whole; i += 8) {
    const lo = (byte(i) | (byte(i + 1) << 8) | (byte(i + 2) << 16) | (byte(i + 3) << 24)) >>> 0;
    const hi = (byte(i + 4) | (byte(i + 5) << 8) | (byte(i + 6) << 16) | (byte(i + 7) << 24)) >>> 0;
    let k = mul64(hi, lo, mHi, mLo);
    k = mix47(k);
    k = mul64(k[0], k[1], mHi, mLo);
    h = mul64((h[0] ^ k[0]) >>> 0, (h[1] ^ k[1]) >>> 0, mHi, mLo);
  }
  const rest = len & 7;
  if (rest > 0) {
    let hi = h[0], lo = h[1];
    for (let j = rest - 1; j >= 0; j--) {
      if (j >= 4) hi = (hi ^ (byte(whole + j) << (8 * (j - 4)))) >>> 0;
      else lo = (lo ^ (byte(whole + j) << (8 * j))) >>> 0;
    }
    h = mul64(hi, lo, mHi, mLo);
  }
  h = mix47(h);
  h = mul64(h[0], h[1], mHi, mLo);
  return mix47(h);
}

/** Trailing zero bits of a non-zero 32-bit value. */
function ctz(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/** The register an element falls in and the run length of zeros (plus one) it shows. */
export function patternOf(element: string): [number, number] {
  const [hi, lo] = murmur64(element);
  const index = lo & (hllRegisters - 1);
  // The hash without its 14 register bits, with bit 50 set so the count stops at Q + 1.
  const restLo = ((lo >>> hllP) | (hi << (32 - hllP))) >>> 0;
  const restHi = (hi >>> hllP) | (1 << (hllQ - 32));
  return [index, restLo !== 0 ? ctz(restLo) + 1 : 32 + ctz(restHi) + 1];
}

/** Whether `s` has a valid header ("HYLL", known encoding, exact dense length). */
export function validHeader(s: string): boolean {
  if (s.length < headerBytes || !s.startsWith("HYLL")) return false;
  const enc = s.charCodeAt(4);
  if (enc > 1) return false;
  return enc !== 0 || s.length === denseBytes;
}

/**
 * Recently decoded or encoded values and their registers: commands on one
 * HyperLogLog in a row skip decoding. Keyed by the value itself (a string
 * hashes once), bounded.
 */
const recent = new Map<string, Hll>();
const recentMax = 16;

function remember(s: string, h: Hll): void {
  if (recent.size >= recentMax) recent.delete(recent.keys().next().value!);
  recent.set(s, { dense: h.dense, registers: h.registers.slice() });
}

/** Decodes the registers (a private copy); null when a sparse body is corrupt. Assumes `validHeader`. */
export function decodeHll(s: string): Hll | null {
  const hit = recent.get(s.slice(16));
  if (hit !== undefined && hit.dense === (s.charCodeAt(4) === 0)) {
    return { dense: hit.dense, registers: hit.registers.slice() };
  }
  const h = decodeBody(s);
  if (h !== null) remember(s.slice(16), h);
  return h;
}

function decodeBody(s: string): Hll | null {
  const registers = new Uint8Array(hllRegisters);
  if (s.charCodeAt(4) === 0) {
    for (let r = 0; r < hllRegisters; r++) {
      const bit = r * 6;
      const at = headerBytes + (bit >> 3);
      const b0 = s.charCodeAt(at);
      const b1 = at + 1 < s.length ? s.charCodeAt(at + 1) : 0;
      registers[r] = ((b0 >> (bit & 7)) | (b1 << (8 - (bit & 7)))) & 63;
    }
    return { dense: true, registers };
  }
  let idx = 0;
  for (let p = headerBytes; p < s.length;) {
    const op = s.charCodeAt(p);
    let run: number, value = 0;
    if ((op & 0xc0) === 0) (run = (op & 0x3f) + 1, p++);
    else if ((op & 0xc0) === 0x40) {
      if (p + 1 >= s.length) return null;
      run = (((op & 0x3f) << 8) | s.charCodeAt(p + 1)) + 1;
      p += 2;
    } else {
      value = ((op >> 2) & 0x1f) + 1;
      run = (op & 3) + 1;
      p++;
    }
    if (idx + run > hllRegisters) return null;
    registers.fill(value, idx, idx + run);
    idx += run;
  }
  return idx === hllRegisters ? { dense: false, registers } : null;
}

function header(dense: boolean, cache: string): string {
  return "HYLL" + String.fromCharCode(dense ? 0 : 1) + "\u0000\u0000\u0000" + cache;
}

/** A cache field marking the cardinality as unknown. */
export const staleCache = "\u0000".repeat(7) + "\u0080";

/** The cache field of `s` marked stale, as Redis invalidates it (the old bytes stay). */
export function staleOf(s: string): string {
  return s.slice(8, 15) + String.fromCharCode(s.charCodeAt(15) | 0x80);
}

function sparseBody(registers: Uint8Array): string | null {
  const out: number[] = [];
  for (let i = 0; i < hllRegisters;) {
    const v = registers[i]!;
    let j = i + 1;
    while (j < hllRegisters && registers[j] === v) j++;
    let run = j - i;
    if (v === 0) {
      while (run > 0) {
        const n = Math.min(run, 16384);
        if (n <= 64) out.push(n - 1);
        else out.push(0x40 | ((n - 1) >> 8), (n - 1) & 0xff);
        run -= n;
      }
    } else {
      if (v > sparseMaxValue) return null;
      while (run > 0) {
        const n = Math.min(run, 4);
        out.push(0x80 | ((v - 1) << 2) | (n - 1));
        run -= n;
      }
    }
    i = j;
  }
  return latin1(Uint8Array.from(out));
}

function denseBody(registers: Uint8Array): string {
  const bytes = new Uint8Array(denseBytes - headerBytes + 1);
  for (let r = 0; r < hllRegisters; r++) {
    const bit = r * 6, at = bit >> 3, fb = bit & 7, v = registers[r]!;
    bytes[at] = (bytes[at]! & ~(63 << fb)) | (v << fb);
    bytes[at + 1] = (bytes[at + 1]! & ~(63 >> (8 - fb))) | (v >> (8 - fb));
  }
  return latin1(bytes.subarray(0, bytes.length - 1));
}

/**
 * A dense value with registers changed in place (the registers in `h` already
 * hold the new values) and the cache marked stale: patches two bytes per
 * register instead of re-encoding all 16384.
 */
export function patchDense(s: string, h: Hll, changed: readonly number[]): string {
  let out = s.slice(0, 8) + staleOf(s) + s.slice(16);
  for (const r of changed) {
    const bit = r * 6, at = headerBytes + (bit >> 3), fb = bit & 7, v = h.registers[r]!;
    const b0 = (out.charCodeAt(at) & ~(63 << fb) & 0xff) | ((v << fb) & 0xff);
    let tail = out.slice(at + 1);
    if (at + 1 < out.length) {
      const b1 = (out.charCodeAt(at + 1) & ~(63 >> (8 - fb))) | (v >> (8 - fb));
      tail = String.fromCharCode(b1) + out.slice(at + 2);
    }
    out = out.slice(0, at) + String.fromCharCode(b0) + tail;
  }
  remember(out.slice(headerBytes), h);
  return out;
}

/**
 * Encodes registers with a cache field: sparse when wanted and it fits
 * (values up to 32, at most `sparseMax` body bytes), dense otherwise.
 */
export function encodeHll(h: Hll, cache: string, sparseMax: number): string {
  if (!h.dense) {
    const body = sparseBody(h.registers);
    if (body !== null && headerBytes + body.length <= sparseMax) {
      remember(body, h);
      return header(false, cache) + body;
    }
  }
  h.dense = true;
  const body = denseBody(h.registers);
  remember(body, h);
  return header(true, cache) + body;
}

/** An empty (sparse) HyperLogLog with a valid cached cardinality of 0. */
export function emptyHll(): string {
  return encodeHll(
    { dense: false, registers: new Uint8Array(hllRegisters) },
    "\u0000".repeat(8),
    1 << 30,
  );
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1, z = x, prev: number;
  do {
    x *= x;
    prev = z;
    z += x * y;
    y += y;
  } while (prev !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1, z = 1 - x, prev: number;
  do {
    x = Math.sqrt(x);
    prev = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (prev !== z);
  return z / 3;
}

/** Estimated cardinality of the registers (Redis's hllCount). */
export function hllCount(registers: Uint8Array): number {
  const m = hllRegisters;
  const histo = new Array<number>(64).fill(0);
  for (const v of registers) histo[v]!++;
  let z = m * tau((m - histo[hllQ + 1]!) / m);
  for (let j = hllQ; j >= 1; j--) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * sigma(histo[0]! / m);
  return Math.round((alphaInf * m * m) / z);
}

/** The cache field holding `card` (little endian, valid). */
export function cacheOf(card: number): string {
  let s = "";
  let v = card;
  for (let i = 0; i < 8; i++) {
    s += String.fromCharCode(v % 256);
    v = Math.floor(v / 256);
  }
  return s;
}

/** The cached cardinality, or null when marked stale. */
export function cachedCount(s: string): number | null {
  if ((s.charCodeAt(15) & 0x80) !== 0) return null;
  let v = 0;
  for (let i = 15; i >= 8; i--) v = v * 256 + s.charCodeAt(i);
  return v;
}
