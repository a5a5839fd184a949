/**
 * Runs read-only plan nodes. Reads never wait (MVCC), so this part of the
 * executor is synchronous; DML (`run_dml.ts`) is async because row locks wait.
 * @module
 */
import { assertNever, DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { PlanNode, SortKey } from "./plan.ts";
import { compile, truthy } from "./scalar.ts";
import { compareValues, hashKey } from "./values.ts";
import { comparatorFor } from "./functions/compare.ts";
import { runAggregate } from "./aggregate.ts";
import { runWindow } from "./window.ts";
import { runJoin } from "./join.ts";
import { fusedAggShape } from "./agg_join_shape.ts";
import { runFusedAggregate } from "./agg_join.ts";
import { functionScan } from "./function_scan.ts";
import type { StoredRangeBound, StoredRow } from "./relation_spec.ts";

/**
 * Visible rows whose index key equals `key`: a B+tree lookup, or a filtered
 * scan when the index is over a type the key codec cannot encode.
 */
export function indexLookup(
  rel: number,
  index: number,
  key: readonly Value[],
  ctx: ExecContext,
  wanted?: readonly boolean[],
): Iterable<StoredRow> {
  const found = ctx.rs.lookup(rel, index, key, ctx.txn, wanted);
  if (found) return found;
  const keyOf = ctx.rs.indexKeyOf(rel, index) ?? (() => []);
  const out: StoredRow[] = [];
  for (const t of ctx.rs.scan(rel, ctx.txn)) {
    if (keyOf(t.values).every((v, i) => equalKey(v, key[i] ?? null))) out.push(t);
  }
  return out;
}

function equalKey(a: Value, b: Value): boolean {
  return a !== null && b !== null && compareValues(a, b) === 0;
}

function inRange(v: Value, lo: StoredRangeBound | null, hi: StoredRangeBound | null): boolean {
  if (v === null) return false;
  if (lo) {
    const c = compareValues(v, lo.value);
    if (c < 0 || (c === 0 && !lo.inclusive)) return false;
  }
  if (hi) {
    const c = compareValues(v, hi.value);
    if (c > 0 || (c === 0 && !hi.inclusive)) return false;
  }
  return true;
}

function indexRange(
  rel: number,
  index: number,
  lo: StoredRangeBound | null,
  hi: StoredRangeBound | null,
  ctx: ExecContext,
  wanted: readonly boolean[] | undefined,
): Iterable<StoredRow> {
  const found = ctx.rs.range(rel, index, lo, hi, ctx.txn, false, wanted);
  if (found) return found;
  const keyOf = ctx.rs.indexKeyOf(rel, index) ?? (() => []);
  const first = (row: readonly Value[]) => keyOf(row)[0] ?? null;
  const out: { row: StoredRow; key: Value }[] = [];
  for (const t of ctx.rs.scan(rel, ctx.txn)) {
    const key = first(t.values);
    if (inRange(key, lo, hi)) out.push({ row: t, key });
  }
  return out.sort((a, b) => compareValues(a.key!, b.key!)).map((x) => x.row);
}

/**
 * Runs a read plan and returns its rows.
 * @param limitHint stop early once this many rows are known (EXISTS)
 * @throws {DbError} from expressions, 57014 when cancelled
 */
export function runPlan(node: PlanNode, ctx: ExecContext, limitHint = Infinity): Value[][] {
  if (!ctx.stats) return run(node, ctx, limitHint);
  const start = ctx.clockMs();
  const rows = run(node, ctx, limitHint);
  const s = ctx.stats.get(node) ?? { rows: 0, ms: 0, loops: 0 };
  s.rows += rows.length;
  s.ms += ctx.clockMs() - start;
  s.loops++;
  ctx.stats.set(node, s);
  return rows;
}

function widen(values: Value[], width: number, missing: readonly Value[]): Value[] {
  if (values.length >= width) return values;
  const out = values.slice();
  for (let i = values.length; i < width; i++) out.push(missing[i] ?? null);
  return out;
}

function run(node: PlanNode, ctx: ExecContext, limitHint: number): Value[][] {
  ctx.checkCancel();
  switch (node.kind) {
    case "values": {
      const cols = node.rows.map((r) => r.map(compile));
      return cols.map((r) => r.map((c) => c([], ctx)));
    }
    case "seq_scan": {
      const filter = node.filter ? compile(node.filter) : null;
      const out: Value[][] = [];
      const skip = ctx.skipRowIds ?? null;
      const collect = ctx.lockCollect?.get(node.rel) ?? null;
      for (const t of ctx.rs.scan(node.rel, ctx.txn, undefined, node.needed)) {
        if (skip?.has(t.rowId)) continue;
        const row = widen(t.values, node.width, node.missing);
        if (filter && !truthy(filter(row, ctx))) continue;
        collect?.push(t.rowId);
        out.push(node.ctid ? [...row, t.rowId] : row);
        if (out.length >= limitHint) break;
      }
      return out;
    }
    case "index_scan": {
      const key = node.key.map((k) => compile(k)([], ctx));
      if (key.some((k) => k === null)) return [];
      const filter = node.filter ? compile(node.filter) : null;
      const out: Value[][] = [];
      const skip = ctx.skipRowIds ?? null;
      const collect = ctx.lockCollect?.get(node.rel) ?? null;
      for (const t of indexLookup(node.rel, node.index, key, ctx, node.needed)) {
        if (skip?.has(t.rowId)) continue;
        const row = widen(t.values, node.width, node.missing);
        if (filter && !truthy(filter(row, ctx))) continue;
        collect?.push(t.rowId);
        out.push(node.ctid ? [...row, t.rowId] : row);
      }
      return out;
    }
    case "index_range": {
      const lo = node.lo ? compile(node.lo)([], ctx) : undefined;
      const hi = node.hi ? compile(node.hi)([], ctx) : undefined;
      if (lo === null || hi === null) return [];
      const filter = node.filter ? compile(node.filter) : null;
      const out: Value[][] = [];
      const rows = indexRange(
        node.rel,
        node.index,
        lo === undefined ? null : { value: lo, inclusive: node.loInclusive },
        hi === undefined ? null : { value: hi, inclusive: node.hiInclusive },
        ctx,
        node.needed,
      );
      const skip = ctx.skipRowIds ?? null;
      const collect = ctx.lockCollect?.get(node.rel) ?? null;
      for (const t of rows) {
        if (skip?.has(t.rowId)) continue;
        const row = widen(t.values, node.width, node.missing);
        if (filter && !truthy(filter(row, ctx))) continue;
        collect?.push(t.rowId);
        out.push(node.ctid ? [...row, t.rowId] : row);
      }
      return out;
    }
    case "filter": {
      const p = compile(node.predicate);
      const out: Value[][] = [];
      for (const row of runPlan(node.input, ctx)) {
        if (truthy(p(row, ctx))) {
          out.push(row);
          if (out.length >= limitHint) break;
        }
      }
      return out;
    }
    case "project": {
      const exprs = node.exprs.map(compile);
      return runPlan(node.input, ctx, limitHint).map((row) => exprs.map((e) => e(row, ctx)));
    }
    case "join":
      return runJoin(node, ctx);
    case "aggregate": {
      const fused = ctx.stats || ctx.lockCollect || ctx.skipRowIds ? null : fusedAggShape(node);
      if (fused) return runFusedAggregate(node, fused, ctx);
      return runAggregate(node, runPlan(node.input, ctx), ctx);
    }
    case "window":
      return runWindow(node, runPlan(node.input, ctx), ctx);
    case "sort":
      return sortRows(runPlan(node.input, ctx), node.keys, ctx);
    case "limit":
      return runLimit(node, ctx);
    case "distinct":
      return runDistinct(node, runPlan(node.input, ctx), ctx);
    case "set_op":
      return runSetOp(node, runPlan(node.left, ctx), runPlan(node.right, ctx));
    case "cte_scan": {
      const rows = ctx.ctes.get(node.id);
      if (!rows) throw new DbError("XX000", `CTE ${node.name} was not materialized`);
      return rows;
    }
    case "with":
      for (const c of node.ctes) materializeCte(c, ctx);
      return runPlan(node.input, ctx, limitHint);
    case "function_scan":
      return ctx.systemRows?.(node.fn) ?? functionScan(
        node.fn,
        node.args.map((a) => compile(a)([], ctx)),
        node.args.map((a) => a.type),
        node.width,
      );
    case "insert":
    case "update":
    case "delete":
      throw new DbError("0A000", "data-modifying statement is not allowed here");
    default:
      return assertNever(node, "plan node");
  }
}

function materializeCte(
  c: Extract<PlanNode, { kind: "with" }>["ctes"][number],
  ctx: ExecContext,
): void {
  if (ctx.ctes.has(c.id) && !c.recursive) return;
  const base = runPlan(c.plan, ctx);
  if (!c.recursive) {
    ctx.ctes.set(c.id, base);
    return;
  }
  const all = [...base];
  const seen = new Set<string>(c.unionAll ? [] : base.map((r) => hashKey(r)));
  let work = c.unionAll ? base : dedupe(base, new Set());
  for (let iter = 0; work.length > 0; iter++) {
    if (iter > 1_000_000) throw new DbError("54001", "Recursive query exceeded 1000000 iterations");
    ctx.ctes.set(c.id, work);
    const next: Value[][] = [];
    for (const row of runPlan(c.recursive, ctx)) {
      if (!c.unionAll) {
        const k = hashKey(row);
        if (seen.has(k)) continue;
        seen.add(k);
      }
      next.push(row);
    }
    all.push(...next);
    work = next;
  }
  ctx.ctes.set(c.id, all);
}

function dedupe(rows: Value[][], seen: Set<string>): Value[][] {
  return rows.filter((r) => {
    const k = hashKey(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Compares two values for ORDER BY with NULL placement. */
export function compareForSort(
  a: Value,
  b: Value,
  descending: boolean,
  nullsFirst: boolean,
  cmp: (a: Value, b: Value) => number = compareValues,
): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === nullsFirst ? -1 : 1;
  }
  const c = cmp(a, b);
  return descending ? -c : c;
}

/** Sorts rows by keys (stable). */
export function sortRows(rows: Value[][], keys: readonly SortKey[], ctx: ExecContext): Value[][] {
  const fns = keys.map((k) => compile(k.expr));
  // Enums order by declaration, not by label text.
  const cmps = keys.map((k) =>
    k.expr.type.id === "enum" ? comparatorFor(k.expr.type) : compareValues
  );
  const decorated = rows.map((row, i) => ({ row, i, k: fns.map((f) => f(row, ctx)) }));
  decorated.sort((x, y) => {
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j]!;
      const c = compareForSort(x.k[j]!, y.k[j]!, key.descending, key.nullsFirst, cmps[j]);
      if (c !== 0) return c;
    }
    return x.i - y.i;
  });
  return decorated.map((d) => d.row);
}

function countValue(v: Value, what: string): number {
  if (v === null) return Infinity;
  const n = Number(v);
  if (n < 0) {
    // PostgreSQL: 2201W invalid_row_count_in_limit_clause, 2201X ... in_result_offset_clause.
    throw new DbError(what === "OFFSET" ? "2201X" : "2201W", `${what} must not be negative`);
  }
  return n;
}

function runLimit(node: Extract<PlanNode, { kind: "limit" }>, ctx: ExecContext): Value[][] {
  const limit = node.limit ? countValue(compile(node.limit)([], ctx), "LIMIT") : Infinity;
  const offsetValue = node.offset ? compile(node.offset)([], ctx) : 0;
  const offset = offsetValue === null ? 0 : countValue(offsetValue, "OFFSET");
  const rows = runPlan(node.input, ctx, node.ties ? Infinity : limit + offset);
  let end = limit === Infinity ? rows.length : offset + limit;
  if (node.ties && end > offset) end = tiesEnd(rows, end, node.ties, ctx);
  return rows.slice(offset, end);
}

/** End of the run of rows tied (on `keys`) with the row before `end`. */
function tiesEnd(rows: Value[][], end: number, keys: readonly SortKey[], ctx: ExecContext): number {
  const fns = keys.map((k) => compile(k.expr));
  const last = rows[end - 1];
  if (last === undefined) return end;
  const lastKey = fns.map((f) => f(last, ctx));
  while (end < rows.length) {
    const row = rows[end]!;
    if (!fns.every((f, j) => compareForSort(f(row, ctx), lastKey[j]!, false, false) === 0)) break;
    end++;
  }
  return end;
}

function runDistinct(
  node: Extract<PlanNode, { kind: "distinct" }>,
  rows: Value[][],
  ctx: ExecContext,
): Value[][] {
  const seen = new Set<string>();
  const on = node.on?.map(compile) ?? null;
  return rows.filter((row) => {
    const k = hashKey(on ? on.map((f) => f(row, ctx)) : row);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function runSetOp(
  node: Extract<PlanNode, { kind: "set_op" }>,
  left: Value[][],
  right: Value[][],
): Value[][] {
  if (node.op === "union") {
    return node.all ? [...left, ...right] : dedupe([...left, ...right], new Set());
  }
  const counts = new Map<string, number>();
  for (const r of right) {
    const k = hashKey(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const out: Value[][] = [];
  const emitted = new Set<string>();
  for (const r of left) {
    const k = hashKey(r);
    const c = counts.get(k) ?? 0;
    if (node.op === "intersect") {
      if (c === 0) continue;
      if (node.all) counts.set(k, c - 1);
      else if (emitted.has(k)) continue;
    } else {
      if (node.all) {
        if (c > 0) {
          counts.set(k, c - 1);
          continue;
        }
      } else if (c > 0 || emitted.has(k)) continue;
    }
    emitted.add(k);
    out.push(r);
  }
  return out;
}
