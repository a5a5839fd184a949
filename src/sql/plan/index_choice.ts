/**
 * Index selection for a filtered table scan: an equality lookup when every
 * column of an index has a `col = value` term, otherwise a range scan over an
 * index's first column for `<`, `<=`, `>`, `>=` terms.
 * @module
 */
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import type { Value } from "../../common/types.ts";
import type { RelationDef } from "../catalog/catalog.ts";
import { andAll, conjuncts, exprRefs } from "./expr_walk.ts";
import type { Planner } from "./planner_types.ts";

/** Replaces a filtered seq scan with an index lookup when an index's columns all have `col = value` terms. */
export function chooseIndex(p: Planner, leaf: { node: PlanNode; table: RelationDef | null }): void {
  const n = leaf.node;
  const rel = leaf.table;
  if (n.kind !== "seq_scan" || !rel || !n.filter) return;
  const terms = conjuncts(n.filter);
  const eq = new Map<number, { term: BoundExpr; value: BoundExpr }>();
  for (const t of terms) {
    if (t.kind !== "call" || t.fn !== "=") continue;
    const [a, b] = t.args as [BoundExpr, BoundExpr];
    const constant = (e: BoundExpr) => {
      const r = exprRefs(e);
      return r.columns.size === 0 && !r.hasSubquery && !r.volatile;
    };
    if (a.kind === "column" && a.depth === 0 && constant(b) && sameFamily(a, b)) {
      eq.set(a.index, { term: t, value: b });
    } else if (b.kind === "column" && b.depth === 0 && constant(a) && sameFamily(b, a)) {
      eq.set(b.index, { term: t, value: a });
    }
  }
  if (eq.size === 0) {
    chooseRange(p, leaf, rel, n, terms);
    return;
  }
  let best: { oid: number; name: string; columns: readonly number[]; unique: boolean } | null =
    null;
  for (const oid of rel.indexes) {
    const idx = p.catalog.indexes.get(oid);
    if (!idx || idx.predicateSql !== null) continue;
    if (!idx.columns.every((c) => eq.has(c))) continue;
    if (!best || (idx.unique && !best.unique) || idx.columns.length > best.columns.length) {
      best = idx;
    }
  }
  if (!best) {
    chooseRange(p, leaf, rel, n, terms);
    return;
  }
  const used = new Set(best.columns.map((c) => eq.get(c)!.term));
  leaf.node = {
    kind: "index_scan",
    rel: n.rel,
    table: n.table,
    alias: n.alias,
    index: best.oid,
    indexName: best.name,
    key: best.columns.map((c) => eq.get(c)!.value),
    width: n.width,
    filter: andAll(terms.filter((t) => !used.has(t))),
    missing: n.missing as Value[],
    ctid: n.ctid,
  };
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
    const col = idx.columns[0]!;
    // Index keys hold enum labels in byte order, not the enum's sort order.
    if (rel.columns[col]?.type.id === "enum") continue;
    let lo: { e: BoundExpr; inclusive: boolean } | null = null;
    let hi: { e: BoundExpr; inclusive: boolean } | null = null;
    for (const t of terms) {
      if (t.kind !== "call" || !(t.fn in flipped)) continue;
      const [a, b] = t.args as [BoundExpr, BoundExpr];
      const constant = (e: BoundExpr) => {
        const r = exprRefs(e);
        return r.columns.size === 0 && !r.hasSubquery && !r.volatile;
      };
      let op: string | null = null;
      let value: BoundExpr | null = null;
      if (
        a.kind === "column" && a.depth === 0 && a.index === col && constant(b) && sameFamily(a, b)
      ) {
        op = t.fn;
        value = b;
      } else if (
        b.kind === "column" && b.depth === 0 && b.index === col && constant(a) && sameFamily(b, a)
      ) {
        op = flipped[t.fn]!;
        value = a;
      }
      if (!op || !value) continue;
      if (op === ">" || op === ">=") lo = { e: value, inclusive: op === ">=" };
      else hi = { e: value, inclusive: op === "<=" };
    }
    if (!lo && !hi) continue;
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
