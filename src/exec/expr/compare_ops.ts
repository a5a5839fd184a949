/**
 * Comparison closures: `= <> < <= > >=`, IS [NOT] DISTINCT FROM, IN lists,
 * `op ANY/ALL (array)` and row comparisons, with NULL semantics and fast
 * paths for numbers and column-vs-constant.
 * @module
 */

import { type SqlType, type Value } from "../../common/types.ts";
import type { EvalContext } from "./context.ts";
import {
  type CmpOp,
  type Comparator,
  comparatorFor,
  hashKey,
  testResult,
} from "../functions/compare.ts";
import type { Node } from "./node.ts";

/** Normalises `!=` to `<>`; undefined for non-comparison operators. */
export function cmpOp(op: string): CmpOp | undefined {
  if (op === "!=") return "<>";
  return op === "=" || op === "<>" || op === "<" || op === "<=" || op === ">" || op === ">="
    ? op
    : undefined;
}

/** Builds a `(a, b) => boolean` test for non-null values of type `t`. */
export function valueTest(op: CmpOp, t: SqlType): (a: Value, b: Value) => boolean {
  const plainNumber = t.id === "int2" || t.id === "int4" || t.id === "date" || t.id === "oid";
  if (
    plainNumber || t.id === "int8" || t.id === "timestamp" || t.id === "timestamptz" ||
    t.id === "time"
  ) {
    switch (op) {
      case "=":
        return (a, b) => a === b;
      case "<>":
        return (a, b) => a !== b;
      case "<":
        return (a, b) => (a as number) < (b as number);
      case "<=":
        return (a, b) => (a as number) <= (b as number);
      case ">":
        return (a, b) => (a as number) > (b as number);
      case ">=":
        return (a, b) => (a as number) >= (b as number);
    }
  }
  if (t.id === "text" || t.id === "varchar" || t.id === "uuid" || t.id === "name") {
    if (op === "=") return (a, b) => a === b;
    if (op === "<>") return (a, b) => a !== b;
  }
  const cmp: Comparator = comparatorFor(t);
  return (a, b) => testResult(op, cmp(a, b));
}

/** A strict comparison closure over two nodes already coerced to `t`. */
export function compareNodes(op: CmpOp, l: Node, r: Node, t: SqlType): Node["eval"] {
  const test = valueTest(op, t);
  const le = l.eval;
  const re = r.eval;
  if (r.isConst) {
    const k = r.value ?? null;
    if (k === null) return () => null;
    const col = l.column;
    if (col !== undefined) {
      const fast = columnConstant(op, col, k, t);
      if (fast) return fast;
      return (row) => {
        const a = row[col] ?? null;
        return a === null ? null : test(a, k);
      };
    }
    return (row, ctx) => {
      const a = le(row, ctx);
      return a === null ? null : test(a, k);
    };
  }
  return (row, ctx) => {
    const a = le(row, ctx);
    if (a === null) return null;
    const b = re(row, ctx);
    return b === null ? null : test(a, b);
  };
}

const primitiveOrder = new Set([
  "int2",
  "int4",
  "int8",
  "date",
  "oid",
  "time",
  "timestamp",
  "timestamptz",
]);

/** Column-versus-constant closures without an inner call, for the common types. */
function columnConstant(op: CmpOp, col: number, k: Value, t: SqlType): Node["eval"] | undefined {
  const eqOnly = t.id === "text" || t.id === "varchar" || t.id === "uuid" || t.id === "bool";
  if (!primitiveOrder.has(t.id) && !(eqOnly && (op === "=" || op === "<>"))) return undefined;
  const c = k as number;
  switch (op) {
    case "=":
      return (row) => {
        const a = row[col] ?? null;
        return a === null ? null : a === k;
      };
    case "<>":
      return (row) => {
        const a = row[col] ?? null;
        return a === null ? null : a !== k;
      };
    case "<":
      return (row) => {
        const a = row[col] ?? null;
        return a === null ? null : (a as number) < c;
      };
    case "<=":
      return (row) => {
        const a = row[col] ?? null;
        return a === null ? null : (a as number) <= c;
      };
    case ">":
      return (row) => {
        const a = row[col] ?? null;
        return a === null ? null : (a as number) > c;
      };
    case ">=":
      return (row) => {
        const a = row[col] ?? null;
        return a === null ? null : (a as number) >= c;
      };
  }
}

