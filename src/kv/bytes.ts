/**
 * Binary-safe conversions between bytes and latin1 strings (one char per byte),
 * and Redis's strict number parsing and formatting.
 * @module
 */

/** Shared empty value. */
export const emptyBytes = new Uint8Array(0);

/**
 * One reused code array per length up to 64, for `latin1`: decoding a key
 * then allocates only the string (the call copies the codes out).
 */
const latin1Codes: number[][] = Array.from({ length: 65 }, (_, n) => new Array<number>(n).fill(0));

/** Decodes bytes as latin1: each byte becomes one UTF-16 code unit, so any byte string round-trips. */
export function latin1(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= 64) {
    // Keys and small values: V8 applies a plain array faster than a typed array.
    const codes = latin1Codes[n]!;
    for (let i = 0; i < n; i++) codes[i] = bytes[i]!;
    return String.fromCharCode.apply(null, codes);
  }
  if (n <= 8192) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = "";
  for (let i = 0; i < n; i += 8192) {
    const part = bytes.subarray(i, Math.min(n, i + 8192));
    s += String.fromCharCode.apply(null, part as unknown as number[]);
  }
  return s;
}

/** Slots of the key-string cache (a power of two). */
const internSlots = 1024;
const internStrings: string[] = new Array<string>(internSlots).fill("");
const internHashes = new Int32Array(internSlots);

/**
 * `latin1` for keys: remembers the last string decoded in each of a small
 * direct-mapped table's slots (picked by a hash of the bytes) and returns that
 * same string when the same bytes come again. A key a client repeats then is
 * one string object: V8 has already computed its hash, and when it is the
 * string stored in the keyspace a `Map` lookup compares pointers only, instead
 * of decoding a fresh string and hashing it in a runtime call.
 */
export function internLatin1(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n > 64) return latin1(bytes);
  let h = n;
  // The last 16 bytes pick the slot (keys mostly differ at their end); a hit compares all.
  for (let i = n > 16 ? n - 16 : 0; i < n; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  const slot = (h ^ (h >>> 16)) & (internSlots - 1);
  if (internHashes[slot] === h) {
    const s = internStrings[slot]!;
    if (s.length === n) {
      let i = 0;
      while (i < n && s.charCodeAt(i) === bytes[i]) i++;
      if (i === n) return s;
    }
  }
  const s = latin1(bytes);
  internStrings[slot] = s;
  internHashes[slot] = h;
  return s;
}

/** Encodes a latin1 string (code units 0..255) back to bytes. */
export function fromLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

const utf8 = new TextEncoder();

/** Encodes text as UTF-8 (for replies built from program text). */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** Upper-cases an ASCII command word or option without allocating more than the result. */
export function upperAscii(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    s += String.fromCharCode(c >= 97 && c <= 122 ? c - 32 : c);
  }
  return s;
}

/** Copies a view (argument views point into the connection's read buffer). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenates byte arrays in order. */
export function joinBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const ch of chunks) n += ch.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.length;
  }
  return out;
}

/** Concatenates two byte arrays. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const int64Max = 9223372036854775807n;
const int64Min = -9223372036854775808n;

/**
 * Parses a signed 64-bit integer the way Redis's string2ll does: optional '-',
 * digits without leading zeros or spaces. Returns a number when exact, a
 * bigint beyond 2^53, or null when not an integer or out of range.
 */
export function parseInt64(input: Uint8Array | string): number | bigint | null {
  const bytes = typeof input === "string" ? input : latin1(input);
  const n = bytes.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let negative = false;
  if (bytes.charCodeAt(0) === 45) {
    negative = true;
    i = 1;
    if (n === 1) return null;
  }
  const first = bytes.charCodeAt(i);
  if (first === 48) return n === i + 1 && !negative ? 0 : null;
  if (first < 49 || first > 57) return null;
  if (n - i <= 15) {
    let v = 0;
    for (; i < n; i++) {
      const c = bytes.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      v = v * 10 + (c - 48);
    }
    return negative ? -v : v;
  }
  let v = 0n;
  for (; i < n; i++) {
    const c = bytes.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    v = v * 10n + BigInt(c - 48);
  }
  if (negative) v = -v;
  if (v > int64Max || v < int64Min) return null;
  if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(v);
  }
  return v;
}

/** Adds two int64 values; returns null on overflow. */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r > int64Max || r < int64Min) return null;
  if (r >= BigInt(Number.MIN_SAFE_INTEGER) && r <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(r);
  }
  return r;
}

/** True when `v` is an int64 value that can be negated without overflow. */
export function isInt64Min(v: number | bigint): boolean {
  return v === int64Min;
}

/**
 * Parses a float the way Redis's strtold-based parsing accepts it: decimal or
 * exponent notation, "inf"/"-inf"/"+inf"; no spaces, no NaN. Returns null when invalid.
 */
export function parseFloatStrict(input: Uint8Array | string): number | null {
  const n = input.length;
  if (n === 0 || n > 5000) return null;
  if (typeof input !== "string" && n <= 15) {
    // Scores are mostly short plain integers: read them without a string or a regex.
    const v = smallInteger(input);
    if (v !== null) return v;
  }
  const text = typeof input === "string" ? input : latin1(input);
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") {
    return Infinity;
  }
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  const v = Number(text);
  return Number.isNaN(v) ? null : v;
}

/**
 * An optional sign and 1..15 digits as a number (exact: below 2^53), or null
 * for anything else (the caller then takes the general path). "-0" stays -0.
 */
function smallInteger(bytes: Uint8Array): number | null {
  const n = bytes.length;
  let i = 0;
  const sign = bytes[0];
  if (sign === 45 || sign === 43) i = 1;
  if (i === n) return null;
  let v = 0;
  for (; i < n; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return sign === 45 ? -v : v;
}

/**
 * Formats a double as Redis 7.0 replies do: integers below 2^52 in plain
 * digits, everything else as C's `%.17g` (so 1.1 reads "1.1000000000000001",
 * as in Redis 7.0; 7.2 moved to the shortest form), and "inf", "-inf", "-0".
 */
export function formatDouble(v: number): string {
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Number.isNaN(v)) return "nan";
  if (Object.is(v, -0)) return "-0";
  if (Number.isInteger(v) && Math.abs(v) < 4503599627370496) return String(v);
  return formatG17(v);
}

/** C's `%.17g`. */
function formatG17(v: number): string {
  const exp = Number(v.toExponential(16).split("e")[1]);
  if (exp < -4 || exp >= 17) {
    const [mantissa, e] = v.toExponential(16).split("e") as [string, string];
    const m = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
    const n = Number(e);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const fixed = v.toFixed(Math.max(0, 16 - exp));
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

/** Formats a long double result of INCRBYFLOAT: plain decimal notation, no exponent. */
export function formatIncrFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return v.toFixed(0);
  const s = String(v);
  if (!s.includes("e")) return s;
  const fixed = v.toFixed(17);
  return fixed.replace(/\.?0+$/, "");
}

/** Formats an integer as ASCII bytes. */
export function intBytes(v: number | bigint): Uint8Array {
  return fromLatin1(String(v));
}
