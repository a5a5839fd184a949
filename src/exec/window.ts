/**
 * Window functions: ranking (row_number, rank, dense_rank, ntile), offsets
 * (lag, lead, first_value, last_value, nth_value) and aggregates over ROWS
 * RANGE or GROUPS frames. Each window appends one column to its input rows.
 * @module
 */
import { DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { PlanNode, WindowFrame, WindowSpec } from "./plan.ts";
import { compile } from "./scalar.ts";
import { sortRows } from "./run_select.ts";
import { computeAggregate } from "./aggregate.ts";
import { compareValues, hashKey } from "./values.ts";
import { rangeEdge, type RangeKeys, rangeKeys } from "./window_range.ts";

type WindowNode = Extract<PlanNode, { kind: "window" }>;

/** Runs a window node: each spec appends one column. */
export function runWindow(node: WindowNode, rows: Value[][], ctx: ExecContext): Value[][] {
  let current = rows.map((r) => [...r]);
  for (const w of node.windows) current = applyWindow(w, current, ctx);
  return current;
}

function applyWindow(w: WindowSpec, rows: Value[][], ctx: ExecContext): Value[][] {
  const part = w.partitionBy.map(compile);
  const partitions = new Map<string, Value[][]>();
  for (const r of rows) {
    const k = hashKey(part.map((p) => p(r, ctx)));
    const list = partitions.get(k);
    if (list) list.push(r);
    else partitions.set(k, [r]);
  }
  const order = w.orderBy.map((k) => compile(k.expr));
  const results = new Map<Value[], Value>();
  for (const list of partitions.values()) {
    const sorted = w.orderBy.length ? sortRows(list, w.orderBy, ctx) : list;
    const keys = sorted.map((r) => order.map((o) => o(r, ctx)));
    const peerStart: number[] = [];
    const peerEnd: number[] = [];
    for (let i = 0; i < sorted.length; i++) {
      peerStart[i] = i > 0 && samePeer(keys[i - 1]!, keys[i]!) ? peerStart[i - 1]! : i;
    }
    for (let i = sorted.length - 1; i >= 0; i--) {
      peerEnd[i] = i < sorted.length - 1 && samePeer(keys[i + 1]!, keys[i]!) ? peerEnd[i + 1]! : i;
    }
    const ranged = w.orderBy.length === 1
      ? rangeKeys(keys.map((k) => k[0]!), w.orderBy[0]!.descending)
      : null;
    sorted.forEach((row, i) => {
      results.set(row, evalAt(w, sorted, i, { start: peerStart, end: peerEnd, ranged }, ctx));
    });
  }
  return rows.map((r) => [...r, results.get(r) ?? null]);
}

function samePeer(a: Value[], b: Value[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === null || y === null) {
      if (x !== y) return false;
    } else if (compareValues(x, y) !== 0) return false;
  }
  return true;
}

/** Row i's peer groups, and the ORDER BY values when there is one ORDER BY key. */
interface Peers {
  readonly start: readonly number[];
  readonly end: readonly number[];
  readonly ranged: RangeKeys | null;
}

function frameRange(
  frame: WindowFrame | null,
  hasOrder: boolean,
  i: number,
  n: number,
  peers: Peers,
): [number, number] {
  const peerStart = peers.start;
  const peerEnd = peers.end;
  if (!frame) return hasOrder ? [0, peerEnd[i]!] : [0, n - 1];
  const within = { start: peerStart[i]!, end: peerEnd[i]! };
  const bound = (b: WindowFrame["start"], isStart: boolean): number => {
    switch (b.kind) {
      case "unbounded_preceding":
        return 0;
      case "unbounded_following":
        return n - 1;
      case "current_row":
        return frame.mode === "rows" ? i : isStart ? peerStart[i]! : peerEnd[i]!;
      case "preceding":
      case "following": {
        const preceding = b.kind === "preceding";
        if (b.distance !== undefined && peers.ranged) {
          return rangeEdge(peers.ranged, i, b.distance, preceding, isStart, within);
        }
        const offset = preceding ? -b.offset : b.offset;
        return frame.mode === "groups"
          ? groupEdge(peerStart, peerEnd, i, offset, isStart)
          : i + offset;
      }
    }
  };
  return [Math.max(0, bound(frame.start, true)), Math.min(n - 1, bound(frame.end, false))];
}

