/**
 * Arithmetic kernels with PostgreSQL's overflow and division checks, and
 * the date/time arithmetic (date + int, timestamp ± interval, ...).
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Interval, Numeric, type TypeId, type Value } from "../../common/types.ts";
import {
  numericAdd,
  numericDiv,
  numericMod,
  numericMul,
  numericSub,
} from "../../common/numeric.ts";
import { numericPower } from "../../common/numeric_transcendental.ts";
import {
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  isInfiniteTimestamp,
  localToUtc,
  microsPerDay,
  splitTimestamp,
  utcToLocal,
} from "../../common/datetime.ts";
import { intOutOfRange } from "./cast.ts";

/** A binary kernel on non-null values. */
export type Kernel = (a: Value, b: Value) => Value;

/** The arithmetic operators. */
export type ArithOp = "+" | "-" | "*" | "/" | "%" | "^";

function divZero(): DbError {
  return new DbError("22012", "division by zero");
}

function int32(r: number, id: "int2" | "int4"): number {
  if (id === "int4" ? (r > 2147483647 || r < -2147483648) : (r > 32767 || r < -32768)) {
    throw intOutOfRange(id);
  }
  return r;
}

function int64(r: bigint): bigint {
  if (r > 9223372036854775807n || r < -9223372036854775808n) throw intOutOfRange("int8");
  return r;
}

function float(r: number, a: number, b: number, single: boolean, zeroOk = true): number {
  if (!Number.isFinite(r) && Number.isFinite(a) && Number.isFinite(b)) {
    throw new DbError("22003", "value out of range: overflow");
  }
  if (!zeroOk && r === 0 && a !== 0 && b !== 0 && Number.isFinite(b)) {
    throw new DbError("22003", "value out of range: underflow");
  }
  if (single) {
    const f = Math.fround(r);
    if (!Number.isFinite(f) && Number.isFinite(r)) {
      throw new DbError("22003", "value out of range: overflow");
    }
    return f;
  }
  return r;
}

/** Kernel for `op` on two values of numeric-category type `t`. */
export function numberKernel(op: ArithOp, t: TypeId): Kernel | undefined {
  if (t === "int2" || t === "int4") {
    switch (op) {
      case "+":
        return (a, b) => int32((a as number) + (b as number), t);
      case "-":
        return (a, b) => int32((a as number) - (b as number), t);
      case "*":
        return (a, b) => int32((a as number) * (b as number), t);
      case "/":
        return (a, b) => {
          if (b === 0) throw divZero();
          return int32(Math.trunc((a as number) / (b as number)), t);
        };
      case "%":
        return (a, b) => {
          if (b === 0) throw divZero();
          return ((a as number) % (b as number)) + 0;
        };
      case "^":
        return undefined;
    }
  }
  if (t === "int8") {
    switch (op) {
      case "+":
        return (a, b) => int64((a as bigint) + (b as bigint));
      case "-":
        return (a, b) => int64((a as bigint) - (b as bigint));
      case "*":
        return (a, b) => int64((a as bigint) * (b as bigint));
      case "/":
        return (a, b) => {
          if (b === 0n) throw divZero();
          return int64((a as bigint) / (b as bigint));
        };
      case "%":
        return (a, b) => {
          if (b === 0n) throw divZero();
          return (a as bigint) % (b as bigint);
        };
      case "^":
        return undefined;
    }
  }
  if (t === "float4" || t === "float8") {
    const s = t === "float4";
    switch (op) {
      case "+":
        return (a, b) => float((a as number) + (b as number), a as number, b as number, s);
      case "-":
        return (a, b) => float((a as number) - (b as number), a as number, b as number, s);
      case "*":
        return (a, b) => float((a as number) * (b as number), a as number, b as number, s, false);
      case "/":
        return (a, b) => {
          if (b === 0 && !Number.isNaN(a)) throw divZero();
          return float((a as number) / (b as number), a as number, b as number, s, false);
        };
      case "%":
        return undefined;
      case "^":
        return (a, b) => floatPower(a as number, b as number);
    }
  }
  if (t === "numeric") {
    const f = {
      "+": numericAdd,
      "-": numericSub,
      "*": numericMul,
      "/": numericDiv,
      "%": numericMod,
      "^": numericPower,
    }[op];
    return (a, b) => f(a as Numeric, b as Numeric);
  }
  return undefined;
}

/** float8 power with PostgreSQL's error cases. */
export function floatPower(a: number, b: number): number {
  if (a === 0 && b < 0) {
    throw new DbError("2201F", "zero raised to a negative power is undefined");
  }
  if (a < 0 && !Number.isInteger(b) && Number.isFinite(b)) {
    throw new DbError(
      "2201F",
      "a negative number raised to a non-integer power yields a complex result",
    );
  }
  if (a === 1 || b === 0) return 1;
  const r = Math.pow(a, b);
  if (!Number.isFinite(r) && Number.isFinite(a) && Number.isFinite(b)) {
    throw new DbError("22003", "value out of range: overflow");
  }
  return r;
}

/** Adds months and days to a local timestamp, clamping the day of month as PostgreSQL does. */
export function addMonthsDays(local: bigint, months: number, days: number): bigint {
  if (months === 0 && days === 0) return local;
  const [d, tod] = splitTimestamp(local);
  let [y, m, day] = civilFromDays(d);
  if (months !== 0) {
    const total = y * 12 + (m - 1) + months;
    y = Math.floor(total / 12);
    m = total - y * 12 + 1;
    day = Math.min(day, daysInMonth(y, m));
  }
  return BigInt(daysFromCivil(y, m, day) + days) * microsPerDay + tod;
}

/** timestamp + interval. */
export function timestampPlusInterval(ts: bigint, iv: Interval): bigint {
  if (isInfiniteTimestamp(ts)) return ts;
  return addMonthsDays(ts, iv.months, iv.days) + iv.micros;
}

/** timestamptz + interval: months and days move in local time of `zone`. */
export function timestamptzPlusInterval(ts: bigint, iv: Interval, zone: string): bigint {
  if (isInfiniteTimestamp(ts)) return ts;
  if (iv.months === 0 && iv.days === 0) return ts + iv.micros;
  const local = addMonthsDays(utcToLocal(ts, zone), iv.months, iv.days);
  return localToUtc(local, zone) + iv.micros;
}

/**
 * date - date in days.
 * @throws {DbError} 22008 for an infinite date
 */
export function dateDiff(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new DbError("22008", "cannot subtract infinite dates");
  }
  return a - b;
}

/** timestamp - timestamp as PostgreSQL gives it (days and time, no months). */
export function timestampDiff(a: bigint, b: bigint): Interval {
  if (isInfiniteTimestamp(a) || isInfiniteTimestamp(b)) {
    throw new DbError("22008", "cannot subtract infinite timestamps");
  }
  const diff = a - b;
  const days = diff / microsPerDay;
  return new Interval(0, Number(days), diff - days * microsPerDay);
}

/** Negates an interval. */
export function negInterval(iv: Interval): Interval {
  return new Interval(-iv.months, -iv.days, -iv.micros);
}
