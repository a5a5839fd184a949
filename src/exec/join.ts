/**
 * Join operators: nested loop (any condition, LATERAL) and hash join (equi
 * keys plus a residual condition), for inner, left, right, full, cross,
 * semi and anti joins.
 * @module
 */
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { PlanNode } from "./plan.ts";
import { compile, type Compiled, truthy } from "./scalar.ts";
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

/**
 * The hash keys of one join input with a single key column: the key values
 * themselves when every non-null key is a number (or a bigint in the safe
 * integer range, as a number) or every one is a string, so the table hashes
 * primitives instead of building a string per row; null when the keys are of
 * other or mixed kinds (the caller then uses `hashKey`). Equal SQL values give
 * equal keys, as with `hashKey`: 3 and 3::int8 both become 3.
 */
type KeyKind = "number" | "string" | "none";

function primitiveKeys(rows: readonly Value[][], fn: Compiled, ctx: ExecContext) {
  const keys = new Array<Value>(rows.length);
  let kind: KeyKind = "none";
  for (let i = 0; i < rows.length; i++) {
    let v = fn(rows[i]!, ctx);
    if (v === null) {
      keys[i] = null;
      continue;
    }
    let k: KeyKind;
    if (typeof v === "number") k = "number";
    else if (typeof v === "string") k = "string";
    else if (typeof v === "bigint" && v <= maxSafe && v >= -maxSafe) {
      v = Number(v);
      k = "number";
    } else return null;
    if (kind !== k) {
      if (kind !== "none") return null;
      kind = k;
    }
    keys[i] = v;
  }
  return { keys, kind };
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/** `[...a, ...b]` by index copies (faster than spread or concat on V8 for short rows). */
function joinRow(a: readonly Value[], b: readonly Value[]): Value[] {
  const n = a.length;
  const m = b.length;
  const row = new Array<Value>(n + m);
  for (let i = 0; i < n; i++) row[i] = a[i]!;
  for (let i = 0; i < m; i++) row[n + i] = b[i]!;
  return row;
}

/**
 * Single-key inner or outer hash join on primitive keys (see `primitiveKeys`):
 * no per-row key arrays or key strings. Returns null when the keys do not
 * qualify; the generic join then runs.
 */
function hashJoinPrimitive(
  node: JoinNode,
  left: Value[][],
  right: Value[][],
  ctx: ExecContext,
): Value[][] | null {
  if (node.leftKeys.length !== 1 || node.joinType === "semi" || node.joinType === "anti") {
    return null;
  }
  const lk = primitiveKeys(left, compile(node.leftKeys[0]!), ctx);
  if (!lk) return null;
  const rk = primitiveKeys(right, compile(node.rightKeys[0]!), ctx);
  if (!rk || (lk.kind !== rk.kind && lk.kind !== "none" && rk.kind !== "none")) return null;
  const on = node.on ? compile(node.on) : null;
  const buildLeft = node.buildLeft === true && node.joinType === "inner";
  const [build, buildKeys, probe, probeKeys] = buildLeft
    ? [left, lk.keys, right, rk.keys]
    : [right, rk.keys, left, lk.keys];
  const table = new Map<Value, number | number[]>();
  for (let i = 0; i < build.length; i++) {
    const k = buildKeys[i]!;
    if (k === null) continue;
    const b = table.get(k);
    if (b === undefined) table.set(k, i);
    else if (typeof b === "number") table.set(k, [b, i]);
    else b.push(i);
  }
  const out: Value[][] = [];
  const matched = node.joinType === "right" || node.joinType === "full"
    ? new Array<boolean>(right.length).fill(false)
    : null;
  const keepLeft = node.joinType === "left" || node.joinType === "full";
  const pad = keepLeft ? nulls(node.rightWidth) : [];
  const one = [0];
  for (let j = 0; j < probe.length; j++) {
    const k = probeKeys[j]!;
    const p = probe[j]!;
    const b = k === null ? undefined : table.get(k);
    let hits = 0;
    if (b !== undefined) {
      let list: readonly number[];
      if (typeof b === "number") {
        one[0] = b;
        list = one;
      } else list = b;
      for (let m = 0; m < list.length; m++) {
        const i = list[m]!;
        const row = buildLeft ? joinRow(build[i]!, p) : joinRow(p, build[i]!);
        if (on && !truthy(on(row, ctx))) continue;
        out.push(row);
        hits++;
        if (matched) matched[i] = true;
      }
    }
    if (hits === 0 && keepLeft) out.push(joinRow(p, pad));
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
  const fast = hashJoinPrimitive(node, left, right, ctx);
  if (fast) return fast;
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