/**
 * GROUPS frames: the first (`isStart`) or last row of the peer group `shift`
 * groups away from row i's group; -1 or n when that group does not exist.
 */
function groupEdge(
  peerStart: readonly number[],
  peerEnd: readonly number[],
  i: number,
  shift: number,
  isStart: boolean,
): number {
  const n = peerStart.length;
  let first = peerStart[i]!;
  for (let k = shift; k < 0; k++) {
    if (first === 0) return isStart ? 0 : -1;
    first = peerStart[first - 1]!;
  }
  for (let k = 0; k < shift; k++) {
    const next = peerEnd[first]! + 1;
    if (next >= n) return n;
    first = next;
  }
  return isStart ? first : peerEnd[first]!;
}

/** Drops the rows a frame's EXCLUDE clause removes (`from` is the frame's first index). */
function excludeRows(
  frame: WindowFrame | null,
  frameRows: Value[][],
  from: number,
  i: number,
  peers: { start: number; end: number },
): Value[][] {
  const mode = frame?.exclude;
  if (mode === undefined) return frameRows;
  return frameRows.filter((_, k) => {
    const j = from + k;
    if (mode === "current row") return j !== i;
    const peer = j >= peers.start && j <= peers.end;
    return mode === "group" ? !peer : !peer || j === i;
  });
}

function evalAt(
  w: WindowSpec,
  rows: Value[][],
  i: number,
  peers: Peers,
  ctx: ExecContext,
): Value {
  const peerStart = peers.start;
  const peerEnd = peers.end;
  const args = w.args.map(compile);
  const arg = (k: number, r: Value[]) => args[k] ? args[k]!(r, ctx) : null;
  const n = rows.length;
  switch (w.fn) {
    case "row_number":
      return BigInt(i + 1);
    case "rank":
      return BigInt(peerStart[i]! + 1);
    case "dense_rank": {
      let rank = 1;
      for (let j = 1; j <= peerStart[i]!; j++) if (peerStart[j] === j) rank++;
      return BigInt(rank);
    }
    case "percent_rank":
      return n <= 1 ? 0 : peerStart[i]! / (n - 1);
    case "cume_dist":
      return (peerEnd[i]! + 1) / n;
    case "ntile": {
      const buckets = Number(arg(0, rows[i]!));
      if (!(buckets > 0)) throw new DbError("22014", "argument of ntile must be greater than zero");
      const small = Math.floor(n / buckets);
      const big = n % buckets;
      const cut = big * (small + 1);
      return i < cut
        ? Math.floor(i / (small + 1)) + 1
        : big + Math.floor((i - cut) / Math.max(1, small)) + 1;
    }
    case "lag":
    case "lead": {
      const off = w.args.length > 1 ? Number(arg(1, rows[i]!)) : 1;
      const j = w.fn === "lag" ? i - off : i + off;
      if (j < 0 || j >= n) return w.args.length > 2 ? arg(2, rows[i]!) : null;
      return arg(0, rows[j]!);
    }
  }
  const [from, to] = frameRange(w.frame, w.orderBy.length > 0, i, n, peers);
  const frameRows = excludeRows(w.frame, from <= to ? rows.slice(from, to + 1) : [], from, i, {
    start: peerStart[i]!,
    end: peerEnd[i]!,
  });
  switch (w.fn) {
    case "first_value":
      return frameRows.length ? arg(0, frameRows[0]!) : null;
    case "last_value":
      return frameRows.length ? arg(0, frameRows[frameRows.length - 1]!) : null;
    case "nth_value": {
      const k = Number(arg(1, rows[i]!));
      return frameRows[k - 1] ? arg(0, frameRows[k - 1]!) : null;
    }
  }
  if (!w.aggregate) throw new DbError("42883", `window function ${w.fn} does not exist`);
  return computeAggregate(
    {
      fn: w.fn,
      args: w.args,
      distinct: false,
      filter: w.filter,
      orderBy: [],
      type: w.type,
      star: w.args.length === 0 && w.fn === "count",
    },
    frameRows,
    ctx,
  );
}
