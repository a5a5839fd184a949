/**
 * Index selection for a filtered table scan: an equality lookup when every
 * column of an index has a `col = value` term, otherwise a range scan over an
 * index's first column for `<`, `<=`, `>`, `>=` terms.
 * @module
 */
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import type { SqlType, Value } from "../../common/types.ts";
import { DbError } from "../../common/errors.ts";
import type { IndexDef, RelationDef } from "../catalog/catalog.ts";
import { bindIndexKeys, exprShape } from "./index_expr.ts";
import { andAll, conjuncts, exprRefs } from "./expr_walk.ts";
import type { Planner } from "./planner_types.ts";

/**
 * Replaces a filtered seq scan with an index lookup when every key of an
 * index (a column, or an expression such as `lower(email)`) has a
 * `key = value` term.
 */
export function chooseIndex(p: Planner, leaf: { node: PlanNode; table: RelationDef | null }): void {
  const n = leaf.node;
  const rel = leaf.table;
  if (n.kind !== "seq_scan" || !rel || !n.filter) return;
  const terms = conjuncts(n.filter);
  // Equality terms by the shape of their key side (a column or an expression of the row).
  const eq = new Map<string, { term: BoundExpr; value: BoundExpr }>();
  for (const t of terms) {
    if (t.kind !== "call" || t.fn !== "=") continue;
    const [a, b] = t.args as [BoundExpr, BoundExpr];
    if (isKeySide(a) && constant(b) && sameFamily(a, b)) {
      eq.set(exprShape(a), { term: t, value: b });
    } else if (isKeySide(b) && constant(a) && sameFamily(b, a)) {
      eq.set(exprShape(b), { term: t, value: a });
    }
  }
  if (eq.size === 0) {
    chooseRange(p, leaf, rel, n, terms);
    return;
  }
  let best: { idx: IndexDef; keys: { term: BoundExpr; value: BoundExpr }[] } | null = null;
  for (const oid of rel.indexes) {
    const idx = p.catalog.indexes.get(oid);
    if (!idx || idx.predicateSql !== null) continue;
    const keys = indexKeys(p, rel, idx)?.map((k) => eq.get(exprShape(k)));
    if (!keys || !keys.every((k) => k !== undefined)) continue;
    if (
      !best || (idx.unique && !best.idx.unique) || idx.columns.length > best.idx.columns.length
    ) {
      best = { idx, keys: keys as { term: BoundExpr; value: BoundExpr }[] };
    }
  }
  if (!best) {
    chooseRange(p, leaf, rel, n, terms);
    return;
  }
  const used = new Set(best.keys.map((k) => k.term));
  leaf.node = {
    kind: "index_scan",
    rel: n.rel,
    table: n.table,
    alias: n.alias,
    index: best.idx.oid,
    indexName: best.idx.name,
    key: best.keys.map((k) => k.value),
    width: n.width,
    filter: andAll(terms.filter((t) => !used.has(t))),
    missing: n.missing as Value[],
    ctid: n.ctid,
  };
}

/** True for a value that is fixed during a scan of the table (no row columns, subqueries, volatile calls). */
function constant(e: BoundExpr): boolean {
  const r = exprRefs(e);
  return r.columns.size === 0 && !r.hasSubquery && !r.volatile;
}

/** True for a row column or an expression of the row's columns an index can hold. */
function isKeySide(e: BoundExpr): boolean {
  if (e.kind === "column") return e.depth === 0;
  const r = exprRefs(e);
  return r.columns.size > 0 && !r.hasSubquery && !r.volatile;
}

/** An index's keys as expressions of the row, or null when they no longer bind. */
function indexKeys(p: Planner, rel: RelationDef, idx: IndexDef): BoundExpr[] | null {
  if (!idx.expressions) {
    return idx.columns.map((c) => ({
      kind: "column",
      depth: 0,
      index: c,
      type: rel.columns[c]?.type ?? { id: "unknown" },
    }));
  }
  try {
    return bindIndexKeys(p, rel, idx);
  } catch (e) {
    // An index whose expression no longer binds is only not chosen; its own
    // maintenance reports the error on writes.
    if (e instanceof DbError) return null;
    throw e;
  }
}

