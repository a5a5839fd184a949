/**
 * Date and time built-ins: now(), date_trunc, extract.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { Interval, Numeric, type SqlType, type Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import { parseNumeric } from "./numeric_ops.ts";

type Fn = (args: Value[], argTypes: readonly SqlType[], type: SqlType, ctx: ExecContext) => Value;

const dayMicros = 86_400_000_000n;

/** Date/time functions keyed by name. */
export const timeFunction: Record<string, Fn> = {
  now: (_a, _t, _ty, ctx) => ctx.nowMicros,
  current_timestamp: (_a, _t, _ty, ctx) => ctx.nowMicros,
  clock_timestamp: (_a, _t, _ty, ctx) => ctx.nowMicros,
  current_date: (_a, _t, _ty, ctx) => Number(ctx.nowMicros / dayMicros),
  date_trunc: ([unit, v]) => dateTrunc(String(unit).toLowerCase(), v as bigint),
};

function dateTrunc(unit: string, micros: bigint): bigint {
  const ms = Number(micros / 1000n);
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  switch (unit) {
    case "year":
      return BigInt(Date.UTC(y, 0, 1)) * 1000n;
    case "month":
      return BigInt(Date.UTC(y, mo, 1)) * 1000n;
    case "day":
      return BigInt(Date.UTC(y, mo, d.getUTCDate())) * 1000n;
    case "hour":
      return BigInt(Date.UTC(y, mo, d.getUTCDate(), d.getUTCHours())) * 1000n;
    case "minute":
      return BigInt(Date.UTC(y, mo, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes())) * 1000n;
    case "second":
      return (micros / 1_000_000n) * 1_000_000n;
  }
  throw new DbError("22023", `unit "${unit}" not recognized for type timestamp`);
}

/** EXTRACT(field FROM value) as numeric. @throws {DbError} 22023 */
export function extractField(field: string, v: Value, t: SqlType): Numeric {
  const f = field.toLowerCase();
  if (v instanceof Interval) {
    const map: Record<string, number> = {
      year: Math.trunc(v.months / 12),
      month: v.months % 12,
      day: v.days,
      hour: Number(v.micros / 3_600_000_000n),
      minute: Number((v.micros / 60_000_000n) % 60n),
    };
    if (f === "epoch") {
      return parseNumeric(String(Number(v.micros) / 1e6 + v.days * 86400 + v.months * 2592000));
    }
    if (f in map) return new Numeric(BigInt(map[f]!), 0);
    throw new DbError("22023", `unit "${field}" not supported for type interval`);
  }
  const micros = t.id === "date" ? BigInt(v as number) * dayMicros : v as bigint;
  const d = new Date(Number(micros / 1000n));
  const map: Record<string, number> = {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    dow: d.getUTCDay(),
    doy: Math.floor(
      (Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) -
        Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000,
    ) + 1,
    quarter: Math.floor(d.getUTCMonth() / 3) + 1,
  };
  if (f === "epoch") return parseNumeric((Number(micros) / 1e6).toString());
  if (f === "second") return parseNumeric(((Number(micros % 60_000_000n)) / 1e6).toFixed(6));
  if (f in map) return new Numeric(BigInt(map[f]!), 0);
  throw new DbError("22023", `unit "${field}" not recognized for type ${t.id}`);
}
