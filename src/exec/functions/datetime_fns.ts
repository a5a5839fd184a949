/**
 * Date/time functions: now() and friends, date_trunc, age, to_timestamp, justify_*. EXTRACT lives in `extract.ts`,
 * template formatting in `to_char.ts`, the make_* constructors in `make_fns.ts`.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Interval, type Value } from "../../common/types.ts";
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
import { justifyDays, justifyHours, justifyInterval } from "../../common/interval.ts";
import { defineFunction } from "./registry.ts";

const ts = (v: Value): bigint => v as bigint;

defineFunction("now", {
  args: [],
  ret: "timestamptz",
  volatility: "stable",
  impl: (_a, c) => c.session.transactionNow ?? c.session.now,
});
defineFunction("transaction_timestamp", {
  args: [],
  ret: "timestamptz",
  volatility: "stable",
  impl: (_a, c) => c.session.transactionNow ?? c.session.now,
});
defineFunction("statement_timestamp", {
  args: [],
  ret: "timestamptz",
  volatility: "stable",
  impl: (_a, c) => c.session.now,
});
defineFunction("clock_timestamp", {
  args: [],
  ret: "timestamptz",
  volatility: "volatile",
  impl: (_a, c) => (c.session.clock ?? (() => c.session.now))(),
});
defineFunction("current_timestamp", {
  args: ["int4"],
  ret: "timestamptz",
  volatility: "stable",
  impl: (a, c) => roundMicros(c.session.transactionNow ?? c.session.now, a[0] as number),
});
defineFunction("localtimestamp", {
  args: [],
  ret: "timestamp",
  volatility: "stable",
  impl: (_a, c) => utcToLocal(c.session.transactionNow ?? c.session.now, c.session.timeZone),
});
defineFunction("current_date", {
  args: [],
  ret: "date",
  volatility: "stable",
  impl: (_a, c) =>
    splitTimestamp(utcToLocal(c.session.transactionNow ?? c.session.now, c.session.timeZone))[0],
});
defineFunction("localtime", {
  args: [],
  ret: "time",
  volatility: "stable",
  impl: (_a, c) =>
    splitTimestamp(utcToLocal(c.session.transactionNow ?? c.session.now, c.session.timeZone))[1],
});

function roundMicros(t: bigint, precision: number): bigint {
  const p = Math.max(0, Math.min(6, precision));
  const unit = 10n ** BigInt(6 - p);
  const half = unit / 2n;
  return ((t + half) / unit) * unit;
}

const truncUnits = [
  "microseconds",
  "milliseconds",
  "second",
  "minute",
  "hour",
  "day",
  "week",
  "month",
  "quarter",
  "year",
  "decade",
  "century",
  "millennium",
];

/** Canonical name of a date/time unit (`secs` → second). */
export function unitName(u: string): string {
  const l = u.toLowerCase();
  const aliases: Record<string, string> = {
    us: "microseconds",
    usec: "microseconds",
    microsecond: "microseconds",
    ms: "milliseconds",
    msec: "milliseconds",
    millisecond: "milliseconds",
    sec: "second",
    seconds: "second",
    s: "second",
    min: "minute",
    minutes: "minute",
    hours: "hour",
    h: "hour",
    days: "day",
    d: "day",
    weeks: "week",
    months: "month",
    mon: "month",
    years: "year",
    y: "year",
    decades: "decade",
    centuries: "century",
    millenniums: "millennium",
    millennia: "millennium",
    qtr: "quarter",
  };
  return aliases[l] ?? l;
}

