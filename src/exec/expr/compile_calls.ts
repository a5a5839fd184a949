/**
 * Compiles function calls (registry functions, the special forms COALESCE,
 * NULLIF, GREATEST, LEAST, EXISTS, ROW, the internal `__` functions the SQL
 * frontend emits), aggregate references, EXTRACT, value keywords and JSON
 * member access.
 * @module
 */

import { checkCollation } from "../../common/collations.ts";
import type { Expr, ExprCall, ExprExtract, ExprMember, ValueKeyword } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { Jsonb, type SqlType, type, type Value } from "../../common/types.ts";
import { formatJsonData } from "../../common/jsonb.ts";
import type { ExprScope } from "./context.ts";
import { constNode, type Node, tryFold } from "./node.ts";
import { comparatorFor } from "../functions/compare.ts";
import type { Compiler } from "./compiler.ts";
import { isSubquery } from "./compiler.ts";
import { compileBinary, compileDistinct, compileLike, compileTernary } from "./compile_ops.ts";
import { resolveFunction } from "../functions/registry.ts";
import { isAggregateName, isWindowName } from "../functions/aggregates.ts";
import { jsonDataOf, jsonGet, jsonText } from "../functions/json_ops.ts";
import { cachedPattern, similarToRegExp } from "../functions/patterns.ts";
import "../functions/mod.ts";
import { datePartNode } from "./extract_node.ts";

function specialCall(c: Compiler, name: string, e: ExprCall, scope: ExprScope): Node | undefined {
  const args = e.args;
  switch (name) {
    case "coalesce": {
      const nodes = c.compileCommon(args, scope, "COALESCE");
      const node: Node = {
        type: nodes[0]?.type ?? type("text"),
        eval: (row, ctx) => {
          for (let i = 0; i < nodes.length; i++) {
            const v = nodes[i]!.eval(row, ctx);
            if (v !== null) return v;
          }
          return null;
        },
      };
      return node;
    }
    case "nullif": {
      if (args.length !== 2) throw new DbError("42883", "function nullif requires two arguments");
      const [a, b] = c.compileCommon(args, scope, "NULLIF");
      const cmp = comparatorFor(a!.type);
      return {
        type: a!.type,
        eval: (row, ctx) => {
          const x = a!.eval(row, ctx);
          const y = b!.eval(row, ctx);
          if (x === null || y === null) return x;
          return cmp(x, y) === 0 ? null : x;
        },
      };
    }
    case "greatest":
    case "least": {
      const nodes = c.compileCommon(args, scope, name.toUpperCase());
      const t = nodes[0]?.type ?? type("text");
      const cmp = comparatorFor(t);
      const sign = name === "greatest" ? 1 : -1;
      return {
        type: t,
        eval: (row, ctx) => {
          let best: Value = null;
          for (const n of nodes) {
            const v = n.eval(row, ctx);
            if (v !== null && (best === null || sign * cmp(v, best) > 0)) best = v;
          }
          return best;
        },
      };
    }
    case "exists": {
      const sel = args[0];
      if (!sel || !isSubquery(sel)) throw new DbError("42601", "EXISTS requires a subquery");
      return c.subquery(sel, "exists", scope);
    }
    case "row":
      return c.compile({ type: "list", expressions: args }, scope);
    case "any":
    case "all":
    case "some":
      throw new DbError("42601", `${name.toUpperCase()} must follow a comparison operator`);
  }
  return internalCall(c, name, args, scope);
}

