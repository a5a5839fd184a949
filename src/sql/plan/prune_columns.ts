/**
 * Projection pushdown: a pass over a finished plan that works out, top-down,
 * which columns of each scan some node above it reads (select list, filters,
 * join keys, grouping, sort keys ...) and records them on the scan as
 * `needed`, so the executor decodes only those columns of each stored row.
 * Conservative where a node reads whole rows (DISTINCT, set operations, DML
 * sources, LATERAL inputs) or an expression holds a subquery (a correlated
 * subquery reads its outer row by position): there every column is kept.
 * @module
 */
import { assertNever } from "../../common/errors.ts";
import type { AggSpec, BoundExpr, PlanNode, SortKey, WindowSpec } from "../../exec/plan.ts";
import { type ExprRefs, exprRefs } from "./expr_walk.ts";

/** Output columns some consumer reads; null means all of them. */
type Need = ReadonlySet<number> | null;

type ScanNode = Extract<PlanNode, { kind: "seq_scan" | "index_scan" | "index_range" }>;

/**
 * Returns the plan with `needed` set on every scan whose consumers read only
 * some of its columns (all output columns of `node` count as read).
 */
export function pruneColumns(node: PlanNode): PlanNode {
  return prune(node, null);
}

function refsOf(exprs: readonly (BoundExpr | null)[]): ExprRefs {
  const into: ExprRefs = { columns: new Set(), hasSubquery: false, volatile: false };
  for (const e of exprs) if (e) exprRefs(e, into);
  return into;
}

/** `need` plus what `exprs` read over the same row; null when any reads a subquery. */
function plus(need: Need, exprs: readonly (BoundExpr | null)[]): Need {
  if (need === null) return null;
  const r = refsOf(exprs);
  if (r.hasSubquery) return null;
  for (const c of need) r.columns.add(c);
  return r.columns;
}

function sortExprs(keys: readonly SortKey[]): BoundExpr[] {
  return keys.map((k) => k.expr);
}

function aggExprs(aggs: readonly AggSpec[]): BoundExpr[] {
  return aggs.flatMap((a) => [...a.args, ...(a.filter ? [a.filter] : []), ...sortExprs(a.orderBy)]);
}

function windowExprs(ws: readonly WindowSpec[]): BoundExpr[] {
  return ws.flatMap((w) => [
    ...w.args,
    ...w.partitionBy,
    ...sortExprs(w.orderBy),
    ...(w.filter ? [w.filter] : []),
  ]);
}

function pruneScan(n: ScanNode, need: Need): PlanNode {
  const filter = n.filter && pruneExpr(n.filter);
  const base = n.kind === "seq_scan"
    ? { ...n, filter }
    : n.kind === "index_scan"
    ? { ...n, filter, key: n.key.map(pruneExpr) }
    : { ...n, filter, lo: n.lo && pruneExpr(n.lo), hi: n.hi && pruneExpr(n.hi) };
  const cols = plus(need, [n.filter]);
  if (cols === null) return base;
  const needed: boolean[] = [];
  for (let i = 0; i < n.width; i++) needed.push(cols.has(i));
  if (needed.every((b) => b)) return base;
  return { ...base, needed };
}

/** Splits a need over `[left ++ right]` rows into the two sides. */
function split(need: Need, leftWidth: number): [Need, Need] {
  if (need === null) return [null, null];
  const l = new Set<number>();
  const r = new Set<number>();
  for (const c of need) {
    if (c < leftWidth) l.add(c);
    else r.add(c - leftWidth);
  }
  return [l, r];
}

function pruneJoin(n: Extract<PlanNode, { kind: "join" }>, need: Need): PlanNode {
  const semi = n.joinType === "semi" || n.joinType === "anti";
  // Semi and anti joins output left rows only; the others output [left ++ right].
  let [ln, rn]: [Need, Need] = semi ? [need, new Set()] : split(need, n.leftWidth);
  const on = refsOf([n.on]);
  const keysL = refsOf(n.leftKeys);
  const keysR = refsOf(n.rightKeys);
  if (on.hasSubquery || keysL.hasSubquery || keysR.hasSubquery) [ln, rn] = [null, null];
  const [onL, onR] = split(on.columns, n.leftWidth);
  if (ln !== null) ln = new Set([...ln, ...onL!, ...keysL.columns]);
  if (rn !== null) rn = new Set([...rn, ...onR!, ...keysR.columns]);
  // The right side of a LATERAL join reads the left row by position.
  if (n.lateral) ln = null;
  return {
    ...n,
    left: prune(n.left, ln),
    right: prune(n.right, rn),
    on: n.on && pruneExpr(n.on),
    leftKeys: n.leftKeys.map(pruneExpr),
    rightKeys: n.rightKeys.map(pruneExpr),
  };
}

