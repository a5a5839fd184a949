/**
 * Binds a window frame. The SQL frontend writes `OVER (... ROWS|RANGE|GROUPS
 * ...)` as an extra last PARTITION BY item `pg_catalog.__window_frame(mode,
 * startKind, startOffset, endKind, endOffset, exclusion)`; this module takes
 * it out of the partition list and turns it into a `WindowFrame`.
 * @module
 */
import type { Expr } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import type { FrameBound, WindowFrame } from "../../exec/plan.ts";
import { Interval, type Value } from "../../common/types.ts";
import { parseInterval } from "../../common/interval.ts";

/** The partition list without the frame marker, and the frame (null: the default). */
export interface SplitFrame {
  readonly partitionBy: readonly Expr[];
  readonly frame: WindowFrame | null;
}

function isFrameMarker(e: Expr): e is Extract<Expr, { type: "call" }> {
  return e.type === "call" && e.function.name === "__window_frame";
}

/**
 * Separates the frame marker from a window's PARTITION BY list.
 * @throws {DbError} 0A000 for RANGE offsets, 22013 for a negative offset, 42P20
 */
export function splitFrame(partitionBy: readonly Expr[] | null | undefined): SplitFrame {
  const list = partitionBy ?? [];
  const marker = list.find(isFrameMarker);
  if (!marker) return { partitionBy: list, frame: null };
  const [mode, startKind, startOffset, endKind, endOffset, exclusion] = marker.args.map(
    (a) => a,
  );
  const word = (e: Expr | undefined) => (e?.type === "string" ? e.value : "");
  const m = word(mode);
  if (m !== "rows" && m !== "range" && m !== "groups") {
    throw new DbError("42601", `unknown window frame mode ${m}`);
  }
  const ex = word(exclusion);
  if (ex !== "no others" && ex !== "" && ex !== "current row" && ex !== "group" && ex !== "ties") {
    throw new DbError("42601", `unknown window frame exclusion ${ex}`);
  }
  const start = bound(word(startKind), startOffset, m, "starting");
  const end = bound(word(endKind), endOffset, m, "ending");
  checkOrder(start, end);
  const frame: WindowFrame = ex === "no others" || ex === ""
    ? { mode: m, start, end }
    : { mode: m, start, end, exclude: ex };
  return { partitionBy: list.filter((e) => !isFrameMarker(e)), frame };
}

function bound(kind: string, offset: Expr | undefined, mode: string, which: string): FrameBound {
  switch (kind) {
    case "unbounded preceding":
      return { kind: "unbounded_preceding" };
    case "unbounded following":
      return { kind: "unbounded_following" };
    case "current row":
      return { kind: "current_row" };
    case "offset preceding":
    case "offset following": {
      if (mode === "range") {
        const distance = rangeDistance(offset, which);
        return kind === "offset preceding"
          ? { kind: "preceding", offset: 0, distance }
          : { kind: "following", offset: 0, distance };
      }
      const n = offsetValue(offset, which);
      return kind === "offset preceding"
        ? { kind: "preceding", offset: n }
        : { kind: "following", offset: n };
    }
    default:
      throw new DbError("42601", `unknown window frame bound ${kind}`);
  }
}

/**
 * A RANGE offset: a non-negative number or interval constant.
 * @throws {DbError} 22004 null, 22013 negative, 0A000 not a constant
 */
function rangeDistance(e: Expr | undefined, which: string): Value {
  if (e?.type === "null") throw new DbError("22004", `frame ${which} offset must not be null`);
  const negative = e?.type === "unary" && e.op === "-";
  const inner = negative ? (e as Extract<Expr, { type: "unary" }>).operand : e;
  let value: Value;
  if (inner?.type === "integer" || inner?.type === "numeric") value = inner.value;
  else if (
    inner?.type === "cast" && inner.operand.type === "string" && inner.to.kind !== "array" &&
    inner.to.name.toLowerCase() === "interval"
  ) {
    value = parseInterval(inner.operand.value);
  } else throw new DbError("0A000", "RANGE offsets must be number or interval constants");
  const sign = value instanceof Interval
    ? Math.sign(value.months || value.days || Number(value.micros))
    : Math.sign(value as number);
  if (negative ? sign > 0 : sign < 0) {
    throw new DbError("22013", `invalid preceding or following size in window function`);
  }
  return value;
}

function offsetValue(e: Expr | undefined, which: string): number {
  const negative = e?.type === "unary" && e.op === "-";
  const inner = negative ? (e as Extract<Expr, { type: "unary" }>).operand : e;
  if (inner?.type !== "integer") {
    if (inner?.type === "null") {
      throw new DbError("22004", `frame ${which} offset must not be null`);
    }
    throw new DbError("0A000", "window frame offsets must be integer constants");
  }
  if ((negative && inner.value !== 0) || inner.value < 0) {
    throw new DbError("22013", `frame ${which} offset must not be negative`);
  }
  return inner.value;
}

const RANK: Record<FrameBound["kind"], number> = {
  unbounded_preceding: 0,
  preceding: 1,
  current_row: 2,
  following: 3,
  unbounded_following: 4,
};

/** PostgreSQL's checks on the order of the two bounds. */
function checkOrder(start: FrameBound, end: FrameBound): void {
  if (start.kind === "unbounded_following") {
    throw new DbError("42P20", "frame start cannot be UNBOUNDED FOLLOWING");
  }
  if (end.kind === "unbounded_preceding") {
    throw new DbError("42P20", "frame end cannot be UNBOUNDED PRECEDING");
  }
  if (
    RANK[start.kind] > RANK[end.kind] && !(start.kind === "following" && end.kind === "following")
  ) {
    const name = start.kind === "current_row" ? "current row" : "following row";
    throw new DbError("42P20", `frame starting from ${name} cannot have preceding rows`);
  }
}
