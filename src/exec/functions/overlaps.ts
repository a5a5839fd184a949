/**
 * `overlaps(s1, e1, s2, e2)`, what `(s1, e1) OVERLAPS (s2, e2)` calls: do two
 * periods share an instant? NULL bounds follow PostgreSQL's
 * `overlaps_timestamp` (SQL's rule: unknown unless the known bounds decide).
 * @module
 */

import type { Value } from "../../common/types.ts";
import { defineFunction } from "./registry.ts";

/** Orders a period's bounds: a lone non-NULL bound comes first (`end` NULL). */
function period(start: Value, end: Value): [bigint, bigint | null] | null {
  if (start === null) return end === null ? null : [end as bigint, null];
  if (end === null) return [start as bigint, null];
  const [s, e] = [start as bigint, end as bigint];
  return s > e ? [e, s] : [s, e];
}

/**
 * Whether two periods overlap; null when NULL bounds leave it open.
 * @example periodsOverlap(1n, 5n, 4n, 9n) // true
 */
export function periodsOverlap(s1: Value, e1: Value, s2: Value, e2: Value): boolean | null {
  const a = period(s1, e1);
  const b = period(s2, e2);
  if (a === null || b === null) return null;
  const [[as, ae], [bs, be]] = [a, b];
  if (as > bs) {
    if (be === null) return null;
    if (as < be) return true;
    return ae === null ? null : false;
  }
  if (as < bs) {
    if (ae === null) return null;
    if (bs < ae) return true;
    return be === null ? null : false;
  }
  return ae === null || be === null ? null : true;
}

for (const t of ["timestamp", "timestamptz", "time"] as const) {
  defineFunction("overlaps", {
    args: [t, t, t, t],
    ret: "bool",
    strict: false,
    impl: (a) => periodsOverlap(a[0]!, a[1]!, a[2]!, a[3]!),
  });
}
