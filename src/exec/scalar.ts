/**
 * Compiles bound expressions into closures over a row. This is the
 * executor's built-in evaluator; the shared expression compiler in
 * `exec/expr/` can replace it node kind by node kind.
 * @module
 */
import { assertNever, DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import type { ExecContext } from "./context.ts";
import type { BoundExpr } from "./plan.ts";
import { castValue, zoned } from "./coerce.ts";
import { callFunction } from "./builtins.ts";
import { compileLibraryCall } from "./builtins_library.ts";
import { compareValues } from "./values.ts";
import { runPlan } from "./run_select.ts";

/** A compiled expression. */
export type Compiled = (row: readonly Value[], ctx: ExecContext) => Value;

const cache = new WeakMap<BoundExpr, Compiled>();

/** Compiles (memoized per node) a bound expression. */
export function compile(e: BoundExpr): Compiled {
  let c = cache.get(e);
  if (!c) {
    c = build(e);
    cache.set(e, c);
  }
  return c;
}

/** Evaluates a predicate: true only when the value is TRUE (NULL counts as false). */
export function truthy(v: Value): boolean {
  return v === true;
}

function coalesceOf(args: readonly Compiled[]): Compiled {
  return (row, ctx) => {
    for (const a of args) {
      const v = a(row, ctx);
      if (v !== null) return v;
    }
    return null;
  };
}

function build(e: BoundExpr): Compiled {
  switch (e.kind) {
    case "const": {
      const v = e.value;
      return () => v;
    }
    case "param": {
      const i = e.index;
      const t = e.type;
      return (_row, ctx) => {
        if (i >= ctx.params.length) {
          throw new DbError("08P01", `there is no parameter $${i + 1}`);
        }
        const v = ctx.params[i] ?? null;
        return typeof v === "string" && t.id !== "text" && t.id !== "unknown"
          ? castValue(v, { id: "unknown" }, t, true, ctx.setting("timezone") ?? "UTC")
          : v;
      };
    }
    case "column": {
      const { index, depth } = e;
      if (depth === 0) return (row) => row[index] ?? null;
      return (_row, ctx) => ctx.outer[ctx.outer.length - depth]?.[index] ?? null;
    }
    case "call": {
      const args = e.args.map(compile);
      const fn = e.fn;
      // COALESCE stops at its first non-NULL argument: later ones are never evaluated.
      if (fn === "coalesce") return coalesceOf(args);
      const argTypes = e.args.map((a) => a.type);
      const type = e.type;
      const lib = compileLibraryCall(fn, argTypes);
      if (lib) return (row, ctx) => lib(args.map((a) => a(row, ctx)), ctx);
      return (row, ctx) => callFunction(fn, args.map((a) => a(row, ctx)), argTypes, type, ctx);
    }
    case "and": {
      const args = e.args.map(compile);
      return (row, ctx) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row, ctx);
          if (v === false) return false;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : true;
      };
    }
    case "or": {
      const args = e.args.map(compile);
      return (row, ctx) => {
        let sawNull = false;
        for (const a of args) {
          const v = a(row, ctx);
          if (v === true) return true;
          if (v === null) sawNull = true;
        }
        return sawNull ? null : false;
      };
    }
    case "not": {
      const a = compile(e.arg);
      return (row, ctx) => {
        const v = a(row, ctx);
        return v === null ? null : !v;
      };
    }
    case "is_null": {
      const a = compile(e.arg);
      const neg = e.negate;
      return (row, ctx) => {
        const v = a(row, ctx);
        // A row is NULL when every field is, and NOT NULL when none is.
        if (Array.isArray(v) && e.arg.type.id === "record") {
          return neg ? v.every((x) => x !== null) : v.every((x) => x === null);
        }
        return neg ? v !== null : v === null;
      };
    }
    case "is_bool": {
      const a = compile(e.arg);
      return (row, ctx) => {
        const r = a(row, ctx) === e.value;
        return e.negate ? !r : r;
      };
    }
    case "case":
      return buildCase(e);
    case "cast": {
      const a = compile(e.arg);
      const explicit = e.implicit !== true;
      if (zoned(e.from, e.type)) {
        return (row, ctx) =>
          castValue(a(row, ctx), e.from, e.type, explicit, ctx.setting("timezone") ?? "UTC");
      }
      return (row, ctx) => castValue(a(row, ctx), e.from, e.type, explicit);
    }
    case "in_list": {
      const a = compile(e.arg);
      const list = e.list.map(compile);
      return (row, ctx) => inList(a(row, ctx), list.map((l) => l(row, ctx)), e.negate);
    }
    case "subquery":
      return buildSubquery(e);
    case "array": {
      const items = e.items.map(compile);
      return (row, ctx) => items.map((i) => i(row, ctx));
    }
    default:
      return assertNever(e, "expression");
  }
}

function buildCase(e: Extract<BoundExpr, { kind: "case" }>): Compiled {
  const operand = e.operand ? compile(e.operand) : null;
  const whens = e.whens.map((w) => ({ when: compile(w.when), then: compile(w.then) }));
  const otherwise = e.otherwise ? compile(e.otherwise) : null;
  return (row, ctx) => {
    const base = operand ? operand(row, ctx) : undefined;
    for (const w of whens) {
      const v = w.when(row, ctx);
      const hit = operand
        ? base !== null && v !== null && compareValues(base!, v) === 0
        : v === true;
      if (hit) return w.then(row, ctx);
    }
    return otherwise ? otherwise(row, ctx) : null;
  };
}

function inList(v: Value, items: readonly Value[], negate: boolean): Value {
  if (v === null) return items.length === 0 ? negate : null;
  let sawNull = false;
  for (const x of items) {
    if (x === null) {
      sawNull = true;
      continue;
    }
    if (compareValues(v, x) === 0) return !negate;
  }
  return sawNull ? null : negate;
}

function buildSubquery(e: Extract<BoundExpr, { kind: "subquery" }>): Compiled {
  const arg = e.arg ? compile(e.arg) : null;
  let cached: Value[][] | null = null;
  let cachedFor: ExecContext | null = null;
  const rowsFor = (row: readonly Value[], ctx: ExecContext): Value[][] => {
    if (!e.correlated && cached && cachedFor === ctx) return cached;
    ctx.outer.push(row as Value[]);
    try {
      const rows = runPlan(e.plan, ctx, e.mode === "exists" ? 1 : Infinity);
      if (!e.correlated) {
        cached = rows;
        cachedFor = ctx;
      }
      return rows;
    } finally {
      ctx.outer.pop();
    }
  };
  switch (e.mode) {
    case "exists":
      return (row, ctx) => (rowsFor(row, ctx).length > 0) !== e.negate;
    case "scalar":
      return (row, ctx) => {
        const rows = rowsFor(row, ctx);
        if (rows.length > 1) {
          throw new DbError(
            "21000",
            "more than one row returned by a subquery used as an expression",
          );
        }
        return rows[0]?.[0] ?? null;
      };
    case "array":
      return (row, ctx) => rowsFor(row, ctx).map((r) => r[0] ?? null);
    case "in":
      return (row, ctx) => {
        const v = arg!(row, ctx);
        return inList(v, rowsFor(row, ctx).map((r) => r[0] ?? null), e.negate);
      };
    default:
      return assertNever(e.mode, "subquery mode");
  }
}
