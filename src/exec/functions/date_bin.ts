/**
 * `date_bin(stride, source, origin)`: the start of the stride-wide bin that
 * holds `source`, bins counted from `origin` (PostgreSQL 14+). Timestamps are
 * microseconds, so both overloads compute on absolute time.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { Interval, type Value } from "../../common/types.ts";
import { defineFunction } from "./registry.ts";

const microsPerDay = 86_400_000_000n;

/**
 * The bin of `source`.
 * @throws {DbError} 0A000 a stride with months or years, 22008 a stride not above zero
 */
export function dateBin(stride: Interval, source: bigint, origin: bigint): bigint {
  if (stride.months !== 0) {
    throw new DbError(
      "0A000",
      "timestamps cannot be binned into intervals containing months or years",
    );
  }
  const width = BigInt(stride.days) * microsPerDay + stride.micros;
  if (width <= 0n) throw new DbError("22008", "stride must be greater than zero");
  const diff = source - origin;
  const rest = diff % width;
  // A source before the origin belongs to the bin that starts below it.
  return origin + diff - rest - (diff < 0n && rest !== 0n ? width : 0n);
}

const impl = (a: Value[]) => dateBin(a[0] as Interval, a[1] as bigint, a[2] as bigint);

defineFunction("date_bin", {
  args: ["interval", "timestamp", "timestamp"],
  ret: "timestamp",
  impl,
}, {
  args: ["interval", "timestamptz", "timestamptz"],
  ret: "timestamptz",
  impl,
});
