/**
 * EXTRACT and date_part: fields of dates, times, timestamps and intervals,
 * as exact numerics (EXTRACT) or doubles (date_part), as PostgreSQL 14+ does.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Interval, Numeric, type SqlType, type, type Value } from "../../common/types.ts";
import {
  civilFromDays,
  daysFromCivil,
  isInfiniteTimestamp,
  microsPerDay,
  splitTimestamp,
  zoneOffsetSeconds,
} from "../../common/datetime.ts";
import { numericToNumber } from "../../common/numeric.ts";
import { formatTypeName } from "../../common/value_text.ts";
import { defineFunction } from "./registry.ts";
import { unitName } from "./datetime_fns.ts";

/** A field of a (local) timestamp as an exact numeric, as EXTRACT returns it. */
function timestampField(
  field: string,
  local: bigint,
  utc: bigint,
  offsetSec: number,
  isDate: boolean,
): Numeric {
  const [days, tod] = splitTimestamp(local);
  const [y, m, d] = civilFromDays(days);
  const secMicros = tod % 60_000_000n;
  const big = (n: number | bigint, scale = 0): Numeric => new Numeric(BigInt(n), scale);
  const dow = ((days + 4) % 7 + 7) % 7;
  switch (unitName(field)) {
    case "year":
      return big(y > 0 ? y : y - 1);
    case "month":
      return big(m);
    case "day":
      return big(d);
    case "hour":
      return big(tod / 3_600_000_000n);
    case "minute":
      return big((tod / 60_000_000n) % 60n);
    case "second":
      return big(secMicros, 6);
    case "milliseconds":
      return big(secMicros, 3);
    case "microseconds":
      return big(secMicros);
    case "dow":
      return big(dow);
    case "isodow":
      return big(dow === 0 ? 7 : dow);
    case "doy":
      return big(days - daysFromCivil(y, 1, 1) + 1);
    case "quarter":
      return big(Math.floor((m - 1) / 3) + 1);
    case "week":
      return big(isoWeek(days)[1]);
    case "isoyear":
      return big(isoWeek(days)[0]);
    case "decade":
      return big(Math.floor(y / 10));
    case "century":
      return big(y > 0 ? Math.floor((y + 99) / 100) : -Math.floor((99 - (y - 1)) / 100));
    case "millennium":
      return big(y > 0 ? Math.floor((y + 999) / 1000) : -Math.floor((999 - (y - 1)) / 1000));
    case "epoch":
      return isDate ? big(BigInt(days) * 86400n) : big(utc, 6);
    case "julian":
      return big(days + 2440588);
    case "timezone":
      return big(offsetSec);
    case "timezone_hour":
      return big(Math.trunc(offsetSec / 3600));
    case "timezone_minute":
      return big(Math.trunc((offsetSec % 3600) / 60));
  }
  throw new DbError("22023", `unit "${field}" not recognized for type timestamp`);
}

function isoWeek(days: number): [number, number] {
  const dow = ((days + 3) % 7 + 7) % 7; // Monday = 0
  const thursday = days - dow + 3;
  const [ty] = civilFromDays(thursday);
  const week = Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1;
  return [ty, week];
}

function intervalField(field: string, iv: Interval): Numeric {
  const big = (n: number | bigint, scale = 0): Numeric => new Numeric(BigInt(n), scale);
  const secMicros = iv.micros % 60_000_000n;
  switch (unitName(field)) {
    case "year":
      return big(Math.trunc(iv.months / 12));
    case "month":
      return big(iv.months % 12);
    case "day":
      return big(iv.days);
    case "hour":
      return big(iv.micros / 3_600_000_000n);
    case "minute":
      return big((iv.micros / 60_000_000n) % 60n);
    case "second":
      return big(secMicros, 6);
    case "milliseconds":
      return big(secMicros, 3);
    case "microseconds":
      return big(secMicros);
    case "quarter":
      return big(Math.trunc((iv.months % 12) / 3) + 1);
    case "decade":
      return big(Math.trunc(iv.months / 120));
    case "century":
      return big(Math.trunc(iv.months / 1200));
    case "millennium":
      return big(Math.trunc(iv.months / 12000));
    case "epoch": {
      const years = BigInt(Math.trunc(iv.months / 12));
      const months = BigInt(iv.months % 12);
      const micros = years * 31_557_600_000_000n + months * 30n * microsPerDay +
        BigInt(iv.days) * microsPerDay + iv.micros;
      return big(micros, 6);
    }
  }
  throw new DbError("22023", `unit "${field}" not recognized for type interval`);
}