function prune(node: PlanNode, need: Need): PlanNode {
  switch (node.kind) {
    case "seq_scan":
    case "index_scan":
    case "index_range":
      return pruneScan(node, need);
    case "values":
      return { ...node, rows: node.rows.map((r) => r.map(pruneExpr)) };
    case "filter":
      return {
        ...node,
        input: prune(node.input, plus(need, [node.predicate])),
        predicate: pruneExpr(node.predicate),
      };
    case "project":
      return {
        ...node,
        input: prune(node.input, plus(new Set(), node.exprs)),
        exprs: node.exprs.map(pruneExpr),
      };
    case "join":
      return pruneJoin(node, need);
    case "aggregate": {
      const exprs = [...node.groups, ...aggExprs(node.aggs)];
      return {
        ...node,
        input: prune(node.input, plus(new Set(), exprs)),
        groups: node.groups.map(pruneExpr),
        aggs: node.aggs.map(pruneAgg),
      };
    }
    case "window":
      // Window output is [input ++ window values]: indexes past the input are unused below.
      return {
        ...node,
        input: prune(node.input, plus(need, windowExprs(node.windows))),
        windows: node.windows.map(pruneWindow),
      };
    case "sort":
      return {
        ...node,
        input: prune(node.input, plus(need, sortExprs(node.keys))),
        keys: node.keys.map(pruneKey),
      };
    case "limit":
      return {
        ...node,
        input: prune(node.input, need),
        limit: node.limit && pruneExpr(node.limit),
        offset: node.offset && pruneExpr(node.offset),
        ...(node.ties ? { ties: node.ties.map(pruneKey) } : {}),
      };
    case "distinct":
      return { ...node, input: prune(node.input, null) };
    case "set_op":
      return { ...node, left: prune(node.left, null), right: prune(node.right, null) };
    case "cte_scan":
      return node;
    case "with":
      return {
        ...node,
        ctes: node.ctes.map((c) => ({
          ...c,
          plan: prune(c.plan, null),
          recursive: c.recursive && prune(c.recursive, null),
        })),
        input: prune(node.input, need),
      };
    case "function_scan":
      return { ...node, args: node.args.map(pruneExpr) };
    case "insert":
    case "update":
    case "delete":
      // DML reads whole source rows (new tuples, constraints, RETURNING, row ids).
      return { ...node, source: prune(node.source, null) };
    default:
      return assertNever(node, "plan node");
  }
}

function pruneKey(k: SortKey): SortKey {
  return { ...k, expr: pruneExpr(k.expr) };
}

function pruneAgg(a: AggSpec): AggSpec {
  return {
    ...a,
    args: a.args.map(pruneExpr),
    filter: a.filter && pruneExpr(a.filter),
    orderBy: a.orderBy.map(pruneKey),
  };
}

function pruneWindow(w: WindowSpec): WindowSpec {
  return {
    ...w,
    args: w.args.map(pruneExpr),
    partitionBy: w.partitionBy.map(pruneExpr),
    orderBy: w.orderBy.map(pruneKey),
    filter: w.filter && pruneExpr(w.filter),
  };
}

/** The expression with the plans of its subqueries pruned (unchanged when it has none). */
function pruneExpr(e: BoundExpr): BoundExpr {
  if (!refsOf([e]).hasSubquery) return e;
  return mapSubqueries(e);
}

function mapSubqueries(e: BoundExpr): BoundExpr {
  const m = pruneExpr;
  switch (e.kind) {
    case "const":
    case "param":
    case "column":
      return e;
    case "call":
    case "and":
    case "or":
      return { ...e, args: e.args.map(m) };
    case "not":
    case "is_null":
    case "is_bool":
    case "cast":
      return { ...e, arg: m(e.arg) };
    case "case":
      return {
        ...e,
        operand: e.operand && m(e.operand),
        whens: e.whens.map((w) => ({ when: m(w.when), then: m(w.then) })),
        otherwise: e.otherwise && m(e.otherwise),
      };
    case "in_list":
      return { ...e, arg: m(e.arg), list: e.list.map(m) };
    case "subquery":
      return { ...e, plan: prune(e.plan, null), arg: e.arg && m(e.arg) };
    case "array":
      return { ...e, items: e.items.map(m) };
    default:
      return assertNever(e, "expression");
  }
}
