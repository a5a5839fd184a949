/**
 * Exact decimal arithmetic on `Numeric` following PostgreSQL's rules for
 * result scales (add/sub: max scale, mul: sum of scales, div: at least 16
 * significant digits) and rounding (half away from zero).
 * @module
 */

import { DbError } from "./errors.ts";
import { Numeric } from "./types.ts";

/** PostgreSQL's NUMERIC_MIN_SIG_DIGITS: digits kept by division and transcendental functions. */
const minSigDigits = 16;
/** PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE. */
const maxDisplayScale = 1000;
/** Largest precision a numeric typmod may declare. */
export const numericPrecisionMax = 1000;

const pow10Cache: bigint[] = [];

/** Returns 10^n as a bigint (n >= 0), cached for small n. */
export function pow10(n: number): bigint {
  if (n < 64) {
    let v = pow10Cache[n];
    if (v === undefined) {
      v = 10n ** BigInt(n);
      pow10Cache[n] = v;
    }
    return v;
  }
  return 10n ** BigInt(n);
}

/** The NaN numeric. */
export const numericNaN = new Numeric(0n, 0, true);

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** Divides rounding half away from zero. */
function divRound(n: bigint, d: bigint): bigint {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d;
  const r = n - q * d;
  if (abs(r) * 2n >= d) return n < 0n ? q - 1n : q + 1n;
  return q;
}

/** Returns `x` rescaled to exactly `scale` digits, rounding half away from zero. */
export function numericRescale(x: Numeric, scale: number): Numeric {
  if (x.nan || x.scale === scale) return x;
  if (scale > x.scale) return new Numeric(x.digits * pow10(scale - x.scale), scale);
  return new Numeric(divRound(x.digits, pow10(x.scale - scale)), scale);
}

/**
 * Parses numeric text input ("12.50", "-1e3", " NaN ").
 * @throws {DbError} 22P02 on bad syntax
 */
export function numericFromString(text: string): Numeric {
  const s = text.trim();
  const m = /^([+-]?)(\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m) {
    if (/^nan$/i.test(s)) return numericNaN;
    throw new DbError("22P02", `invalid input syntax for type numeric: "${text}"`);
  }
  const body = m[2] ?? "";
  const dot = body.indexOf(".");
  const intPart = dot < 0 ? body : body.slice(0, dot);
  const fracPart = dot < 0 ? "" : body.slice(dot + 1);
  let digits = BigInt((intPart + fracPart) || "0");
  let scale = fracPart.length;
  const exp = m[3] === undefined ? 0 : Number(m[3]);
  if (Math.abs(exp) > 1000 * 1000) {
    throw new DbError("22003", "value overflows numeric format");
  }
  scale -= exp;
  if (scale < 0) {
    digits *= pow10(-scale);
    scale = 0;
  }
  return new Numeric(m[1] === "-" ? -digits : digits, scale);
}

/** Formats a numeric as PostgreSQL prints it (all `scale` digits kept). */
export function numericToString(x: Numeric): string {
  if (x.nan) return "NaN";
  const neg = x.digits < 0n;
  let s = abs(x.digits).toString();
  if (x.scale > 0) {
    if (s.length <= x.scale) s = "0".repeat(x.scale - s.length + 1) + s;
    s = s.slice(0, s.length - x.scale) + "." + s.slice(s.length - x.scale);
  }
  return neg ? "-" + s : s;
}

/** Converts a JavaScript integer or bigint to numeric. */
export function numericFromBigInt(v: bigint | number): Numeric {
  return new Numeric(BigInt(v), 0);
}

/**
 * Converts a float to numeric the way PostgreSQL does (`%.15g` for float8,
 * `%.6g` for float4).
 * @throws {DbError} 22003 for infinities
 */
export function numericFromNumber(v: number, significantDigits = 15): Numeric {
  if (Number.isNaN(v)) return numericNaN;
  if (!Number.isFinite(v)) {
    throw new DbError("22003", "cannot convert infinity to numeric");
  }
  // C's %g drops trailing fractional zeros, so 0.1 stays 0.1.
  return numericTrimScale(numericFromString(v.toPrecision(significantDigits)));
}

/** Converts to the nearest double. */
export function numericToNumber(x: Numeric): number {
  if (x.nan) return NaN;
  if (x.scale === 0) return Number(x.digits);
  return Number(numericToString(x));
}

/** Returns true when `x` is NaN. */
export function numericIsNaN(x: Numeric): boolean {
  return x.nan;
}

