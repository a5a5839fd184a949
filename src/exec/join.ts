/**
 * Join operators: nested loop (any condition, LATERAL) and hash join (equi
 * keys plus a residual condition), for inner, left, right, full, cross,
 * semi and anti joins.
 * @module
 */
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { PlanNode } from "./plan.ts";
import { compile, truthy } from "./scalar.ts";
import { runPlan } from "./run_select.ts";
import { hashKey } from "./values.ts";

type JoinNode = Extract<PlanNode, { kind: "join" }>;

/** Runs a join node. */
export function runJoin(node: JoinNode, ctx: ExecContext): Value[][] {
  const left = runPlan(node.left, ctx);
  if (node.lateral) return lateralJoin(node, left, ctx);
  const right = runPlan(node.right, ctx);
  return node.method === "hash" && node.leftKeys.length > 0
    ? hashJoin(node, left, right, ctx)
    : nestedLoop(node, left, right, ctx);
}

function nulls(n: number): Value[] {
  return new Array<Value>(n).fill(null);
}

function emit(
  node: JoinNode,
  out: Value[][],
  l: Value[],
  matches: Value[][],
  rightMatched: boolean[] | null,
  matchIdx: number[],
): void {
  if (node.joinType === "semi") {
    if (matches.length > 0) out.push(l);
    return;
  }
  if (node.joinType === "anti") {
    if (matches.length === 0) out.push(l);
    return;
  }
  for (const r of matches) out.push([...l, ...r]);
  if (rightMatched) { for (const i of matchIdx) rightMatched[i] = true; }
  if (matches.length === 0 && (node.joinType === "left" || node.joinType === "full")) {
    out.push([...l, ...nulls(node.rightWidth)]);
  }
}

function finishRight(
  node: JoinNode,
  out: Value[][],
  right: Value[][],
  matched: boolean[] | null,
): void {
  if (!matched) return;
  right.forEach((r, i) => {
    if (!matched[i]) out.push([...nulls(node.leftWidth), ...r]);
  });
}

function nestedLoop(
  node: JoinNode,
  left: Value[][],
  right: Value[][],
  ctx: ExecContext,
): Value[][] {
  const on = node.on ? compile(node.on) : null;
  const out: Value[][] = [];
  const matched = node.joinType === "right" || node.joinType === "full"
    ? right.map(() => false)
    : null;
  for (const l of left) {
    const matches: Value[][] = [];
    const idx: number[] = [];
    right.forEach((r, i) => {
      if (on && !truthy(on([...l, ...r], ctx))) return;
      matches.push(r);
      idx.push(i);
    });
    emit(node, out, l, matches, matched, idx);
  }
  finishRight(node, out, right, matched);
  return out;
}

/** Inner hash join with the table built on the left input; output keeps [left, right] order. */
function hashJoinBuildLeft(
  node: JoinNode,
  left: Value[][],
  right: Value[][],
  ctx: ExecContext,
): Value[][] {
  const lk = node.leftKeys.map(compile);
  const rk = node.rightKeys.map(compile);
  const on = node.on ? compile(node.on) : null;
  const table = new Map<string, Value[][]>();
  for (const l of left) {
    const key = lk.map((k) => k(l, ctx));
    if (key.some((v) => v === null)) continue;
    const h = hashKey(key);
    const bucket = table.get(h);
    if (bucket) bucket.push(l);
    else table.set(h, [l]);
  }
  const out: Value[][] = [];
  for (const r of right) {
    const key = rk.map((k) => k(r, ctx));
    if (key.some((v) => v === null)) continue;
    for (const l of table.get(hashKey(key)) ?? []) {
      const row = [...l, ...r];
      if (!on || truthy(on(row, ctx))) out.push(row);
    }
  }
  return out;
}

function hashJoin(node: JoinNode, left: Value[][], right: Value[][], ctx: ExecContext): Value[][] {
  if (node.buildLeft && node.joinType === "inner") return hashJoinBuildLeft(node, left, right, ctx);
  const lk = node.leftKeys.map(compile);
  const rk = node.rightKeys.map(compile);
  const on = node.on ? compile(node.on) : null;
  const table = new Map<string, number[]>();
  right.forEach((r, i) => {
    const key = rk.map((k) => k(r, ctx));
    if (key.some((v) => v === null)) return;
    const h = hashKey(key);
    const bucket = table.get(h);
    if (bucket) bucket.push(i);
    else table.set(h, [i]);
  });
  const out: Value[][] = [];
  const matched = node.joinType === "right" || node.joinType === "full"
    ? right.map(() => false)
    : null;
  for (const l of left) {
    const key = lk.map((k) => k(l, ctx));
    const bucket = key.some((v) => v === null) ? undefined : table.get(hashKey(key));
    const matches: Value[][] = [];
    const idx: number[] = [];
    for (const i of bucket ?? []) {
      const r = right[i]!;
      if (on && !truthy(on([...l, ...r], ctx))) continue;
      matches.push(r);
      idx.push(i);
    }
    emit(node, out, l, matches, matched, idx);
  }
  finishRight(node, out, right, matched);
  return out;
}

function lateralJoin(node: JoinNode, left: Value[][], ctx: ExecContext): Value[][] {
  const on = node.on ? compile(node.on) : null;
  const out: Value[][] = [];
  for (const l of left) {
    ctx.outer.push(l);
    let right: Value[][];
    try {
      right = runPlan(node.right, ctx);
    } finally {
      ctx.outer.pop();
    }
    const matches = right.filter((r) => !on || truthy(on([...l, ...r], ctx)));
    emit(node, out, l, matches, null, []);
  }
  return out;
}
