/**
 * Exact-to-the-last-digit numeric ln, log, exp and power, computed in
 * bigint fixed point with guard digits, with PostgreSQL's result scales
 * (numeric_ln, numeric_log, numeric_exp, numeric_power).
 * @module
 */

import { DbError } from "./errors.ts";
import { Numeric } from "./types.ts";
import {
  numericCompare,
  numericDivScale,
  numericNaN,
  numericRound,
  numericSqrtAtScale,
  numericToNumber,
  numericTrunc,
  pow10,
} from "./numeric.ts";

const minSigDigits = 16;
const maxScale = 1000;
const guardDigits = 12;

function clampScale(s: number): number {
  return Math.min(Math.max(s, 0), maxScale);
}

/** Decimal exponent of the leading digit of |x| (x non-zero). */
function decimalWeight(x: Numeric): number {
  const a = x.digits < 0n ? -x.digits : x.digits;
  return a.toString().length - 1 - x.scale;
}

/** x as a fixed-point bigint with `w` fractional digits (truncated). */
function toFixed(x: Numeric, w: number): bigint {
  return w >= x.scale ? x.digits * pow10(w - x.scale) : x.digits / pow10(x.scale - w);
}

/** e^(z / 10^w) * 10^w. */
function expFixed(z: bigint, w: number): bigint {
  const one = pow10(w);
  let m = 0;
  let r = z;
  const limit = one / 1000n;
  while ((r < 0n ? -r : r) > limit) {
    r /= 2n;
    m++;
  }
  // Guard digits for the squarings and for the result's own magnitude.
  const magnitude = Math.max(0, Math.ceil((Number(z / one) + 1) * 0.4343));
  const extra = guardDigits + Math.ceil(m * 0.302) + magnitude;
  const W = w + extra;
  const ONE = pow10(W);
  const rr = (z * pow10(extra)) / (1n << BigInt(m));
  let sum = ONE;
  let term = ONE;
  for (let k = 1n; term !== 0n; k++) {
    term = (term * rr) / (ONE * k);
    sum += term;
  }
  for (let i = 0; i < m; i++) sum = (sum * sum) / ONE;
  return sum / pow10(extra);
}

const ln10Cache = new Map<number, bigint>();

/** ln(x) * 10^W by Newton's method on exp, for x of moderate size. */
function newtonLn(x: Numeric, W: number): bigint {
  const ONE = pow10(W);
  const xf = toFixed(x, W);
  const start = Math.log(numericToNumber(x));
  let y = W >= 15
    ? BigInt(Math.round(start * 1e15)) * pow10(W - 15)
    : BigInt(Math.round(start * Number(ONE)));
  for (let i = 0; i < 14; i++) {
    const next = y + (xf * ONE) / expFixed(y, W) - ONE;
    const delta = next - y;
    y = next;
    if (delta < 10n && delta > -10n) break;
  }
  return y;
}

function ln10(W: number): bigint {
  let v = ln10Cache.get(W);
  if (v === undefined) {
    v = newtonLn(new Numeric(10n, 0), W);
    ln10Cache.set(W, v);
  }
  return v;
}

/** ln(x) * 10^w for x > 0. */
function lnFixed(x: Numeric, w: number): bigint {
  const e = decimalWeight(x);
  const W = w + guardDigits;
  // Work on the mantissa in [1, 10) and add e * ln(10).
  let y = newtonLn(new Numeric(x.digits, x.scale + e), W);
  if (e !== 0) y += BigInt(e) * ln10(W);
  return y / pow10(guardDigits);
}

/** PostgreSQL's estimate_ln_dweight: decimal weight of ln(x). */
function lnDweight(x: Numeric): number {
  const v = numericToNumber(x);
  if (v >= 0.9 && v <= 1.1) {
    const d = Math.abs(v - 1);
    return d === 0 ? 0 : Math.floor(Math.log10(d));
  }
  const ln = Math.log(v) || decimalWeight(x) * Math.LN10;
  return Math.trunc(Math.log10(Math.abs(ln)));
}

function checkLogArg(a: Numeric): void {
  if (a.digits <= 0n) {
    throw new DbError(
      "2201E",
      a.digits === 0n
        ? "cannot take logarithm of zero"
        : "cannot take logarithm of a negative number",
    );
  }
}

/** Rounds a fixed-point value with `w` digits to `scale` digits. */
function fromFixed(v: bigint, w: number, scale: number): Numeric {
  return numericRound(new Numeric(v, w), scale);
}

