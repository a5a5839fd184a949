/**
 * Accumulators of the fused aggregate-over-join path: per-group states
 * (`Groups`) and, when the aggregation is pushed below the joins, per
 * join-key partial states of the probe input (`Partials`).
 * @module
 */
import type { Value } from "../common/types.ts";
import { finishSimple } from "./aggregate.ts";
import { checkBigint, hashKey } from "./values.ts";
import type { FusedShape } from "./agg_join_shape.ts";

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/** A join key as a Map key: equal SQL values give equal keys (3 and 3::int8 both 3). */
export function normKey(v: Value): number | string | bigint | null {
  if (typeof v === "number" || typeof v === "string") return v;
  if (typeof v === "bigint") return v <= maxSafe && v >= -maxSafe ? Number(v) : v;
  return null;
}
/** Bound on a running double sum of integers that keeps it exact (flushed to a bigint above). */
const exactMax = 2 ** 52;

/** Running int sums: a double part per slot, flushed into a (rarely used) bigint part. */
class IntSums {
  readonly small: number[] = [];
  /** Non-null inputs per slot. */
  readonly seen: number[] = [];
  readonly big = new Map<number, bigint>();

  push(): void {
    this.small.push(0);
    this.seen.push(0);
  }

  add(id: number, v: Value): void {
    this.seen[id]!++;
    if (typeof v === "number" && Number.isInteger(v)) {
      const s = this.small[id]! + v;
      if (s > exactMax || s < -exactMax) {
        this.#flush(id, BigInt(s));
        this.small[id] = 0;
      } else this.small[id] = s;
    } else this.#flush(id, BigInt(v as number));
  }

  #flush(id: number, v: bigint): void {
    this.big.set(id, (this.big.get(id) ?? 0n) + v);
  }

  /** Adds slot `from` of `other` into slot `id`. */
  merge(id: number, other: IntSums, from: number): void {
    const b = other.big.get(from);
    if (b !== undefined) this.#flush(id, b);
    this.add(id, other.small[from]!);
    this.seen[id]! += other.seen[from]! - 1;
  }

  result(id: number): Value {
    if (this.seen[id] === 0) return null;
    return checkBigint((this.big.get(id) ?? 0n) + BigInt(this.small[id]!));
  }
}

/**
 * Partial aggregates of the probe input keyed by its first join key, in the
 * order keys are first seen. Only count(*), count(col) and int sums of probe
 * columns are pushed down (their states add up across partials).
 */
export class Partials {
  readonly keys: (number | string | bigint)[] = [];
  readonly rows: number[] = [];
  /** Per aggregate: non-null counts (count) or int sums (sum_int). */
  readonly counts: number[][];
  readonly sums: IntSums[];
  readonly #ids = new Map<number | string | bigint, number>();
  /** Partial + 1 per key for keys below `denseKeys` (0: none yet). */
  readonly #dense: Int32Array;

  /** @param denseKeys keys below this small non-negative integer are indexed by an array */
  constructor(readonly shape: FusedShape, denseKeys: number) {
    this.counts = shape.aggs.map(() => []);
    this.sums = shape.aggs.map(() => new IntSums());
    this.#dense = new Int32Array(denseKeys);
  }

  /** The partial of a join key, created on first sight. */
  id(key: number | string | bigint): number {
    const dense = typeof key === "number" && key >= 0 && key < this.#dense.length &&
      Number.isInteger(key);
    const id = dense ? this.#dense[key]! - 1 : this.#ids.get(key) ?? -1;
    if (id >= 0) return id;
    const n = this.keys.length;
    if (dense) this.#dense[key] = n + 1;
    else this.#ids.set(key, n);
    this.keys.push(key);
    this.rows.push(0);
    const aggs = this.shape.aggs;
    for (let a = 0; a < aggs.length; a++) {
      const kind = aggs[a]!.kind;
      if (kind === "count") this.counts[a]!.push(0);
      else if (kind === "sum_int") this.sums[a]!.push();
    }
    return n;
  }

  /**
   * Feeds a batch of probe rows given column by column: `keys[i]` is row
   * `i`'s join key (rows whose key is null or matches nothing are skipped by
   * `matches`), `args[a]` the argument column of aggregate `a` (unused for
   * count(*)).
   */
  stepColumns(
    count: number,
    keys: readonly Value[],
    args: readonly (readonly Value[])[],
    matches: (key: number | string | bigint) => boolean,
  ): void {
    const aggs = this.shape.aggs;
    for (let i = 0; i < count; i++) {
      const k = normKey(keys[i] ?? null);
      if (k === null || !matches(k)) continue;
      const id = this.id(k);
      this.rows[id]!++;
      for (let a = 0; a < aggs.length; a++) {
        const kind = aggs[a]!.kind;
        if (kind === "count_star") continue;
        const v = args[a]![i] ?? null;
        if (v === null) continue;
        if (kind === "count") this.counts[a]![id]!++;
        else this.sums[a]!.add(id, v);
      }
    }
  }

