/**
 * Runs the fused aggregate over a chain of hash joins (see
 * `agg_join_shape.ts`): build inputs are hashed on their key value, the
 * probe input is streamed, and each probe row's matches feed per-group
 * accumulators; no joined row is ever built. Results equal the row
 * operators' (same groups in the same first-seen order, same aggregate
 * types and NULL rules).
 * @module
 */
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { PlanNode } from "./plan.ts";
import { compile, truthy } from "./scalar.ts";
import { runPlan } from "./run_select.ts";
import { Groups, normKey, Partials } from "./agg_join_groups.ts";
import type { ColumnRef, FusedShape } from "./agg_join_shape.ts";

type AggNode = Extract<PlanNode, { kind: "aggregate" }>;

/**
 * A build input hashed on its key column. Keys that are all small
 * non-negative integers index a dense array directly; others go through a
 * Map keyed by the value. Rows with equal keys are chained through `next`.
 */
interface HashTable {
  readonly rows: Value[][];
  /** Dense form: first row + 1 per key value (0: none). */
  readonly dense: Int32Array | null;
  readonly map: Map<number | string | bigint, number> | null;
  /** Next row + 1 with the same key (0: end of chain). */
  readonly next: Int32Array;
  readonly size: number;
}

/** Largest key range (per build row, plus slack) that gets a dense table. */
const denseSlack = 4096;

function buildTable(node: PlanNode, key: number, ctx: ExecContext): HashTable {
  const rows = runPlan(node, ctx);
  const n = rows.length;
  const keys = new Array<number | string | bigint | null>(n);
  let max = -1;
  let dense = true;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const k = normKey(rows[i]![key] ?? null);
    keys[i] = k;
    if (k === null) continue;
    size++;
    if (
      dense && typeof k === "number" && Number.isInteger(k) && k >= 0 && k <= 2 * n + denseSlack
    ) {
      if (k > max) max = k;
    } else dense = false;
  }
  const next = new Int32Array(n);
  if (dense) {
    const first = new Int32Array(max + 1);
    for (let i = n - 1; i >= 0; i--) {
      const k = keys[i];
      if (k === null) continue;
      next[i] = first[k as number]!;
      first[k as number] = i + 1;
    }
    return { rows, dense: first, map: null, next, size };
  }
  const map = new Map<number | string | bigint, number>();
  for (let i = n - 1; i >= 0; i--) {
    const k = keys[i]!;
    if (k === null) continue;
    next[i] = map.get(k) ?? 0;
    map.set(k, i + 1);
  }
  return { rows, dense: null, map, next, size };
}

/** First matching row + 1 for a key (0: none). */
function probe(t: HashTable, key: number | string | bigint): number {
  if (t.dense) {
    return typeof key === "number" && key >= 0 && key < t.dense.length ? t.dense[key] ?? 0 : 0;
  }
  return t.map!.get(key) ?? 0;
}

/** Streams the probe input's rows in bounded batches. */
function* probeRows(node: PlanNode, ctx: ExecContext): Generator<Value[][]> {
  if (node.kind !== "seq_scan" || node.ctid) {
    yield runPlan(node, ctx);
    return;
  }
  const filter = node.filter ? compile(node.filter) : null;
  for (const batch of ctx.rs.scanBatches(node.rel, ctx.txn, node.needed)) {
    ctx.checkCancel();
    const rows: Value[][] = [];
    for (let i = 0; i < batch.length; i++) {
      let row = batch[i]!;
      if (row.length < node.width) {
        row = row.slice();
        for (let c = row.length; c < node.width; c++) row.push(node.missing[c] ?? null);
      }
      if (filter && !truthy(filter(row, ctx))) continue;
      rows.push(row);
    }
    yield rows;
  }
}

/**
 * Aggregates the probe input by its first join key into `parts`: a plain
 * table scan decodes just the key and argument columns into column arrays;
 * other inputs go row by row.
 */
function partialAggregate(
  shape: FusedShape,
  parts: Partials,
  matches: (key: number | string | bigint) => boolean,
  ctx: ExecContext,
): void {
  const p = shape.probe;
  const key0 = shape.joins[0]!.probeKey.col;
  if (p.kind !== "seq_scan" || p.ctid || p.filter) {
    for (const batch of probeRows(p, ctx)) {
      for (let i = 0; i < batch.length; i++) {
        const row = batch[i]!;
        const k = normKey(row[key0] ?? null);
        if (k !== null && matches(k)) parts.step(parts.id(k), row);
      }
    }
    return;
  }
  // count(*) reads no column.
  const argCols = shape.aggs.map((a) => a.kind === "count_star" ? -1 : a.arg.col);
  const cols = [...new Set([key0, ...argCols.filter((c) => c >= 0)])].sort((a, b) => a - b);
  const none: Value[] = [];
  for (const b of ctx.rs.scanColumns(p.rel, ctx.txn, cols, p.missing)) {
    ctx.checkCancel();
    const column = (c: number) => c < 0 ? none : b.columns[cols.indexOf(c)]!;
    parts.stepColumns(b.count, column(key0), argCols.map(column), matches);
  }
}

/** Calls `visit` once per combination of build rows matching `cur[0]` through joins `k..`. */
type Walk = (k: number, key: number | string | bigint | null) => void;

function walker(
  shape: FusedShape,
  tables: readonly HashTable[],
  cur: (readonly Value[])[],
  visit: () => void,
): Walk {
  const depth = shape.joins.length;
  const probeKeys: ColumnRef[] = shape.joins.map((j) => j.probeKey);
  const walk: Walk = (k, key) => {
    if (key === null) return;
    const t = tables[k]!;
    const last = k + 1 === depth;
    const next = last ? null : probeKeys[k + 1]!;
    for (let m = probe(t, key); m !== 0; m = t.next[m - 1]!) {
      cur[k + 1] = t.rows[m - 1]!;
      if (next === null) visit();
      else walk(k + 1, normKey(cur[next.src]![next.col] ?? null));
    }
  };
  return walk;
}

/**
 * Runs an aggregate node in its fused form.
 * @returns the aggregate's rows (as `runAggregate` would give them)
 */
export function runFusedAggregate(node: AggNode, shape: FusedShape, ctx: ExecContext): Value[][] {
  const tables = shape.joins.map((j) => buildTable(j.build, j.buildKey, ctx));
  const groups = new Groups(shape);
  const cur: (readonly Value[])[] = new Array(shape.joins.length + 1).fill([]);
  const key0 = shape.joins[0]!.probeKey.col;
  if (tables.every((t) => t.size > 0)) {
    if (shape.pushdown) {
      const first = tables[0]!;
      const parts = new Partials(shape, first.dense?.length ?? 0);
      partialAggregate(shape, parts, (k) => probe(first, k) !== 0, ctx);
      let from = 0;
      const walk = walker(shape, tables, cur, () => groups.merge(groups.id(cur), parts, from));
      for (; from < parts.keys.length; from++) walk(0, parts.keys[from]!);
    } else {
      const walk = walker(shape, tables, cur, () => groups.step(groups.id(cur), cur));
      for (const batch of probeRows(shape.probe, ctx)) {
        for (let i = 0; i < batch.length; i++) {
          cur[0] = batch[i]!;
          walk(0, normKey(batch[i]![key0] ?? null));
        }
      }
    }
  }
  // Without GROUP BY there is one row even over no input.
  if (node.groups.length === 0 && groups.keys.length === 0) groups.add("", []);
  return groups.rows();
}