/** The internal functions the SQL frontend uses for syntax pgsql-ast-parser lacks. */
function internalCall(
  c: Compiler,
  name: string,
  args: readonly Expr[],
  scope: ExprScope,
): Node | undefined {
  const a0 = args[0]!;
  const a1 = args[1]!;
  switch (name) {
    case "__is_distinct_from":
      return compileDistinct(c, a0, a1, scope, false);
    case "__is_not_distinct_from":
      return compileDistinct(c, a0, a1, scope, true);
    case "__like":
    case "__not_like":
    case "__ilike":
    case "__not_ilike":
      return compileLike(c, args, scope, name.includes("ilike"), name.startsWith("__not"));
    case "__similar_to":
    case "__not_similar_to": {
      const [s, p, esc] = args.map((x) => c.coerce(c.compile(x, scope), type("text")));
      const negate = name === "__not_similar_to";
      const get = cachedPattern((key) => {
        const [pat, e] = JSON.parse(key) as [string, string];
        return similarToRegExp(pat, e);
      });
      return {
        type: type("bool"),
        eval: (row, ctx) => {
          const v = s!.eval(row, ctx);
          const pat = p!.eval(row, ctx);
          const e = esc ? esc.eval(row, ctx) : "\\";
          if (v === null || pat === null || e === null) return null;
          return get(JSON.stringify([pat, e])).test(v as string) !== negate;
        },
      };
    }
    case "__between_symmetric":
    case "__not_between_symmetric":
      return compileTernary(
        c,
        {
          type: "ternary",
          value: a0,
          lo: a1,
          hi: args[2]!,
          op: name.startsWith("__not") ? "NOT BETWEEN" : "BETWEEN",
        },
        scope,
        true,
      );
    case "__op": {
      const op = args[0];
      if (!op || op.type !== "string") throw new DbError("42601", "__op needs an operator name");
      return compileBinary(c, {
        type: "binary",
        op: op.value as "+",
        left: args[1]!,
        right: args[2]!,
      }, scope);
    }
    case "__vector_l2_distance":
    case "__vector_cosine_distance":
    case "__vector_negative_inner_product": {
      const op = {
        __vector_l2_distance: "<->",
        __vector_cosine_distance: "<=>",
        __vector_negative_inner_product: "<#>",
      }[name];
      return compileBinary(c, { type: "binary", op: op as "+", left: a0, right: a1 }, scope);
    }
    case "__collate": {
      const n = c.compile(a0, scope);
      checkCollation(args[1]?.type === "string" ? args[1].value : "?");
      return n.type.id === "unknown" ? c.coerce(n, type("text")) : n;
    }
    case "__subscript":
      return c.compile({ type: "arrayIndex", array: a0, index: a1 }, scope);
    case "__slice":
      return sliceNode(c, args, scope);
    case "__is_unknown":
    case "__is_not_unknown":
      return c.compile({
        type: "unary",
        op: name === "__is_unknown" ? "IS NULL" : "IS NOT NULL",
        operand: a0,
      }, scope);
  }
  return undefined;
}

function sliceNode(c: Compiler, args: readonly Expr[], scope: ExprScope): Node {
  const arr = c.compile(args[0]!, scope);
  const lo = args[1] && args[1].type !== "null"
    ? c.compileAs(args[1], scope, type("int4"))
    : undefined;
  const hi = args[2] && args[2].type !== "null"
    ? c.compileAs(args[2], scope, type("int4"))
    : undefined;
  return {
    type: arr.type,
    eval: (row, ctx) => {
      const a = arr.eval(row, ctx) as Value[] | null;
      if (a === null) return null;
      const l = lo ? lo.eval(row, ctx) : 1;
      const h = hi ? hi.eval(row, ctx) : a.length;
      if (l === null || h === null) return null;
      return a.slice(Math.max(0, (l as number) - 1), Math.max(0, h as number));
    },
  };
}

function aggregateCall(c: Compiler, e: ExprCall, scope: ExprScope, name: string): Node {
  const hook = c.options.aggregateRef;
  if (!hook) {
    const where = c.options.clause ?? "this context";
    if (e.over) throw new DbError("42P20", `window functions are not allowed in ${where}`);
    throw new DbError("42803", `aggregate functions are not allowed in ${where}`);
  }
  void name;
  const ref = hook(e, scope);
  return { type: ref.type, eval: ref.eval };
}

