/**
 * Date and time built-ins: now(), date_trunc.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { SqlType, Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";

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