/** Compares two numerics; NaN sorts above every number and equals itself. */
export function numericCompare(a: Numeric, b: Numeric): number {
  if (a.nan || b.nan) return a.nan ? (b.nan ? 0 : 1) : -1;
  if (a.scale === b.scale) return a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
  const s = Math.max(a.scale, b.scale);
  const x = a.digits * pow10(s - a.scale);
  const y = b.digits * pow10(s - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** a + b with scale max(a.scale, b.scale). */
export function numericAdd(a: Numeric, b: Numeric): Numeric {
  if (a.nan || b.nan) return numericNaN;
  const s = Math.max(a.scale, b.scale);
  return new Numeric(a.digits * pow10(s - a.scale) + b.digits * pow10(s - b.scale), s);
}

/** a - b with scale max(a.scale, b.scale). */
export function numericSub(a: Numeric, b: Numeric): Numeric {
  if (a.nan || b.nan) return numericNaN;
  const s = Math.max(a.scale, b.scale);
  return new Numeric(a.digits * pow10(s - a.scale) - b.digits * pow10(s - b.scale), s);
}

/** a * b with scale a.scale + b.scale. */
export function numericMul(a: Numeric, b: Numeric): Numeric {
  if (a.nan || b.nan) return numericNaN;
  return new Numeric(a.digits * b.digits, a.scale + b.scale);
}

/** Negation. */
export function numericNeg(a: Numeric): Numeric {
  return a.nan ? a : new Numeric(-a.digits, a.scale);
}

/** Absolute value. */
export function numericAbs(a: Numeric): Numeric {
  return a.nan || a.digits >= 0n ? a : new Numeric(-a.digits, a.scale);
}

/** Sign as -1, 0 or 1 (numeric result in SQL). */
export function numericSign(a: Numeric): number {
  return a.digits < 0n ? -1 : a.digits > 0n ? 1 : 0;
}

/**
 * Base-10000 weight and first digit of |x|, as PostgreSQL's NumericVar has them.
 * Zero gives weight 0 and first digit 0.
 */
function nbaseWeight(x: Numeric): { weight: number; first: number } {
  const a = abs(x.digits);
  if (a === 0n) return { weight: 0, first: 0 };
  const exp10 = a.toString().length - 1 - x.scale;
  const weight = Math.floor(exp10 / 4);
  const shift = x.scale + 4 * weight;
  const top = shift >= 0 ? a / pow10(shift) : a * pow10(-shift);
  return { weight, first: Number(top % 10000n) };
}

/** Result scale PostgreSQL picks for a / b (select_div_scale). */
function divScale(a: Numeric, b: Numeric): number {
  const wa = nbaseWeight(a);
  const wb = nbaseWeight(b);
  let qweight = wa.weight - wb.weight;
  if (wa.first <= wb.first) qweight--;
  let rscale = minSigDigits - qweight * 4;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  return Math.min(rscale, maxDisplayScale);
}

function checkDivisor(b: Numeric): void {
  if (!b.nan && b.digits === 0n) throw new DbError("22012", "division by zero");
}

/** Divides and rounds to exactly `scale` digits, half away from zero. */
export function numericDivScale(a: Numeric, b: Numeric, scale: number): Numeric {
  if (a.nan || b.nan) return numericNaN;
  checkDivisor(b);
  // a/b * 10^scale = a.digits * 10^(scale - a.scale + b.scale) / b.digits
  const shift = scale - a.scale + b.scale;
  const n = shift >= 0 ? a.digits * pow10(shift) : a.digits;
  const d = shift >= 0 ? b.digits : b.digits * pow10(-shift);
  return new Numeric(divRound(n, d), scale);
}

/**
 * a / b with PostgreSQL's result scale.
 * @throws {DbError} 22012 division by zero
 */
export function numericDiv(a: Numeric, b: Numeric): Numeric {
  if (a.nan || b.nan) return numericNaN;
  checkDivisor(b);
  return numericDivScale(a, b, divScale(a, b));
}

/** Integer quotient truncated toward zero (PostgreSQL's `div`). */
export function numericDivTrunc(a: Numeric, b: Numeric): Numeric {
  if (a.nan || b.nan) return numericNaN;
  checkDivisor(b);
  const s = Math.max(a.scale, b.scale);
  const x = a.digits * pow10(s - a.scale);
  const y = b.digits * pow10(s - b.scale);
  return new Numeric(x / y, 0);
}

/**
 * a % b with the sign of a and scale max(a.scale, b.scale).
 * @throws {DbError} 22012 division by zero
 */
export function numericMod(a: Numeric, b: Numeric): Numeric {
  if (a.nan || b.nan) return numericNaN;
  checkDivisor(b);
  const s = Math.max(a.scale, b.scale);
  const x = a.digits * pow10(s - a.scale);
  const y = b.digits * pow10(s - b.scale);
  return new Numeric(x % y, s);
}

/** Rounds to `scale` digits (negative rounds left of the point), half away from zero. */
export function numericRound(a: Numeric, scale = 0): Numeric {
  if (a.nan) return a;
  if (scale >= a.scale) return numericRescale(a, Math.min(scale, maxDisplayScale));
  const q = divRound(a.digits, pow10(a.scale - scale));
  if (scale >= 0) return new Numeric(q, scale);
  return new Numeric(q * pow10(-scale), 0);
}

/** Truncates toward zero to `scale` digits. */
export function numericTrunc(a: Numeric, scale = 0): Numeric {
  if (a.nan) return a;
  if (scale >= a.scale) return numericRescale(a, Math.min(scale, maxDisplayScale));
  const q = a.digits / pow10(a.scale - scale);
  if (scale >= 0) return new Numeric(q, scale);
  return new Numeric(q * pow10(-scale), 0);
}

/** Smallest integer >= a. */
export function numericCeil(a: Numeric): Numeric {
  if (a.nan) return a;
  const t = numericTrunc(a, 0);
  return numericCompare(t, a) < 0 ? new Numeric(t.digits + 1n, 0) : t;
}

/** Largest integer <= a. */
export function numericFloor(a: Numeric): Numeric {
  if (a.nan) return a;
  const t = numericTrunc(a, 0);
  return numericCompare(t, a) > 0 ? new Numeric(t.digits - 1n, 0) : t;
}

/** Removes trailing fractional zeros (PostgreSQL's `trim_scale`). */
export function numericTrimScale(a: Numeric): Numeric {
  if (a.nan) return a;
  let d = a.digits;
  let s = a.scale;
  while (s > 0 && d % 10n === 0n) {
    d /= 10n;
    s--;
  }
  return new Numeric(d, s);
}

function integerSqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) {
      if (x * x > n) x--;
      while ((x + 1n) * (x + 1n) <= n) x++;
      return x;
    }
    x = y;
  }
}