function sameFamily(col: BoundExpr, value: BoundExpr): boolean {
  // Hash keys normalise numbers across int/numeric/float, so any numeric pair is safe.
  const num = ["int2", "int4", "int8", "numeric", "float4", "float8"];
  if (num.includes(col.type.id) && num.includes(value.type.id)) return true;
  return col.type.id === value.type.id || value.type.id === "unknown";
}

const flipped: Record<string, string> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

function chooseRange(
  p: Planner,
  leaf: { node: PlanNode },
  rel: RelationDef,
  n: Extract<PlanNode, { kind: "seq_scan" }>,
  terms: BoundExpr[],
): void {
  for (const oid of rel.indexes) {
    const idx = p.catalog.indexes.get(oid);
    if (!idx || idx.predicateSql !== null) continue;
    const key = indexKeys(p, rel, idx)?.[0];
    if (!key) continue;
    const shape = exprShape(key);
    let lo: { e: BoundExpr; inclusive: boolean } | null = null;
    let hi: { e: BoundExpr; inclusive: boolean } | null = null;
    for (const t of terms) {
      if (t.kind !== "call" || !(t.fn in flipped)) continue;
      const [a, b] = t.args as [BoundExpr, BoundExpr];
      let op: string | null = null;
      let value: BoundExpr | null = null;
      if (isKeySide(a) && exprShape(a) === shape && constant(b) && sameFamily(a, b)) {
        op = t.fn;
        value = b;
      } else if (isKeySide(b) && exprShape(b) === shape && constant(a) && sameFamily(b, a)) {
        op = flipped[t.fn]!;
        value = a;
      }
      if (!op || !value) continue;
      if (op === ">" || op === ">=") lo = { e: value, inclusive: op === ">=" };
      else hi = { e: value, inclusive: op === "<=" };
    }
    if (!lo && !hi) continue;
    if (key.type.id === "enum") {
      // Index keys hold enum labels in byte order, not the enum's sort order.
      const span = enumSpan(key.type, lo, hi);
      if (!span) continue;
      lo = span.lo;
      hi = span.hi;
    }
    leaf.node = {
      kind: "index_range",
      rel: n.rel,
      table: n.table,
      alias: n.alias,
      index: oid,
      indexName: idx.name,
      lo: lo?.e ?? null,
      loInclusive: lo?.inclusive ?? false,
      hi: hi?.e ?? null,
      hiInclusive: hi?.inclusive ?? false,
      width: n.width,
      filter: n.filter,
      missing: n.missing,
      ctid: n.ctid,
    };
    return;
  }
}

type Bound = { e: BoundExpr; inclusive: boolean } | null;

const utf8 = new TextEncoder();

function byteOrder(a: string, b: string): number {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/**
 * The range of index keys (labels, in byte order) that holds every label of
 * an enum between `lo` and `hi` in the enum's sort order: the smallest and
 * the largest such label by bytes. The scan keeps its filter, so labels in
 * between that fail the condition are dropped there. Null when a bound is not
 * a literal label, or when no label qualifies.
 */
function enumSpan(type: SqlType, lo: Bound, hi: Bound): { lo: Bound; hi: Bound } | null {
  const labels = type.enumType?.labels;
  if (!labels) return null;
  const rank = (b: Bound): number | null => {
    if (b === null) return null;
    const v = b.e.kind === "const" ? b.e.value : undefined;
    const at = typeof v === "string" ? labels.indexOf(v) : -1;
    return at < 0 ? Number.NaN : at;
  };
  const from = rank(lo);
  const to = rank(hi);
  if (Number.isNaN(from) || Number.isNaN(to)) return null;
  const inside = labels.filter((_, i) =>
    (from === null || i > from || (lo!.inclusive && i === from)) &&
    (to === null || i < to || (hi!.inclusive && i === to))
  );
  if (inside.length === 0) return null;
  const sorted = inside.slice().sort(byteOrder);
  const at = (label: string): Bound => ({
    e: { kind: "const", value: label, type },
    inclusive: true,
  });
  return { lo: at(sorted[0]!), hi: at(sorted[sorted.length - 1]!) };
}
