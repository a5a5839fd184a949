/**
 * Recognizes the plans the fused aggregate-over-join path runs: an
 * aggregate (plain GROUP BY, no grouping sets) over a left-deep chain of
 * inner single-key hash joins, every join building its table on the right
 * input, with group keys and aggregate arguments that are plain columns and
 * aggregates among count/sum/avg/min/max. Such a plan is executed without
 * materializing joined rows: each probe row walks the hash tables and feeds
 * the group's accumulators directly. Pure: looks at plan nodes only.
 * @module
 */
import type { SqlType } from "../common/types.ts";
import type { AggSpec, BoundExpr, PlanNode } from "./plan.ts";

type AggNode = Extract<PlanNode, { kind: "aggregate" }>;

/** Where a column of the joined row comes from: input `src` (0 = probe), column `col`. */
export interface ColumnRef {
  readonly src: number;
  readonly col: number;
}

/** One hash join of the chain, bottom-up. */
export interface FusedJoin {
  /** The build input (the join's right side). */
  readonly build: PlanNode;
  /** The probe key: a column of an input below this join. */
  readonly probeKey: ColumnRef;
  /** The build key: a column of the build input. */
  readonly buildKey: number;
}

/** How an aggregate is accumulated. */
export type FusedAggKind =
  | "count_star"
  | "count"
  /** sum of int2/int4 into int8: a double, flushed to a bigint before it loses precision. */
  | "sum_int"
  /** the non-null values are collected and finished as the row path does. */
  | "collect";

/** One aggregate of the fused path. */
export interface FusedAgg {
  readonly kind: FusedAggKind;
  readonly spec: AggSpec;
  /** The argument column (unused for count(*)). */
  readonly arg: ColumnRef;
}

/** A plan the fused path runs. */
export interface FusedShape {
  /** The leftmost input, streamed. */
  readonly probe: PlanNode;
  readonly joins: readonly FusedJoin[];
  readonly groups: readonly ColumnRef[];
  /** Group on the value itself (one key of a primitive type) instead of a key string. */
  readonly primitiveGroup: boolean;
  readonly aggs: readonly FusedAgg[];
  /**
   * Aggregate the probe input by its first join key before joining: every
   * aggregate is count(*), count or an int sum over probe columns, and no
   * group key or later join key reads the probe input.
   */
  readonly pushdown: boolean;
}

const intTypes = new Set(["int2", "int4", "int8"]);
const stringTypes = new Set(["text", "varchar"]);
const primitiveGroupTypes = new Set(["int2", "int4", "int8", "text", "varchar", "bool", "date"]);
const simple = new Set(["count", "sum", "avg", "min", "max"]);

function keyFamily(t: SqlType): "int" | "string" | null {
  if (intTypes.has(t.id)) return "int";
  if (stringTypes.has(t.id)) return "string";
  return null;
}

function columnOf(e: BoundExpr): number | null {
  return e.kind === "column" && e.depth === 0 ? e.index : null;
}

/** Splits a left-deep join chain into its probe input and joins (bottom-up). */
function chain(node: PlanNode): { probe: PlanNode; joins: PlanNode[] } | null {
  const joins: PlanNode[] = [];
  let cur = node;
  while (cur.kind === "join") {
    if (
      cur.joinType !== "inner" || cur.method !== "hash" || cur.lateral || cur.buildLeft ||
      cur.on !== null || cur.leftKeys.length !== 1 || cur.rightKeys.length !== 1
    ) return null;
    joins.unshift(cur);
    cur = cur.left;
  }
  return joins.length === 0 ? null : { probe: cur, joins };
}

function locate(col: number, offsets: readonly number[], width: number): ColumnRef | null {
  if (col < 0 || col >= width) return null;
  let src = offsets.length - 1;
  while (offsets[src]! > col) src--;
  return { src, col: col - offsets[src]! };
}

function fusedAgg(spec: AggSpec, at: (e: BoundExpr) => ColumnRef | null): FusedAgg | null {
  if (spec.distinct || spec.filter || spec.orderBy.length > 0 || !simple.has(spec.fn)) return null;
  if (spec.star) {
    return spec.fn === "count" ? { kind: "count_star", spec, arg: { src: 0, col: 0 } } : null;
  }
  const a = spec.args.length === 1 ? spec.args[0]! : null;
  const arg = a ? at(a) : null;
  if (!a || !arg) return null;
  if (spec.fn === "count") return { kind: "count", spec, arg };
  const intSum = spec.fn === "sum" && spec.type.id === "int8" &&
    (a.type.id === "int2" || a.type.id === "int4");
  return { kind: intSum ? "sum_int" : "collect", spec, arg };
}

/**
 * The fused form of an aggregate node, or null when the plan does not have
 * the shape (the row operators then run it).
 */
export function fusedAggShape(node: AggNode): FusedShape | null {
  if (node.groupingSets !== null) return null;
  const c = chain(node.input);
  if (!c) return null;
  const offsets: number[] = [0];
  const joins: FusedJoin[] = [];
  for (const j of c.joins) {
    if (j.kind !== "join") return null;
    offsets.push(j.leftWidth);
    const lk = j.leftKeys[0]!;
    const rk = j.rightKeys[0]!;
    const lc = columnOf(lk);
    const rc = columnOf(rk);
    const fam = keyFamily(lk.type);
    if (lc === null || rc === null || fam === null || fam !== keyFamily(rk.type)) return null;
    if (rc >= j.rightWidth) return null;
    const probeKey = locate(lc, offsets.slice(0, -1), j.leftWidth);
    if (!probeKey) return null;
    joins.push({ build: j.right, probeKey, buildKey: rc });
  }
  const top = c.joins[c.joins.length - 1]!;
  if (top.kind !== "join") return null;
  const width = top.leftWidth + top.rightWidth;
  const at = (e: BoundExpr) => {
    const col = columnOf(e);
    return col === null ? null : locate(col, offsets, width);
  };
  const groups: ColumnRef[] = [];
  for (const g of node.groups) {
    const r = at(g);
    if (!r) return null;
    groups.push(r);
  }
  const aggs: FusedAgg[] = [];
  for (const spec of node.aggs) {
    const f = fusedAgg(spec, at);
    if (!f) return null;
    aggs.push(f);
  }
  const primitiveGroup = node.groups.length === 1 &&
    primitiveGroupTypes.has(node.groups[0]!.type.id);
  const pushdown = groups.every((g) => g.src > 0) &&
    joins.every((j, k) => k === 0 || j.probeKey.src > 0) &&
    aggs.every((a) => a.kind !== "collect" && (a.kind === "count_star" || a.arg.src === 0));
  return { probe: c.probe, joins, groups, primitiveGroup, aggs, pushdown };
}