/**
 * Square root with PostgreSQL's result scale, correctly rounded.
 * @throws {DbError} 2201F for negative input
 */
export function numericSqrt(a: Numeric): Numeric {
  if (a.nan) return a;
  if (a.digits < 0n) {
    throw new DbError("2201F", "cannot take square root of a negative number");
  }
  const w = nbaseWeight(a).weight;
  const sweight = Math.floor(((w + 1) * 4) / 2) - 1;
  const rscale = Math.min(Math.max(minSigDigits - sweight, a.scale, 0), maxDisplayScale);
  return numericSqrtAtScale(a, rscale);
}

/** Square root of a non-negative numeric, correctly rounded to `rscale` digits. */
export function numericSqrtAtScale(a: Numeric, rscale: number): Numeric {
  // sqrt(d / 10^s) * 10^(r+1) = isqrt(d * 10^(2(r+1) - s))
  const shift = 2 * (rscale + 1) - a.scale;
  const root = integerSqrt(shift >= 0 ? a.digits * pow10(shift) : a.digits / pow10(-shift));
  return numericRound(new Numeric(root, rscale + 1), rscale);
}

/**
 * Encodes numeric(precision, scale) as a `SqlType` typmod: (precision << 16) | scale
 * (PostgreSQL's `atttypmod` adds 4).
 */
export function numericTypmod(precision: number, scale = 0): number {
  return (precision << 16) | (scale & 0xffff);
}

/** Decodes a numeric `SqlType` typmod; undefined when absent. */
export function numericTypmodParts(typmod: number | undefined): [number, number] | undefined {
  if (typmod === undefined || typmod < 0) return undefined;
  return [(typmod >> 16) & 0xffff, typmod & 0xffff];
}

/**
 * Rounds to a numeric(p, s) typmod and checks the precision.
 * @throws {DbError} 22003 numeric field overflow
 */
export function numericApplyTypmod(a: Numeric, typmod: number | undefined): Numeric {
  const parts = numericTypmodParts(typmod);
  if (!parts || a.nan) return a;
  const [precision, scale] = parts;
  const r = numericRound(a, scale);
  const maxInt = precision - scale;
  if (abs(r.digits) >= pow10(maxInt + r.scale)) {
    throw Object.assign(new DbError("22003", "numeric field overflow"), {
      detail: `A field with precision ${precision}, scale ${scale} must round to an absolute ` +
        `value less than ${maxInt === 0 ? "1" : `10^${maxInt}`}.`,
    });
  }
  return r;
}
