/**
 * Type modifiers applied to values: the length of varchar(n) and char(n),
 * the precision and scale of numeric(p,s), and the fractional-second
 * precision of time(p), timestamp(p) and timestamptz(p).
 * @module
 */
import { DbError } from "../common/errors.ts";
import { Numeric, type SqlType, type Value } from "../common/types.ts";
import { rescale } from "./numeric_ops.ts";

/** Applies varchar(n)/char(n)/numeric(p,s) modifiers. @throws {DbError} 22001, 22003 */
export function applyTypmod(v: Value, to: SqlType, explicit = false): Value {
  const mod = to.typmod ?? -1;
  if (v === null || mod < 0) {
    if (to.id === "bpchar" && typeof v === "string" && mod < 0) return v;
    return v;
  }
  if ((to.id === "varchar" || to.id === "bpchar") && typeof v === "string") {
    const n = mod;
    // A string of at most n UTF-16 units has at most n characters: no split needed.
    if (v.length <= n) return to.id === "bpchar" && v.length < n ? v.padEnd(n, " ") : v;
    const chars = [...v];
    if (chars.length > n) {
      if (explicit || chars.slice(n).every((c) => c === " ")) return chars.slice(0, n).join("");
      throw new DbError(
        "22001",
        `value too long for type ${to.id === "varchar" ? "character varying" : "character"}(${n})`,
      );
    }
    return to.id === "bpchar" ? v.padEnd(n, " ") : v;
  }
  if (to.id === "numeric" && v instanceof Numeric) {
    const precision = (mod >> 16) & 0xffff;
    const scale = mod & 0xffff;
    const r = rescale(v, scale);
    const abs = r.digits < 0n ? -r.digits : r.digits;
    if (abs.toString().length > precision && abs !== 0n) {
      const e = new DbError("22003", "numeric field overflow");
      const maxInt = precision - scale;
      e.detail = `A field with precision ${precision}, scale ${scale} must round to an absolute ` +
        `value less than ${maxInt === 0 ? "1" : `10^${maxInt}`}.`;
      throw e;
    }
    return r;
  }
  return v;
}

const microsPerUnit: readonly bigint[] = [1_000_000n, 100_000n, 10_000n, 1_000n, 100n, 10n, 1n];

/** PostgreSQL counts timestamps from 2000-01-01; ThunderDB from 1970-01-01 (in microseconds). */
const postgresEpochMicros = 946_684_800_000_000n;

/**
 * Rounds a time, timestamp or timestamptz (microseconds) to its type's
 * precision as PostgreSQL's AdjustTimestampForTypmod does: halves away from
 * zero, counted from PostgreSQL's epoch (2000-01-01) for timestamps.
 */
export function roundTimePrecision(micros: bigint, to: SqlType): bigint {
  if (to.id !== "timestamp" && to.id !== "timestamptz" && to.id !== "time") return micros;
  const unit = microsPerUnit[to.typmod ?? 6] ?? 1n;
  if (unit === 1n) return micros;
  const half = unit / 2n;
  const epoch = to.id === "time" ? 0n : postgresEpochMicros;
  const x = micros - epoch;
  return epoch + (x >= 0n ? ((x + half) / unit) * unit : -(((-x + half) / unit) * unit));
}
