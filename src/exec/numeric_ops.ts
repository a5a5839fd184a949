/**
 * Exact decimal arithmetic on `Numeric` for the executor's fallback scalar
 * evaluator. Division follows PostgreSQL's choice of result scale.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { Numeric } from "../common/types.ts";

const ten = (n: number): bigint => 10n ** BigInt(n);

/** Parses decimal text (`-12.50`, `1e3`, `NaN`). @throws {DbError} 22P02 */
export function parseNumeric(text: string): Numeric {
  const t = text.trim();
  if (/^nan$/i.test(t)) return new Numeric(0n, 0, true);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(t);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) {
    throw new DbError("22P02", `invalid input syntax for type numeric: "${text}"`);
  }
  const frac = m[3] ?? "";
  let digits = BigInt((m[2] || "0") + frac);
  let scale = frac.length;
  const exp = m[4] ? Number(m[4]) : 0;
  if (exp > 0) {
    if (exp >= scale) {
      digits *= ten(exp - scale);
      scale = 0;
    } else scale -= exp;
  } else if (exp < 0) scale -= exp;
  return new Numeric(m[1] === "-" ? -digits : digits, scale);
}

/** Formats like PostgreSQL's numeric output. */
export function formatNumeric(n: Numeric): string {
  if (n.nan) return "NaN";
  const neg = n.digits < 0n;
  const s = (neg ? -n.digits : n.digits).toString().padStart(n.scale + 1, "0");
  const body = n.scale === 0
    ? s
    : `${s.slice(0, s.length - n.scale)}.${s.slice(s.length - n.scale)}`;
  return neg ? `-${body}` : body;
}

/** Rescales with round-half-away-from-zero. */
export function rescale(n: Numeric, scale: number): Numeric {
  if (n.nan || scale === n.scale) return n;
  if (scale > n.scale) return new Numeric(n.digits * ten(scale - n.scale), scale);
  const div = ten(n.scale - scale);
  const neg = n.digits < 0n;
  const abs = neg ? -n.digits : n.digits;
  let q = abs / div;
  if ((abs % div) * 2n >= div) q += 1n;
  return new Numeric(neg ? -q : q, scale);
}

/** Converts a JS number, bigint or Numeric to Numeric. */
export function toNumeric(v: number | bigint | Numeric): Numeric {
  if (v instanceof Numeric) return v;
  if (typeof v === "bigint") return new Numeric(v, 0);
  if (Number.isNaN(v)) return new Numeric(0n, 0, true);
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 53) return new Numeric(BigInt(v), 0);
  return parseNumeric(String(v));
}

/** Numeric to float. */
export function numericToNumber(n: Numeric): number {
  return n.nan ? NaN : Number(formatNumeric(n));
}

function align(a: Numeric, b: Numeric): [bigint, bigint, number] {
  const s = Math.max(a.scale, b.scale);
  return [rescale(a, s).digits, rescale(b, s).digits, s];
}

/** Compares two numerics (NaN sorts last, equal to itself). */
export function compareNumeric(a: Numeric, b: Numeric): number {
  if (a.nan || b.nan) return a.nan === b.nan ? 0 : a.nan ? 1 : -1;
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Applies + - * / % to numerics. @throws {DbError} 22012 on division by zero */
export function numericOp(op: string, a: Numeric, b: Numeric): Numeric {
  if (a.nan || b.nan) return new Numeric(0n, 0, true);
  switch (op) {
    case "+": {
      const [x, y, s] = align(a, b);
      return new Numeric(x + y, s);
    }
    case "-": {
      const [x, y, s] = align(a, b);
      return new Numeric(x - y, s);
    }
    case "*":
      return new Numeric(a.digits * b.digits, a.scale + b.scale);
    case "/":
      return divide(a, b);
    case "%": {
      if (b.digits === 0n) throw new DbError("22012", "division by zero");
      const [x, y, s] = align(a, b);
      return new Numeric(x % y, s);
    }
  }
  throw new DbError("42883", `operator does not exist: numeric ${op} numeric`);
}

function weightAndFirst(n: Numeric): [number, number] {
  const abs = n.digits < 0n ? -n.digits : n.digits;
  if (abs === 0n) return [0, 0];
  const intDigits = abs.toString().length - n.scale;
  // PostgreSQL groups digits in base 10000 around the decimal point.
  const weight = Math.floor((intDigits - 1) / 4);
  const e = -n.scale - 4 * weight;
  const first = e >= 0 ? abs * ten(e) : abs / ten(-e);
  return [weight, Number(first)];
}

function divide(a: Numeric, b: Numeric): Numeric {
  if (b.digits === 0n) throw new DbError("22012", "division by zero");
  const [w1, f1] = weightAndFirst(a);
  const [w2, f2] = weightAndFirst(b);
  let qweight = w1 - w2;
  if (f1 < f2) qweight--;
  const rscale = Math.min(1000, Math.max(16 - qweight * 4, a.scale, b.scale, 0));
  // Compute with two extra digits, then round.
  const extra = rscale + 2;
  const num = a.digits * ten(extra + b.scale);
  const q = num / (b.digits * ten(a.scale));
  return rescale(new Numeric(q, extra), rscale);
}
