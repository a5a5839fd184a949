/**
 * The expression compiler's core: walks a pgsql-ast-parser `Expr` once,
 * infers static types, folds constants and returns closures. Operators live
 * in `compile_ops.ts`, calls in `compile_calls.ts`.
 * @module
 */

import type { Expr, ExprCase, ExprRef, SelectStatement, WithStatement } from "pgsql-ast-parser";
import { DbError, LimitError } from "../../common/errors.ts";
import { exprDepthMax } from "../../common/limits.ts";
import { arrayOf, Numeric, recordOf, type SqlType, type, type Value } from "../../common/types.ts";
import { numericFromString } from "../../common/numeric.ts";
import type { CompileOptions, ExprScope, SubqueryKind } from "./context.ts";
import { coerce, type CoerceEnv, constNode, type Node, settle, tryFold } from "./node.ts";
import { commonType, typeFromAst } from "../functions/type_rules.ts";
import { compileBinary, compileTernary } from "./compile_ops.ts";
import { compileUnary } from "./compile_unary.ts";
import { compileCall, compileExtract, compileKeyword, compileMember } from "./compile_calls.ts";
import { formatTypeName } from "../../common/value_text.ts";

const selectKinds = new Set(["select", "union", "union all", "with", "with recursive", "values"]);

/** Returns true when the node is a (sub)query rather than a scalar expression. */
export function isSubquery(e: Expr): e is SelectStatement | WithStatement {
  return selectKinds.has(e.type);
}

/** One compilation (one statement). */
export class Compiler implements CoerceEnv {
  #depth = 0;
  readonly paramTypes: (SqlType | undefined)[];
  constructor(readonly options: CompileOptions) {
    this.paramTypes = options.paramTypes;
  }

  /**
   * Compiles `e` in `scope`.
   * @throws {LimitError} 54001 when nesting exceeds exprDepthMax
   */
  compile(e: Expr, scope: ExprScope): Node {
    if (++this.#depth > exprDepthMax) {
      this.#depth = 0;
      throw new LimitError("54001", `Expression nesting exceeds ${exprDepthMax} levels`);
    }
    try {
      return this.#dispatch(e, scope);
    } finally {
      this.#depth--;
    }
  }

  /** Compiles and coerces to `t` (implicit context). */
  compileAs(e: Expr, scope: ExprScope, t: SqlType): Node {
    return coerce(this.compile(e, scope), t, this);
  }

  /** Compiles a boolean condition. @throws {DbError} 42804 when not boolean */
  compileBool(e: Expr, scope: ExprScope, what: string): Node {
    const n = this.compile(e, scope);
    if (n.type.id === "unknown") return coerce(n, type("bool"), this);
    if (n.type.id !== "bool") {
      throw new DbError(
        "42804",
        `argument of ${what} must be type boolean, not type ${formatTypeName(n.type)}`,
      );
    }
    return n;
  }

  /** Coerces `n` to `t` (implicit). */
  coerce(n: Node, t: SqlType): Node {
    return coerce(n, t, this);
  }

  /** Resolves unknown to text. */
  settle(n: Node): Node {
    return settle(n, this);
  }

  /** Compiles several expressions to their common type. */
  compileCommon(exprs: readonly Expr[], scope: ExprScope, context: string): Node[] {
    const nodes = exprs.map((x) => this.compile(x, scope));
    const t = commonType(nodes.map((n) => n.type), context);
    return nodes.map((n) => coerce(n, t, this));
  }

  /**
   * Asks the planner for a subquery.
   * @throws {DbError} 0A000 when subqueries are not allowed here
   */
  subquery(select: SelectStatement | WithStatement, kind: SubqueryKind, scope: ExprScope): Node {
    const hook = this.options.compileSubquery;
    if (!hook) {
      throw new DbError("0A000", `cannot use subquery in ${this.options.clause ?? "this context"}`);
    }
    const sq = hook(select, kind, scope);
    return { type: kind === "exists" ? type("bool") : sq.type, eval: sq.eval };
  }