/** IS [NOT] DISTINCT FROM: NULLs compare as equal values. */
export function distinctNodes(l: Node, r: Node, t: SqlType, negate: boolean): Node["eval"] {
  const cmp = comparatorFor(t);
  return (row, ctx) => {
    const a = l.eval(row, ctx);
    const b = r.eval(row, ctx);
    let distinct: boolean;
    if (a === null || b === null) distinct = a !== b;
    else distinct = cmp(a, b) !== 0;
    return negate ? !distinct : distinct;
  };
}

/** `x [NOT] IN (list)`: true on a match, NULL if no match but a NULL was seen. */
export function inListNodes(
  x: Node,
  items: readonly Node[],
  t: SqlType,
  negate: boolean,
): Node["eval"] {
  const allConst = items.every((n) => n.isConst);
  if (allConst) {
    const keys = new Set<unknown>();
    let hasNull = false;
    for (const n of items) {
      if (n.value === null || n.value === undefined) hasNull = true;
      else keys.add(hashKey(n.value, t));
    }
    // hashKey is the identity for these types, so the raw value is the key.
    const raw = primitiveOrder.has(t.id) || t.id === "text" || t.id === "varchar";
    const xe = x.eval;
    if (raw) {
      return (row, ctx) => {
        const a = xe(row, ctx);
        if (a === null) return null;
        if (keys.has(a)) return !negate;
        return hasNull ? null : negate;
      };
    }
    return (row, ctx) => {
      const a = xe(row, ctx);
      if (a === null) return null;
      if (keys.has(hashKey(a, t))) return !negate;
      return hasNull ? null : negate;
    };
  }
  const eq = valueTest("=", t);
  return (row, ctx) => {
    const a = x.eval(row, ctx);
    if (a === null) return null;
    let sawNull = false;
    for (let i = 0; i < items.length; i++) {
      const b = items[i]!.eval(row, ctx);
      if (b === null) sawNull = true;
      else if (eq(a, b)) return !negate;
    }
    return sawNull ? null : negate;
  };
}

/** `x op ANY|ALL (array)` over the array's elements (nested arrays flattened). */
export function quantifiedNodes(
  op: CmpOp,
  x: Node,
  arr: (row: Value[], ctx: EvalContext) => Value,
  elem: SqlType,
  all: boolean,
): Node["eval"] {
  const test = valueTest(op, elem);
  return (row, ctx) => {
    const a = x.eval(row, ctx);
    const list = arr(row, ctx);
    if (list === null) return null;
    const items = (list as Value[]).flat(Infinity as 1) as Value[];
    if (items.length === 0) return all;
    if (a === null) return null;
    let sawNull = false;
    for (const b of items) {
      if (b === null) {
        sawNull = true;
        continue;
      }
      const r = test(a, b);
      if (all && !r) return false;
      if (!all && r) return true;
    }
    return sawNull ? null : all;
  };
}

/** Row-wise comparison `(a, b) op (c, d)` with SQL's NULL rules. */
export function rowCompareNodes(
  op: CmpOp,
  left: readonly Node[],
  right: readonly Node[],
  types: readonly SqlType[],
): Node["eval"] {
  const cmps = types.map((t) => comparatorFor(t));
  return (row, ctx) => {
    let sawNull = false;
    for (let i = 0; i < left.length; i++) {
      const a = left[i]!.eval(row, ctx);
      const b = right[i]!.eval(row, ctx);
      if (a === null || b === null) {
        if (op === "=" || op === "<>") {
          sawNull = true;
          continue;
        }
        return null;
      }
      const c = cmps[i]!(a, b);
      if (op === "=" && c !== 0) return false;
      if (op === "<>" && c !== 0) return true;
      if (op !== "=" && op !== "<>" && c !== 0) return testResult(op, c);
    }
    if (sawNull) return null;
    return op === "=" || op === "<=" || op === ">=";
  };
}
