/**
 * Date/time constructors: make_date, make_time, make_timestamp,
 * make_timestamptz and make_interval, with PostgreSQL's range checks (22008).
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Interval } from "../../common/types.ts";
import { daysFromCivil, daysInMonth, localToUtc, microsPerDay } from "../../common/datetime.ts";
import { defineFunction } from "./registry.ts";

function checkedDate(y: number, m: number, d: number): number {
  if (m < 1 || m > 12 || d < 1 || y === 0 || d > daysInMonth(y < 0 ? y + 1 : y, m)) {
    throw new DbError(
      "22008",
      `date field value out of range: ${y}-${String(m).padStart(2, "0")}-${
        String(d).padStart(2, "0")
      }`,
    );
  }
  return daysFromCivil(y < 0 ? y + 1 : y, m, d);
}

function timeMicros(h: number, mi: number, s: number): bigint {
  if (h < 0 || h > 24 || mi < 0 || mi > 59 || s < 0 || s > 60) {
    throw new DbError(
      "22008",
      `time field value out of range: ${h}:${String(mi).padStart(2, "0")}:${
        String(s).padStart(2, "0")
      }`,
    );
  }
  return BigInt(h * 3600 + mi * 60) * 1_000_000n + BigInt(Math.round(s * 1e6));
}

defineFunction("make_date", {
  args: ["int4", "int4", "int4"],
  ret: "date",
  impl: (a) => checkedDate(a[0] as number, a[1] as number, a[2] as number),
});
defineFunction("make_time", {
  args: ["int4", "int4", "float8"],
  ret: "time",
  impl: (a) => timeMicros(a[0] as number, a[1] as number, a[2] as number),
});
defineFunction("make_timestamp", {
  args: ["int4", "int4", "int4", "int4", "int4", "float8"],
  ret: "timestamp",
  impl: (a) =>
    BigInt(checkedDate(a[0] as number, a[1] as number, a[2] as number)) * microsPerDay +
    timeMicros(a[3] as number, a[4] as number, a[5] as number),
});
defineFunction("make_timestamptz", {
  args: ["int4", "int4", "int4", "int4", "int4", "float8"],
  ret: "timestamptz",
  volatility: "stable",
  impl: (a, c) =>
    localToUtc(
      BigInt(checkedDate(a[0] as number, a[1] as number, a[2] as number)) * microsPerDay +
        timeMicros(a[3] as number, a[4] as number, a[5] as number),
      c.session.timeZone,
    ),
});
const makeIntervalArgs = ["int4", "int4", "int4", "int4", "int4", "int4", "float8"] as const;
for (let n = 0; n <= 7; n++) {
  defineFunction("make_interval", {
    args: makeIntervalArgs.slice(0, n),
    ret: "interval",
    impl: (a) => {
      const [y = 0, mo = 0, w = 0, d = 0, h = 0, mi = 0, s = 0] = a as number[];
      return new Interval(
        y * 12 + mo,
        w * 7 + d,
        BigInt(h * 3600 + mi * 60) * 1_000_000n + BigInt(Math.round(s * 1e6)),
      );
    },
  });
}