/** 1 or -1 for an infinite date or timestamp, 0 for any other value. */
function infiniteSign(v: Value, t: SqlType): number {
  if (t.id === "date") return v === Infinity ? 1 : v === -Infinity ? -1 : 0;
  if ((t.id !== "timestamp" && t.id !== "timestamptz") || typeof v !== "bigint") return 0;
  return isInfiniteTimestamp(v) ? (v > 0n ? 1 : -1) : 0;
}

/** Fields that are themselves infinite for an infinite date or timestamp. */
const unboundedFields = new Set([
  "epoch",
  "year",
  "isoyear",
  "decade",
  "century",
  "millennium",
  "julian",
]);

/**
 * A field of an infinite date or timestamp (PostgreSQL 14+): NULL, or ±Infinity
 * for the unbounded fields; undefined for a finite value.
 * @throws {DbError} 0A000 for an unbounded field as numeric (no numeric infinity here)
 */
export function infiniteField(
  field: string,
  v: Value,
  t: SqlType,
  asFloat: boolean,
): number | null | undefined {
  const sign = infiniteSign(v, t);
  if (sign === 0) return undefined;
  const u = unitName(field);
  if (!unboundedFields.has(u)) return null;
  if (asFloat) return sign * Infinity;
  throw new DbError(
    "0A000",
    `EXTRACT(${u}) of an infinite ${formatTypeName(t)} is not supported (date_part gives ${
      sign > 0 ? "" : "-"
    }Infinity)`,
  );
}

/**
 * Extracts `field` from a value of type `t` as EXTRACT does (numeric); NULL for
 * a bounded field of an infinite date or timestamp.
 */
export function extractField(
  field: string,
  v: Value,
  t: SqlType,
  timeZone: string,
): Numeric | null {
  if (infiniteField(field, v, t, false) === null) return null;
  switch (t.id) {
    case "date": {
      const local = BigInt(v as number) * microsPerDay;
      const u = unitName(field);
      if (["hour", "minute", "second", "milliseconds", "microseconds", "timezone"].includes(u)) {
        throw new DbError("22023", `unit "${field}" not supported for type date`);
      }
      return timestampField(field, local, local, 0, true);
    }
    case "timestamp":
      return timestampField(field, v as bigint, v as bigint, 0, false);
    case "timestamptz": {
      const off = zoneOffsetSeconds(v as bigint, timeZone);
      return timestampField(
        field,
        (v as bigint) + BigInt(off) * 1_000_000n,
        v as bigint,
        off,
        false,
      );
    }
    case "time":
      return timestampField(field, v as bigint, v as bigint, 0, false);
    case "interval":
      return intervalField(field, v as Interval);
    default:
      throw new DbError(
        "42883",
        `function date_part(unknown, ${formatTypeName(t)}) does not exist`,
      );
  }
}

for (const t of ["timestamp", "timestamptz", "date", "interval", "time"] as const) {
  defineFunction("date_part", {
    args: ["text", t],
    ret: "float8",
    volatility: t === "timestamptz" ? "stable" : "immutable",
    impl: (a, ctx) => {
      const infinite = infiniteField(a[0] as string, a[1]!, type(t), true);
      if (infinite !== undefined) return infinite;
      const n = extractField(a[0] as string, a[1]!, type(t), ctx.session.timeZone);
      return n === null ? null : numericToNumber(n);
    },
  });
}