/**
 * Natural logarithm with PostgreSQL's result scale.
 * @throws {DbError} 2201E for zero or negative input
 */
export function numericLn(a: Numeric): Numeric {
  if (a.nan) return a;
  checkLogArg(a);
  const rscale = clampScale(Math.max(minSigDigits - lnDweight(a), a.scale));
  const w = rscale + 4;
  return fromFixed(lnFixed(a, w), w, rscale);
}

/**
 * log(base, x) with PostgreSQL's result scale.
 * @throws {DbError} 2201E for zero or negative input, 22012 for base 1
 */
export function numericLog(base: Numeric, x: Numeric): Numeric {
  if (base.nan || x.nan) return numericNaN;
  checkLogArg(base);
  checkLogArg(x);
  const rscale = clampScale(
    Math.max(minSigDigits - (lnDweight(x) - lnDweight(base)), base.scale, x.scale),
  );
  const w = rscale + 8;
  const lb = lnFixed(base, w);
  if (lb === 0n) throw new DbError("22012", "division by zero");
  const lx = lnFixed(x, w);
  return fromFixed((lx * pow10(w)) / lb, w, rscale);
}

/** Base-10 logarithm (log(10, x)). */
export function numericLog10(a: Numeric): Numeric {
  return numericLog(new Numeric(10n, 0), a);
}

/**
 * e^a with PostgreSQL's result scale.
 * @throws {DbError} 22003 when the result overflows
 */
export function numericExp(a: Numeric): Numeric {
  if (a.nan) return a;
  const val = numericToNumber(a) * 0.434294481903252;
  if (val > 131072) throw new DbError("22003", "value overflows numeric format");
  const rscale = clampScale(Math.max(minSigDigits - Math.trunc(val), a.scale));
  const w = rscale + 4;
  return fromFixed(expFixed(toFixed(a, w), w), w, rscale);
}

/**
 * a ^ b with PostgreSQL's result scale (integer exponents exact).
 * @throws {DbError} 2201F for 0 ^ negative or negative ^ fractional
 */
export function numericPower(a: Numeric, b: Numeric): Numeric {
  if (a.nan || b.nan) return numericNaN;
  const isInt = numericCompare(numericTrunc(b, 0), b) === 0;
  if (a.digits === 0n && b.digits < 0n) {
    throw new DbError("2201F", "zero raised to a negative power is undefined");
  }
  if (a.digits < 0n && !isInt) {
    throw new DbError(
      "2201F",
      "a negative number raised to a non-integer power yields a complex result",
    );
  }
  const exp = numericToNumber(b);
  if (a.digits !== 0n && exp * approxLog10(a) > numericIntDigitsMax) {
    throw new DbError("22003", "value overflows numeric format");
  }
  if (isInt && Math.abs(exp) <= 100000) {
    // Integer exponents: PostgreSQL keeps at least 16 decimals (power_var_int).
    const rscale = clampScale(Math.max(minSigDigits, a.scale));
    const e = BigInt(Math.abs(exp));
    const raised = new Numeric(a.digits ** e, a.scale * Number(e));
    if (exp >= 0) return numericRound(raised, rscale);
    return numericDivScale(new Numeric(1n, 0), raised, rscale);
  }
  if (a.digits === 0n) return numericRound(new Numeric(0n, 0), minSigDigits);
  const val = exp * Math.log(numericToNumber(a)) * 0.434294481903252;
  const rscale = clampScale(Math.max(minSigDigits - Math.trunc(val), a.scale, b.scale));
  if (exp === 0.5) return numericSqrtAtScale(a, rscale);
  const w = rscale + 8 + Math.max(0, Math.ceil(Math.abs(val)));
  const lnA = lnFixed(a, w);
  const y = (lnA * toFixed(b, w)) / pow10(w);
  return fromFixed(expFixed(y, w), w, rscale);
}

/** Most digits before the decimal point a numeric holds (PostgreSQL's NUMERIC_MAX_PRECISION-free limit). */
const numericIntDigitsMax = 131072;

/** log10(|a|) for a non-zero numeric, good to a few digits even beyond float range. */
function approxLog10(a: Numeric): number {
  const s = (a.digits < 0n ? -a.digits : a.digits).toString();
  const lead = Number(`0.${s.slice(0, 17)}`);
  return Math.log10(lead) + s.length - a.scale;
}
