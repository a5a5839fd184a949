/**
 * Builds the join tree of a planned FROM clause: left-deep joins, WHERE terms
 * pushed into single-item scans, equality terms as hash-join keys (the
 * smaller side built), and row estimates from ANALYZE statistics.
 * @module
 */
import type { BoundExpr, PlanNode } from "../../exec/plan.ts";
import type { RelationDef } from "../catalog/catalog.ts";
import { andAll, conjuncts, exprRefs, shiftColumns } from "./expr_walk.ts";
import { chooseIndex } from "./index_choice.ts";
import type { Planner } from "./planner_types.ts";
import type { ScopeColumn } from "./scope.ts";

/** A FROM item after planning, before joins are built. */
export interface Leaf {
  readonly offset: number;
  readonly width: number;
  node: PlanNode;
  nullable: boolean;
  readonly table: RelationDef | null;
}

/** How a FROM item joins the items to its left. */
export type JoinKind = "inner" | "left" | "right" | "full" | "cross";

/** A FROM item with how it joins the items to its left. */
export interface Step {
  readonly leaf: Leaf;
  readonly joinType: JoinKind;
  readonly on: BoundExpr | null;
  readonly lateral: boolean;
}

/** The join kind of a parser join type (plain items and JOIN are inner). */
export function joinKind(t: string | undefined): JoinKind {
  switch (t) {
    case "LEFT JOIN":
      return "left";
    case "RIGHT JOIN":
      return "right";
    case "FULL JOIN":
      return "full";
    case "CROSS JOIN":
      return "cross";
    default:
      return "inner";
  }
}

/** Names of the FROM items an outer join may fill with NULLs. */
export function nullableTables(steps: Step[], columns: readonly ScopeColumn[]): Set<string> {
  markNullable(steps);
  const names = new Set<string>();
  for (const { leaf } of steps) {
    if (!leaf.nullable) continue;
    for (const c of columns.slice(leaf.offset, leaf.offset + leaf.width)) {
      if (c.table !== null) names.add(c.table);
    }
  }
  return names;
}

function markNullable(steps: Step[]): void {
  steps.forEach((s, i) => {
    if (s.joinType === "left" || s.joinType === "full") s.leaf.nullable = true;
    if (s.joinType === "right" || s.joinType === "full") {
      for (let j = 0; j < i; j++) steps[j]!.leaf.nullable = true;
    }
  });
}

/**
 * Joins the FROM items left-deep: pushes single-item WHERE terms into their
 * scans, picks index lookups, and makes equality terms hash-join keys.
 */
export function buildJoins(p: Planner, steps: Step[], where: BoundExpr[]): PlanNode {
  if (steps.length === 0) {
    const one: PlanNode = { kind: "values", rows: [[]], width: 0 };
    const cond = andAll(where);
    return cond ? { kind: "filter", input: one, predicate: cond } : one;
  }
  markNullable(steps);
  const pending: BoundExpr[] = [];
  for (const term of where) {
    const refs = exprRefs(term);
    if (refs.hasSubquery || refs.volatile || refs.columns.size === 0) {
      pending.push(term);
      continue;
    }
    const cols = [...refs.columns];
    const leaf = steps.find((s) =>
      cols.every((c) => c >= s.leaf.offset && c < s.leaf.offset + s.leaf.width)
    )?.leaf;
    if (leaf && !leaf.nullable) pushIntoLeaf(leaf, shiftColumns(term, -leaf.offset));
    else pending.push(term);
  }
  for (const s of steps) chooseIndex(p, s.leaf);
  let node = steps[0]!.leaf.node;
  let width = steps[0]!.leaf.width;
  let leftRows = estimateRows(p, node);
  for (let i = 1; i < steps.length; i++) {
    const s = steps[i]!;
    const end = s.leaf.offset + s.leaf.width;
    let onTerms = conjuncts(s.on);
    let type = s.joinType;
    if (type === "inner" || type === "cross") {
      const later = pending.filter((t) =>
        [...exprRefs(t).columns].every((c) => c < end) && !exprRefs(t).hasSubquery
      );
      onTerms = [...onTerms, ...later];
      for (const t of later) pending.splice(pending.indexOf(t), 1);
      if (onTerms.length > 0) type = "inner";
    }
    const leftKeys: BoundExpr[] = [];
    const rightKeys: BoundExpr[] = [];
    const residual: BoundExpr[] = [];
    for (const t of onTerms) {
      const split = equiSplit(t, s.leaf.offset, end);
      if (split && !s.lateral) {
        leftKeys.push(split[0]);
        rightKeys.push(shiftColumns(split[1], -s.leaf.offset));
      } else residual.push(t);
    }
    const rightRows = estimateRows(p, s.leaf.node);
    const buildLeft = type === "inner" && leftKeys.length > 0 && leftRows < rightRows;
    leftRows = Math.max(leftRows, rightRows);
    node = {
      kind: "join",
      joinType: type,
      ...(buildLeft ? { buildLeft } : {}),
      method: leftKeys.length > 0 ? "hash" : "nested_loop",
      left: node,
      right: s.leaf.node,
      leftWidth: width,
      rightWidth: s.leaf.width,
      on: andAll(residual),
      leftKeys,
      rightKeys,
      lateral: s.lateral,
    };
    width = end;
  }
  const rest = andAll(pending);
  return rest ? { kind: "filter", input: node, predicate: rest } : node;
}

function equiSplit(t: BoundExpr, rightStart: number, end: number): [BoundExpr, BoundExpr] | null {
  if (t.kind !== "call" || t.fn !== "=" || t.args.length !== 2) return null;
  const [a, b] = t.args as [BoundExpr, BoundExpr];
  const side = (e: BoundExpr): "l" | "r" | null => {
    const r = exprRefs(e);
    if (r.hasSubquery || r.volatile || r.columns.size === 0) return null;
    const cols = [...r.columns];
    if (cols.every((c) => c < rightStart)) return "l";
    if (cols.every((c) => c >= rightStart && c < end)) return "r";
    return null;
  };
  const sa = side(a);
  const sb = side(b);
  if (sa === "l" && sb === "r") return [a, b];
  if (sa === "r" && sb === "l") return [b, a];
  return null;
}

function pushIntoLeaf(leaf: Leaf, term: BoundExpr): void {
  const n = leaf.node;
  if (n.kind === "seq_scan") {
    leaf.node = { ...n, filter: andAll([...conjuncts(n.filter), term]) };
  } else {
    leaf.node = n.kind === "filter"
      ? { ...n, predicate: andAll([...conjuncts(n.predicate), term])! }
      : { kind: "filter", input: n, predicate: term };
  }
}

/** Estimated output rows of a FROM item, from ANALYZE statistics (1000 when unknown). */
function estimateRows(p: Planner, n: PlanNode): number {
  switch (n.kind) {
    case "seq_scan": {
      const rows = p.stats.get(n.rel) ?? 1000;
      return n.filter ? Math.max(1, rows / 3) : rows;
    }
    case "index_scan":
      return p.catalog.indexes.get(n.index)?.unique
        ? 1
        : Math.max(1, (p.stats.get(n.rel) ?? 1000) / 10);
    case "index_range":
      return Math.max(1, (p.stats.get(n.rel) ?? 1000) / 5);
    case "values":
      return n.rows.length;
    case "filter":
      return Math.max(1, estimateRows(p, n.input) / 3);
    case "join":
      return Math.max(estimateRows(p, n.left), estimateRows(p, n.right));
    default:
      return 1000;
  }
}
