/**
 * RANGE frames with an offset (`RANGE BETWEEN 2 PRECEDING AND CURRENT ROW`,
 * `RANGE BETWEEN interval '1 day' PRECEDING ...`): a bound is the first (or
 * last) row whose one ORDER BY value lies within the offset of the current
 * row's, found by binary search in the sorted partition. NULL values sort
 * before or after every other value, as the partition does.
 * @module
 */
import { Interval, Numeric, type Value } from "../common/types.ts";
import { timestampPlusInterval } from "./functions/arith.ts";
import { numericOp, toNumeric } from "./numeric_ops.ts";
import { compareValues } from "./values.ts";

const microsPerDay = 86_400_000_000;

/** The sorted partition's ORDER BY values, with the span of the non-null ones. */
export interface RangeKeys {
  readonly keys: readonly Value[];
  readonly descending: boolean;
  /** First and last index of non-null keys (first > last when all are null). */
  readonly first: number;
  readonly last: number;
}

/** Describes a sorted partition's keys for `rangeEdge`. */
export function rangeKeys(keys: readonly Value[], descending: boolean): RangeKeys {
  let first = 0;
  while (first < keys.length && keys[first] === null) first++;
  let last = keys.length - 1;
  while (last >= 0 && keys[last] === null) last--;
  return { keys, descending, first, last };
}

/**
 * The frame edge `distance` PRECEDING or FOLLOWING row i: for the start, the
 * first row at or after the target value (in sort order); for the end, the
 * last row at or before it. A NULL current value's frame is its peer group.
 */
export function rangeEdge(
  r: RangeKeys,
  i: number,
  distance: Value,
  preceding: boolean,
  isStart: boolean,
  peers: { readonly start: number; readonly end: number },
): number {
  const key = r.keys[i] ?? null;
  if (key === null) return isStart ? peers.start : peers.end;
  const back = preceding !== r.descending;
  const target = shift(key, distance, back ? -1 : 1);
  const order = (v: Value) => (r.descending ? -1 : 1) * compareValues(v, target);
  let lo = r.first;
  let hi = r.last;
  if (isStart) {
    // First index with order(key) >= 0.
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (order(r.keys[mid]!) >= 0) hi = mid - 1;
      else lo = mid + 1;
    }
    return lo;
  }
  // Last index with order(key) <= 0.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (order(r.keys[mid]!) <= 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi;
}

/** `key + sign * distance` in the key's representation. */
function shift(key: Value, distance: Value, sign: 1 | -1): Value {
  if (distance instanceof Interval) {
    const d = sign > 0
      ? distance
      : new Interval(-distance.months, -distance.days, -distance.micros);
    // A date (days) is compared in days, fractions of a day included.
    if (typeof key === "number") {
      return Number(timestampPlusInterval(BigInt(key) * BigInt(microsPerDay), d)) / microsPerDay;
    }
    return timestampPlusInterval(key as bigint, d);
  }
  if (key instanceof Numeric) {
    return numericOp(sign > 0 ? "+" : "-", key, toNumeric(distance as number));
  }
  if (typeof key === "bigint") return key + BigInt(sign) * BigInt(Math.trunc(distance as number));
  return (key as number) + sign * (distance as number);
}
