/**
 * Ordered-set and hypothetical-set aggregates (`... WITHIN GROUP (ORDER BY x)`)
 * as PostgreSQL 15 computes them: percentile_cont, percentile_disc, mode and
 * the hypothetical rank, dense_rank, percent_rank and cume_dist. The executor
 * sorts the group's rows on the WITHIN GROUP key and hands the sorted values
 * here; these functions are pure.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { numericToNumber } from "../../common/numeric.ts";
import { arrayOf, Interval, Numeric, type SqlType, type, type Value } from "../../common/types.ts";
import { formatTypeName } from "../../common/value_text.ts";
import { addIntervals, scaleInterval, subIntervals } from "../../common/interval.ts";

/** Ordered-set aggregates that ignore NULL inputs (percentiles and mode). */
const orderedSetNames = new Set(["percentile_cont", "percentile_disc", "mode"]);
/** Hypothetical-set aggregates (also window functions under their names). */
const hypotheticalNames = new Set(["rank", "dense_rank", "percent_rank", "cume_dist"]);

/** True when `name` is an ordered-set aggregate (one that requires WITHIN GROUP). */
export function isOrderedSetName(name: string): boolean {
  return orderedSetNames.has(name);
}

/** True when `name` can be called with WITHIN GROUP. */
export function acceptsWithinGroup(name: string): boolean {
  return orderedSetNames.has(name) || hypotheticalNames.has(name);
}

/** True for the hypothetical-set aggregates. */
export function isHypotheticalName(name: string): boolean {
  return hypotheticalNames.has(name);
}

function noFunction(name: string, types: readonly SqlType[]): DbError {
  return new DbError(
    "42883",
    `function ${name}(${types.map(formatTypeName).join(", ")}) does not exist`,
  );
}

const numericLike = new Set(["int2", "int4", "int8", "numeric", "float4", "float8", "unknown"]);

/** Argument and result types of an ordered-set call, as PostgreSQL resolves them. */
export interface OrderedSetTypes {
  /** Types the direct arguments are coerced to. */
  readonly direct: readonly SqlType[];
  /** Type the WITHIN GROUP value is coerced to. */
  readonly sort: SqlType;
  readonly result: SqlType;
}

/**
 * Resolves an ordered-set call's types.
 * @throws {DbError} 42883 when no such ordered-set aggregate exists for these types
 */
export function orderedSetTypes(
  name: string,
  direct: readonly SqlType[],
  sort: SqlType,
): OrderedSetTypes {
  const fail = () => noFunction(name, [...direct, sort]);
  const f8 = type("float8");
  const fraction = (t: SqlType | undefined): SqlType | null => {
    if (t === undefined) return null;
    if (t.id === "array") return numericLike.has(t.elem?.id ?? "") ? arrayOf(f8) : null;
    return numericLike.has(t.id) ? f8 : null;
  };
  const sortType = sort.id === "unknown" ? type("text") : sort;
  if (name === "mode") {
    if (direct.length !== 0) throw fail();
    return { direct: [], sort: sortType, result: sortType };
  }
  if (name === "percentile_cont" || name === "percentile_disc") {
    const d = fraction(direct[0]);
    if (direct.length !== 1 || d === null) throw fail();
    const many = d.id === "array";
    if (name === "percentile_disc") {
      return { direct: [d], sort: sortType, result: many ? arrayOf(sortType) : sortType };
    }
    let s: SqlType;
    if (sort.id === "interval") s = sort;
    else if (numericLike.has(sort.id)) s = f8;
    else throw fail();
    return { direct: [d], sort: s, result: many ? arrayOf(s) : s };
  }
  if (hypotheticalNames.has(name)) {
    if (direct.length !== 1) throw fail();
    const result = name === "rank" || name === "dense_rank" ? type("int8") : f8;
    return { direct: [sortType], sort: sortType, result };
  }
  throw fail();
}

function toNumber(v: Value): number {
  return v instanceof Numeric ? numericToNumber(v) : Number(v);
}

function checkFraction(p: number): void {
  if (!(p >= 0 && p <= 1)) {
    throw new DbError("22003", `percentile value ${p} is not between 0 and 1`);
  }
}

function lerp(lo: Value, hi: Value, pct: number): Value {
  if (lo instanceof Interval && hi instanceof Interval) {
    return addIntervals(lo, scaleInterval(subIntervals(hi, lo), pct));
  }
  const a = lo as number;
  const b = hi as number;
  return a + (b - a) * pct;
}

function contAt(sorted: readonly Value[], p: number): Value {
  checkFraction(p);
  const n = sorted.length;
  const pos = p * (n - 1);
  const first = Math.floor(pos);
  const second = Math.ceil(pos);
  const lo = sorted[first] ?? null;
  if (first === second) return lo;
  return lerp(lo, sorted[second] ?? null, pos - first);
}

function discAt(sorted: readonly Value[], p: number): Value {
  checkFraction(p);
  const row = Math.ceil(p * sorted.length);
  return sorted[Math.max(row, 1) - 1] ?? null;
}

/**
 * percentile_cont / percentile_disc over non-null values sorted on the
 * WITHIN GROUP key; `fraction` is a number or an array of numbers (NULL
 * elements give NULL elements).
 * @throws {DbError} 22003 for a fraction outside [0, 1]
 */
export function percentile(
  kind: "cont" | "disc",
  sorted: readonly Value[],
  fraction: Value,
): Value {
  if (fraction === null || sorted.length === 0) return null;
  const at = kind === "cont" ? contAt : discAt;
  if (Array.isArray(fraction)) {
    return fraction.map((f) => (f === null ? null : at(sorted, toNumber(f))));
  }
  return at(sorted, toNumber(fraction));
}

/**
 * mode(): the most frequent of the non-null sorted values; among equally
 * frequent ones the first in sort order.
 */
export function modeOf(sorted: readonly Value[], equal: (a: Value, b: Value) => boolean): Value {
  let best: Value = null;
  let bestCount = 0;
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i]!;
    run = i > 0 && equal(sorted[i - 1]!, v) ? run + 1 : 1;
    if (run > bestCount) {
      bestCount = run;
      best = v;
    }
  }
  return best;
}

/**
 * A hypothetical-set aggregate. `cmp(row, h)` compares each sorted input
 * value with the hypothetical value in the WITHIN GROUP order (NULLs
 * included, placed as the sort key says).
 */
export function hypothetical(
  name: string,
  sorted: readonly Value[],
  h: Value,
  cmp: (a: Value, b: Value) => number,
): Value {
  let before = 0;
  let peers = 0;
  let distinctBefore = 0;
  for (let i = 0; i < sorted.length; i++) {
    const c = cmp(sorted[i]!, h);
    if (c < 0) {
      before++;
      if (i === 0 || cmp(sorted[i - 1]!, sorted[i]!) !== 0) distinctBefore++;
    } else if (c === 0) peers++;
  }
  const n = sorted.length;
  switch (name) {
    case "rank":
      return BigInt(before + 1);
    case "dense_rank":
      return BigInt(distinctBefore + 1);
    case "percent_rank":
      return n === 0 ? 0 : before / n;
    default:
      return (before + peers + 1) / (n + 1);
  }
}