/** Truncates a local timestamp to `unit`. @throws {DbError} 22023 unknown unit */
export function truncLocal(unit: string, local: bigint): bigint {
  if (isInfiniteTimestamp(local)) return local;
  const u = unitName(unit);
  const [days, tod] = splitTimestamp(local);
  const dayStart = BigInt(days) * microsPerDay;
  const [y, m] = civilFromDays(days);
  switch (u) {
    case "microseconds":
      return local;
    case "milliseconds":
      return dayStart + (tod / 1000n) * 1000n;
    case "second":
      return dayStart + (tod / 1_000_000n) * 1_000_000n;
    case "minute":
      return dayStart + (tod / 60_000_000n) * 60_000_000n;
    case "hour":
      return dayStart + (tod / 3_600_000_000n) * 3_600_000_000n;
    case "day":
      return dayStart;
    case "week":
      return BigInt(days - ((days + 3) % 7 + 7) % 7) * microsPerDay;
    case "month":
      return BigInt(daysFromCivil(y, m, 1)) * microsPerDay;
    case "quarter":
      return BigInt(daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1)) * microsPerDay;
    case "year":
      return BigInt(daysFromCivil(y, 1, 1)) * microsPerDay;
    case "decade":
      return BigInt(daysFromCivil(Math.floor(y / 10) * 10, 1, 1)) * microsPerDay;
    case "century":
      return BigInt(daysFromCivil(Math.floor((y - 1) / 100) * 100 + 1, 1, 1)) * microsPerDay;
    case "millennium":
      return BigInt(daysFromCivil(Math.floor((y - 1) / 1000) * 1000 + 1, 1, 1)) * microsPerDay;
  }
  throw new DbError("22023", `unit "${unit}" not recognized for type timestamp without time zone`);
}

defineFunction("date_trunc", {
  args: ["text", "timestamp"],
  ret: "timestamp",
  impl: (a) => truncLocal(a[0] as string, ts(a[1]!)),
}, {
  args: ["text", "timestamptz"],
  ret: "timestamptz",
  volatility: "stable",
  impl: (a, c) => {
    const tz = c.session.timeZone;
    const u = unitName(a[0] as string);
    if (!truncUnits.includes(u)) {
      throw new DbError("22023", `unit "${a[0]}" not recognized for type timestamp with time zone`);
    }
    if (u === "microseconds" || u === "milliseconds" || u === "second" || u === "minute") {
      return truncLocal(u, ts(a[1]!));
    }
    return localToUtc(truncLocal(u, utcToLocal(ts(a[1]!), tz)), tz);
  },
}, {
  args: ["text", "timestamptz", "text"],
  ret: "timestamptz",
  impl: (a) => {
    const tz = a[2] as string;
    return localToUtc(truncLocal(a[0] as string, utcToLocal(ts(a[1]!), tz)), tz);
  },
}, {
  args: ["text", "interval"],
  ret: "interval",
  impl: (a) => truncInterval(a[0] as string, a[1] as Interval),
});

function truncInterval(unit: string, iv: Interval): Interval {
  const u = unitName(unit);
  const years = Math.trunc(iv.months / 12);
  const micro = (d: bigint): bigint => (iv.micros / d) * d;
  switch (u) {
    case "year":
      return new Interval(years * 12, 0, 0n);
    case "month":
      return new Interval(iv.months, 0, 0n);
    case "day":
      return new Interval(iv.months, iv.days, 0n);
    case "hour":
      return new Interval(iv.months, iv.days, micro(3_600_000_000n));
    case "minute":
      return new Interval(iv.months, iv.days, micro(60_000_000n));
    case "second":
      return new Interval(iv.months, iv.days, micro(1_000_000n));
    case "milliseconds":
      return new Interval(iv.months, iv.days, micro(1000n));
    case "microseconds":
      return iv;
  }
  throw new DbError("22023", `unit "${unit}" not supported for type interval`);
}