/** Compiles a function call. @throws {DbError} 42883 unknown function */
export function compileCall(c: Compiler, e: ExprCall, scope: ExprScope): Node {
  const schema = e.function.schema;
  if (schema && schema !== "pg_catalog" && schema !== "public") {
    throw new DbError("42883", `function ${schema}.${e.function.name} does not exist`);
  }
  const name = e.function.name.toLowerCase();
  if (
    e.over || e.filter || e.orderBy || e.distinct === "distinct" || e.withinGroup ||
    isAggregateName(name) || (isWindowName(name) && e.over)
  ) {
    return aggregateCall(c, e, scope, name);
  }
  const first = e.args[0];
  if (name === "position" && e.args.length === 1 && first?.type === "binary" && first.op === "IN") {
    return compileCall(c, { ...e, args: [first.left, first.right] }, scope);
  }
  const special = specialCall(c, name, e, scope);
  if (special) return special;
  const raw = e.args.map((x) => c.compile(x, scope));
  const fn = resolveFunction(name, raw.map((n) => n.type));
  const args = raw.map((n, i) => c.coerce(n, fn.argTypes[i] ?? n.type));
  const impl = fn.overload.impl;
  const types = fn.argTypes;
  const strict = fn.overload.strict !== false;
  const n = args.length;
  const scratch: Value[] = new Array(n).fill(null);
  const evals = args.map((a) => a.eval);
  const node: Node = {
    type: fn.ret,
    eval: (row, ctx) => {
      for (let i = 0; i < n; i++) {
        const v = evals[i]!(row, ctx);
        if (v === null && strict) return null;
        scratch[i] = v;
      }
      return impl(scratch, ctx, types);
    },
  };
  const foldable = (fn.overload.volatility ?? "immutable") === "immutable";
  return foldable && args.every((a) => a.isConst) ? tryFold(node) : node;
}

/** Compiles EXTRACT(field FROM source). */
export function compileExtract(c: Compiler, e: ExprExtract, scope: ExprScope): Node {
  const src = c.compile(e.from, scope);
  return datePartNode(c, e.field.name, src, true);
}

/** Compiles CURRENT_DATE, CURRENT_TIMESTAMP, CURRENT_USER and friends. */
export function compileKeyword(k: ValueKeyword): Node {
  switch (k) {
    case "current_timestamp":
      return {
        type: type("timestamptz"),
        eval: (_r, ctx) => ctx.session.transactionNow ?? ctx.session.now,
      };
    case "localtimestamp":
      return compileCallByName("localtimestamp");
    case "current_date":
      return compileCallByName("current_date");
    case "current_time":
    case "localtime":
      return compileCallByName("localtime");
    case "current_user":
    case "current_role":
    case "user":
    case "session_user":
      return { type: type("name"), eval: (_r, ctx) => ctx.session.user ?? "thunder" };
    case "current_catalog":
      return { type: type("name"), eval: (_r, ctx) => ctx.session.database ?? "thunder" };
    case "current_schema":
      return { type: type("name"), eval: (_r, ctx) => ctx.session.schema ?? "public" };
    case "distinct":
      throw new DbError("42601", 'syntax error at or near "DISTINCT"');
  }
}

function compileCallByName(name: string): Node {
  const fn = resolveFunction(name, []);
  const impl = fn.overload.impl;
  return { type: fn.ret, eval: (_r, ctx) => impl([], ctx, []) };
}

/** Compiles `x -> key` / `x ->> key` (or a jsonb subscript when `index` is given). */
export function compileMember(c: Compiler, e: ExprMember, scope: ExprScope, index?: Expr): Node {
  let src = c.compile(e.operand, scope);
  if (src.type.id === "unknown") src = c.coerce(src, type("jsonb"));
  if (src.type.id !== "json" && src.type.id !== "jsonb") {
    throw new DbError("42883", `operator does not exist: ${src.type.id} ${e.op} unknown`);
  }
  const asText = e.op === "->>";
  const resultType: SqlType = asText ? type("text") : src.type;
  const isJson = src.type.id === "json";
  const keyNode = index ? c.settle(c.compile(index, scope)) : undefined;
  const fixedKey: string | number = e.member;
  const node: Node = {
    type: resultType,
    eval: (row, ctx) => {
      const v = src.eval(row, ctx);
      if (v === null) return null;
      let key: Value = fixedKey;
      if (keyNode) {
        key = keyNode.eval(row, ctx);
        if (key === null) return null;
      }
      const d = jsonGet(jsonDataOf(v), typeof key === "number" ? key : String(key));
      if (asText) return jsonText(d);
      if (d === undefined) return null;
      return isJson ? formatJsonData(d) : new Jsonb(d);
    },
  };
  return src.isConst ? tryFold(node) : node;
}

/** A constant NULL (re-exported for callers that build defaults). */
export const nullNode: Node = constNode(null, type("unknown"));