  #dispatch(e: Expr, scope: ExprScope): Node {
    switch (e.type) {
      case "ref":
        return this.#ref(e, scope);
      case "parameter":
        return this.#param(e.name);
      case "integer":
        return integerConst(e.value);
      case "numeric":
        return constNode(numericFromString(String(e.value)), type("numeric"));
      case "string":
        return { type: type("unknown"), literal: e.value, eval: () => e.value };
      case "boolean":
        return constNode(e.value, type("bool"));
      case "null":
        return constNode(null, type("unknown"));
      case "constant":
        return coerce(
          { type: type("unknown"), literal: String(e.value), eval: () => String(e.value) },
          typeFromAst(e.dataType),
          this,
          "explicit",
        );
      case "cast":
        return this.#cast(e.operand, typeFromAst(e.to), scope);
      case "unary":
        return compileUnary(this, e, scope);
      case "binary":
        return compileBinary(this, e, scope);
      case "ternary":
        return compileTernary(this, e, scope);
      case "case":
        return this.#case(e, scope);
      case "call":
        return compileCall(this, e, scope);
      case "member":
        return compileMember(this, e, scope);
      case "extract":
        return compileExtract(this, e, scope);
      case "keyword":
        return compileKeyword(e.keyword);
      case "arrayIndex":
        return this.#subscript(e.array, e.index, scope);
      case "list":
        return this.#row(e.expressions, scope);
      case "array":
        return this.#arrayCtor(e.expressions, scope);
      case "array select":
        return this.#arraySelect(e.select, scope);
      case "substring":
        return compileCall(this, {
          type: "call",
          function: { name: "substring" },
          args: [e.value, e.from ?? { type: "integer", value: 1 }, ...(e.for ? [e.for] : [])],
        }, scope);
      case "overlay":
        return compileCall(this, {
          type: "call",
          function: { name: "overlay" },
          args: [e.value, e.placing, e.from, ...(e.for ? [e.for] : [])],
        }, scope);
      case "default":
        throw new DbError("42601", "DEFAULT is not allowed in this context");
      case "select":
      case "union":
      case "union all":
      case "with":
      case "with recursive":
      case "values":
        return this.subquery(e, "scalar", scope);
      default:
        throw new DbError("0A000", `Unsupported expression: ${(e as { type: string }).type}`);
    }
  }

  #ref(e: ExprRef, scope: ExprScope): Node {
    if (e.name === "*") throw new DbError("42601", 'row expansion via "*" is not supported here');
    const table = e.table?.name;
    let s: ExprScope | undefined = scope;
    let level = 0;
    let firstError: unknown;
    while (s) {
      try {
        const col = s.resolveColumn(table, e.name);
        const idx = col.index;
        const nullable = col.nullable ?? true;
        if (level === 0) {
          return { type: col.type, nullable, column: idx, eval: (row) => row[idx] ?? null };
        }
        const k = level;
        return {
          type: col.type,
          nullable,
          eval: (_row, ctx) => ctx.outerRows[ctx.outerRows.length - k]?.[idx] ?? null,
        };
      } catch (err) {
        const code = err instanceof DbError ? err.sqlstate : "";
        if (code !== "42703" && code !== "42P01") throw err;
        firstError ??= err;
      }
      s = s.outer;
      level++;
    }
    throw firstError;
  }

  #param(name: string): Node {
    const n = Number(name.replace(/^\$/, ""));
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new DbError("42P02", `there is no parameter ${name}`);
    }
    const i = n - 1;
    while (this.paramTypes.length < n) this.paramTypes.push(undefined);
    const t = this.paramTypes[i];
    if (t === undefined || t.id === "unknown") {
      return { type: type("unknown"), param: i, eval: (_r, ctx) => ctx.params[i] ?? null };
    }
    return { type: t, eval: (_r, ctx) => ctx.params[i] ?? null };
  }

  #cast(operand: Expr, to: SqlType, scope: ExprScope): Node {
    const n = this.compile(operand, scope);
    return coerce(n, to, this, "explicit");
  }

  #case(e: ExprCase, scope: ExprScope): Node {
    const results = this.compileCommon(
      [...e.whens.map((w) => w.value), ...(e.else ? [e.else] : [])],
      scope,
      "CASE",
    );
    const t = results[0]?.type ?? type("text");
    const elseNode = e.else ? results[results.length - 1]! : constNode(null, t);
    let conds: Node[];
    if (e.value) {
      const subject = this.compile(e.value, scope);
      conds = e.whens.map((w) =>
        compileBinary(
          this,
          { type: "binary", op: "=", left: e.value!, right: w.when },
          scope,
          subject,
        )
      );
    } else {
      conds = e.whens.map((w) => this.compileBool(w.when, scope, "CASE/WHEN"));
    }
    const n = conds.length;
    const thens = results.slice(0, n);
    return {
      type: t,
      eval: (row, ctx) => {
        for (let i = 0; i < n; i++) {
          if (conds[i]!.eval(row, ctx) === true) return thens[i]!.eval(row, ctx);
        }
        return elseNode.eval(row, ctx);
      },
    };
  }

  #subscript(arrayExpr: Expr, index: Expr, scope: ExprScope): Node {
    const arr = this.compile(arrayExpr, scope);
    if (arr.type.id === "jsonb") {
      return compileMember(
        this,
        { type: "member", operand: arrayExpr, op: "->", member: "" },
        scope,
        index,
      );
    }
    if (arr.type.id !== "array") {
      throw new DbError(
        "42804",
        `cannot subscript type ${
          formatTypeName(arr.type)
        } because it does not support subscripting`,
      );
    }
    const idx = this.compileAs(index, scope, type("int4"));
    return {
      type: arr.type.elem ?? type("text"),
      eval: (row, ctx) => {
        const a = arr.eval(row, ctx);
        const i = idx.eval(row, ctx);
        if (a === null || i === null) return null;
        return (a as Value[])[(i as number) - 1] ?? null;
      },
    };
  }

  #row(exprs: readonly Expr[], scope: ExprScope): Node {
    if (exprs.length === 1) return this.compile(exprs[0]!, scope);
    const items = exprs.map((x) => this.settle(this.compile(x, scope)));
    return {
      type: recordOf(items.map((n, i) => ({ name: `f${i + 1}`, type: n.type }))),
      eval: (row, ctx) => items.map((n) => n.eval(row, ctx)),
    };
  }

  #arrayCtor(exprs: readonly Expr[], scope: ExprScope): Node {
    if (exprs.length === 0) {
      return { type: arrayOf(type("unknown")), eval: () => [] };
    }
    const items = this.compileCommon(exprs, scope, "ARRAY");
    const elem = items[0]!.type;
    const inner = elem.id === "array" ? elem.elem ?? type("text") : elem;
    const node: Node = {
      type: arrayOf(inner),
      eval: (row, ctx) => items.map((n) => n.eval(row, ctx)),
    };
    return items.every((n) => n.isConst) ? tryFold(node) : node;
  }

  #arraySelect(select: SelectStatement, scope: ExprScope): Node {
    const sq = this.subquery(select, "array", scope);
    return { type: arrayOf(sq.type), eval: sq.eval };
  }
}

/** Types an integer literal as PostgreSQL does: int4, then int8, then numeric. */
export function integerConst(v: number): Node {
  if (Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return constNode(v, type("int4"));
  if (Number.isSafeInteger(v)) return constNode(BigInt(v), type("int8"));
  const n = numericFromString(String(v));
  if (n.digits >= -9223372036854775808n && n.digits <= 9223372036854775807n && n.scale === 0) {
    return constNode(n.digits, type("int8"));
  }
  return constNode(n instanceof Numeric ? n : null, type("numeric"));
}