/** age(a, b): symbolic difference in years, months, days and time, as PostgreSQL computes it. */
export function age(a: bigint, b: bigint): Interval {
  const neg = a < b;
  const [hi, lo] = neg ? [b, a] : [a, b];
  const [d1, t1] = splitTimestamp(hi);
  const [d0, t0] = splitTimestamp(lo);
  const [y1, m1, dd1] = civilFromDays(d1);
  const [y0, m0, dd0] = civilFromDays(d0);
  let micros = t1 - t0;
  let days = dd1 - dd0;
  let months = m1 - m0;
  let years = y1 - y0;
  if (micros < 0n) {
    micros += microsPerDay;
    days--;
  }
  if (days < 0) {
    // PostgreSQL borrows the length of the earlier date's month.
    days += daysInMonth(y0, m0);
    months--;
  }
  if (months < 0) {
    months += 12;
    years--;
  }
  const iv = new Interval(years * 12 + months, days, micros);
  return neg ? new Interval(-iv.months, -iv.days, -iv.micros) : iv;
}

defineFunction("age", {
  args: ["timestamp", "timestamp"],
  ret: "interval",
  impl: (a) => age(ts(a[0]!), ts(a[1]!)),
}, {
  args: ["timestamptz", "timestamptz"],
  ret: "interval",
  volatility: "stable",
  impl: (a, c) =>
    age(utcToLocal(ts(a[0]!), c.session.timeZone), utcToLocal(ts(a[1]!), c.session.timeZone)),
}, {
  args: ["timestamptz"],
  ret: "interval",
  volatility: "stable",
  impl: (a, c) => {
    const today =
      splitTimestamp(utcToLocal(c.session.transactionNow ?? c.session.now, c.session.timeZone))[0];
    return age(BigInt(today) * microsPerDay, utcToLocal(ts(a[0]!), c.session.timeZone));
  },
});

defineFunction("to_timestamp", {
  args: ["float8"],
  ret: "timestamptz",
  impl: (a) => {
    const x = a[0] as number;
    if (!Number.isFinite(x)) throw new DbError("22008", "timestamp out of range");
    return BigInt(Math.round(x * 1e6));
  },
});
defineFunction("justify_days", {
  args: ["interval"],
  ret: "interval",
  impl: (a) => justifyDays(a[0] as Interval),
});
defineFunction("justify_hours", {
  args: ["interval"],
  ret: "interval",
  impl: (a) => justifyHours(a[0] as Interval),
});
defineFunction("justify_interval", {
  args: ["interval"],
  ret: "interval",
  impl: (a) => justifyInterval(a[0] as Interval),
});
defineFunction("isfinite", {
  args: ["date"],
  ret: "bool",
  impl: (a) => Number.isFinite(a[0] as number),
});
defineFunction("isfinite", {
  args: ["timestamptz"],
  ret: "bool",
  impl: (a) => !isInfiniteTimestamp(ts(a[0]!)),
}, { args: ["timestamp"], ret: "bool", impl: (a) => !isInfiniteTimestamp(ts(a[0]!)) });
defineFunction("timezone", {
  args: ["text", "timestamptz"],
  ret: "timestamp",
  impl: (a) => utcToLocal(ts(a[1]!), a[0] as string),
}, {
  args: ["text", "timestamp"],
  ret: "timestamptz",
  impl: (a) => localToUtc(ts(a[1]!), a[0] as string),
}, {
  args: ["interval", "timestamptz"],
  ret: "timestamp",
  impl: (a) => ts(a[1]!) + intervalZone(a[0] as Interval),
}, {
  args: ["interval", "timestamp"],
  ret: "timestamptz",
  impl: (a) => ts(a[1]!) - intervalZone(a[0] as Interval),
});

/** A time zone given as an interval: its offset east of UTC in microseconds. */
function intervalZone(iv: Interval): bigint {
  if (iv.months !== 0 || iv.days !== 0) {
    throw new DbError(
      "22023",
      `interval time zone "${formatIntervalZone(iv)}" must not include months or days`,
    );
  }
  return iv.micros;
}

function formatIntervalZone(iv: Interval): string {
  return `${iv.months} mons ${iv.days} days`;
}