  /** Feeds one probe row to partial `id`. */
  step(id: number, row: readonly Value[]): void {
    this.rows[id]!++;
    const aggs = this.shape.aggs;
    for (let a = 0; a < aggs.length; a++) {
      const agg = aggs[a]!;
      if (agg.kind === "count_star") continue;
      const v = row[agg.arg.col] ?? null;
      if (v === null) continue;
      if (agg.kind === "count") this.counts[a]![id]!++;
      else this.sums[a]!.add(id, v);
    }
  }
}

/** Per-group accumulators, one array per aggregate indexed by group number. */
export class Groups {
  readonly keys: Value[][] = [];
  readonly #ids = new Map<unknown, number>();
  readonly #counts: number[][];
  readonly #sums: IntSums[];
  readonly #lists: Value[][][];

  constructor(readonly shape: FusedShape) {
    this.#counts = shape.aggs.map(() => []);
    this.#sums = shape.aggs.map(() => new IntSums());
    this.#lists = shape.aggs.map(() => []);
  }

  /** The group number of the key read from the inputs' rows `cur`, created on first sight. */
  id(cur: readonly (readonly Value[])[]): number {
    const g = this.shape.groups;
    if (this.shape.primitiveGroup) {
      const v = cur[g[0]!.src]![g[0]!.col] ?? null;
      const h = typeof v === "bigint" && v <= maxSafe && v >= -maxSafe ? Number(v) : v;
      const id = this.#ids.get(h);
      return id !== undefined ? id : this.add(h, [v]);
    }
    const key = g.map((r) => cur[r.src]![r.col] ?? null);
    const h = hashKey(key);
    const id = this.#ids.get(h);
    return id !== undefined ? id : this.add(h, key);
  }

  /** Adds a group with hash key `h` and values `key`. */
  add(h: unknown, key: Value[]): number {
    const id = this.keys.length;
    this.#ids.set(h, id);
    this.keys.push(key);
    const aggs = this.shape.aggs;
    for (let a = 0; a < aggs.length; a++) {
      const kind = aggs[a]!.kind;
      if (kind === "sum_int") this.#sums[a]!.push();
      else if (kind === "collect") this.#lists[a]!.push([]);
      else this.#counts[a]!.push(0);
    }
    return id;
  }

  /** Feeds one joined row (its inputs' rows in `cur`) to group `id`. */
  step(id: number, cur: readonly (readonly Value[])[]): void {
    const aggs = this.shape.aggs;
    for (let a = 0; a < aggs.length; a++) {
      const agg = aggs[a]!;
      if (agg.kind === "count_star") {
        this.#counts[a]![id]!++;
        continue;
      }
      const v = cur[agg.arg.src]![agg.arg.col] ?? null;
      if (v === null) continue;
      if (agg.kind === "count") this.#counts[a]![id]!++;
      else if (agg.kind === "collect") this.#lists[a]![id]!.push(v);
      else this.#sums[a]!.add(id, v);
    }
  }

  /** Adds partial `from` (all its probe rows joined to one combination of build rows). */
  merge(id: number, p: Partials, from: number): void {
    const aggs = this.shape.aggs;
    for (let a = 0; a < aggs.length; a++) {
      const kind = aggs[a]!.kind;
      if (kind === "count_star") this.#counts[a]![id]! += p.rows[from]!;
      else if (kind === "count") this.#counts[a]![id]! += p.counts[a]![from]!;
      else this.#sums[a]!.merge(id, p.sums[a]!, from);
    }
  }

  /** Output rows: group values, aggregate results, grouping bits (0). */
  rows(): Value[][] {
    const out: Value[][] = [];
    const aggs = this.shape.aggs;
    for (let id = 0; id < this.keys.length; id++) {
      const row: Value[] = [...this.keys[id]!];
      for (let a = 0; a < aggs.length; a++) {
        const agg = aggs[a]!;
        if (agg.kind === "count_star" || agg.kind === "count") {
          row.push(BigInt(this.#counts[a]![id]!));
        } else if (agg.kind === "sum_int") row.push(this.#sums[a]!.result(id));
        else row.push(finishSimple(agg.spec.fn, this.#lists[a]![id]!, agg.spec.type));
      }
      row.push(0);
      out.push(row);
    }
    return out;
  }
}
