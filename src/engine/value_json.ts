/**
 * Lossless JSON encoding of SQL values and catalogs for the commit log:
 * bigint, Numeric, Interval, Jsonb, bytea and vectors are tagged.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import { Interval, Jsonb, Numeric, type Value } from "../common/types.ts";

/** Encodes a value (or any structure of values, Maps and plain objects) to JSON-safe data. */
export function encodeValue(v: unknown): unknown {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : { $f: String(v) };
  if (typeof v === "bigint") return { $b: v.toString() };
  if (v instanceof Numeric) return { $n: [v.digits.toString(), v.scale, v.nan] };
  if (v instanceof Interval) return { $i: [v.months, v.days, v.micros.toString()] };
  if (v instanceof Jsonb) return { $j: encodeValue(v.value) };
  if (v instanceof Float32Array) return { $v: Array.from(v) };
  if (v instanceof Uint8Array) return { $y: Array.from(v) };
  if (v instanceof Map) {
    return { $m: [...v.entries()].map(([k, x]) => [encodeValue(k), encodeValue(x)]) };
  }
  if (Array.isArray(v)) return v.map(encodeValue);
  if (typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x !== undefined) out[k] = encodeValue(x);
    }
    return { $o: out };
  }
  return null;
}

/**
 * Decodes data produced by `encodeValue`.
 * @throws {CorruptError} XX001 on an unknown tag
 */
export function decodeValue(d: unknown): unknown {
  if (d === null || typeof d !== "object") return d;
  if (Array.isArray(d)) return d.map(decodeValue);
  const o = d as Record<string, unknown>;
  if ("$f" in o) return Number(o.$f);
  if ("$b" in o) return BigInt(o.$b as string);
  if ("$n" in o) {
    const [digits, scale, nan] = o.$n as [string, number, boolean];
    return new Numeric(BigInt(digits), scale, nan);
  }
  if ("$i" in o) {
    const [m, days, micros] = o.$i as [number, number, string];
    return new Interval(m, days, BigInt(micros));
  }
  if ("$j" in o) return new Jsonb(decodeValue(o.$j));
  if ("$v" in o) return Float32Array.from(o.$v as number[]);
  if ("$y" in o) return Uint8Array.from(o.$y as number[]);
  if ("$m" in o) {
    return new Map(
      (o.$m as [unknown, unknown][]).map(([k, x]) => [decodeValue(k), decodeValue(x)]),
    );
  }
  if ("$o" in o) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o.$o as Record<string, unknown>)) out[k] = decodeValue(x);
    return out;
  }
  throw new CorruptError(`Unknown value tag in commit log: ${Object.keys(o).join(",")}`);
}

/** Decodes a row. */
export function decodeRow(d: unknown): Value[] {
  return decodeValue(d) as Value[];
}
