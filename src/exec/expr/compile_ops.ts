/**
 * Compiles binary and ternary operator nodes: logic with three-valued
 * semantics, comparisons, arithmetic, pattern matching, IN, ANY/ALL, JSON
 * and vector operators.
 * @module
 */

import type { Expr, ExprBinary, ExprTernary } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { arrayOf, type SqlType, type, type Value } from "../../common/types.ts";
import type { ExprScope } from "./context.ts";
import { constNode, type Node, tryFold } from "./node.ts";
import { baseType, commonType, pairType } from "../functions/type_rules.ts";
import { noOperator, resolveBinary } from "./operators.ts";
import {
  cmpOp,
  compareNodes,
  distinctNodes,
  inListNodes,
  quantifiedNodes,
  rowCompareNodes,
} from "./compare_ops.ts";
import { cachedPattern, compileRegex, likeToRegExp } from "../functions/patterns.ts";
import type { Compiler } from "./compiler.ts";
import { isSubquery } from "./compiler.ts";
import { atTimeZone, compareEq, jsonOperator } from "./special_ops.ts";

type Eval = Node["eval"];

/** Wraps a strict binary kernel into a node, folding constants. */
export function strictBinary(
  l: Node,
  r: Node,
  ret: SqlType,
  kernel: (a: Value, b: Value, ctx: Parameters<Eval>[1]) => Value,
): Node {
  const le = l.eval;
  const re = r.eval;
  let ev: Eval;
  if (r.isConst) {
    const b = r.value ?? null;
    ev = b === null ? () => null : (row, ctx) => {
      const a = le(row, ctx);
      return a === null ? null : kernel(a, b, ctx);
    };
  } else {
    ev = (row, ctx) => {
      const a = le(row, ctx);
      if (a === null) return null;
      const b = re(row, ctx);
      return b === null ? null : kernel(a, b, ctx);
    };
  }
  const node: Node = { type: ret, eval: ev };
  return l.isConst && r.isConst ? tryFold(node) : node;
}

function logic(c: Compiler, op: "AND" | "OR", e: ExprBinary, scope: ExprScope): Node {
  const l = c.compileBool(e.left, scope, op);
  const r = c.compileBool(e.right, scope, op);
  const le = l.eval;
  const re = r.eval;
  const stop = op === "OR";
  const node: Node = {
    type: type("bool"),
    eval: (row, ctx) => {
      const a = le(row, ctx);
      if (a === stop) return stop;
      const b = re(row, ctx);
      if (b === stop) return stop;
      return a === null || b === null ? null : !stop;
    },
  };
  return l.isConst && r.isConst ? tryFold(node) : node;
}

function likeNode(
  c: Compiler,
  l: Node,
  r: Node,
  ci: boolean,
  negate: boolean,
  escape?: Node,
): Node {
  const s = c.coerce(l, type("text"));
  const p = c.coerce(r, type("text"));
  const esc = escape ? c.coerce(escape, type("text")) : undefined;
  const build = cachedPattern((pat: string) => pat);
  void build;
  let cache = "";
  let cacheEsc = "";
  let re: RegExp | undefined;
  const node: Node = {
    type: type("bool"),
    eval: (row, ctx) => {
      const a = s.eval(row, ctx);
      if (a === null) return null;
      const b = p.eval(row, ctx);
      if (b === null) return null;
      const e = esc ? esc.eval(row, ctx) : "\\";
      if (e === null) return null;
      if (re === undefined || b !== cache || e !== cacheEsc) {
        re = likeToRegExp(b as string, ci, e as string);
        cache = b as string;
        cacheEsc = e as string;
      }
      return re.test(a as string) !== negate;
    },
  };
  return l.isConst && r.isConst ? tryFold(node) : node;
}

function regexNode(c: Compiler, l: Node, r: Node, ci: boolean, negate: boolean): Node {
  const s = c.coerce(l, type("text"));
  const p = c.coerce(r, type("text"));
  const get = cachedPattern((pat) => compileRegex(pat, ci ? "i" : ""));
  return strictBinary(s, p, type("bool"), (a, b) => get(b as string).test(a as string) !== negate);
}

function inNode(c: Compiler, e: ExprBinary, scope: ExprScope, negate: boolean): Node {
  if (isSubquery(e.right)) {
    const x = c.compile(e.left, scope);
    const sq = c.subquery(e.right, "in", scope);
    const t = pairType(x.type, sq.type) ?? sq.type;
    return {
      type: type("bool"),
      eval: quantifiedNodes(negate ? "<>" : "=", c.coerce(x, t), sq.eval, t, negate),
    };
  }
  if (e.right.type !== "list" && e.right.type !== "array") {
    throw new DbError("42601", "IN requires a list or a subquery");
  }
  const all = c.compileCommon([e.left, ...e.right.expressions], scope, "IN");
  const [x, ...items] = all;
  return { type: type("bool"), eval: inListNodes(x!, items, x!.type, negate) };
}

function quantified(c: Compiler, e: ExprBinary, scope: ExprScope): Node | undefined {
  const r = e.right;
  if (r.type !== "call" || r.args.length !== 1) return undefined;
  const fname = r.function.name.toLowerCase();
  if (fname !== "any" && fname !== "all" && fname !== "some") return undefined;
  const op = cmpOp(e.op);
  const all = fname === "all";
  const x = c.compile(e.left, scope);
  const arg = r.args[0]!;
  if (isSubquery(arg)) {
    const sq = c.subquery(arg, "in", scope);
    const t = pairType(x.type, sq.type) ?? sq.type;
    if (!op) throw noOperator(e.op, x.type, sq.type);
    return { type: type("bool"), eval: quantifiedNodes(op, c.coerce(x, t), sq.eval, t, all) };
  }
  let arr = c.compile(arg, scope);
  if (arr.type.id === "unknown") arr = c.coerce(arr, arrayOf(baseType(c.settle(x).type)));
  if (arr.type.id !== "array") {
    throw new DbError("42809", `op ANY/ALL (array) requires array on right side`);
  }
  const elem = arr.type.elem ?? type("text");
  const t = pairType(x.type, elem);
  if (!t) throw noOperator(e.op, x.type, elem);
  if (e.op === "LIKE" || e.op === "ILIKE" || e.op === "NOT LIKE" || e.op === "NOT ILIKE") {
    const ci = e.op.includes("ILIKE");
    const neg = e.op.startsWith("NOT");
    const xs = c.coerce(x, type("text"));
    return {
      type: type("bool"),
      eval: (row, ctx) => {
        const a = xs.eval(row, ctx);
        const list = arr.eval(row, ctx) as Value[] | null;
        if (a === null || list === null) return null;
        let sawNull = false;
        for (const p of list) {
          if (p === null) {
            sawNull = true;
            continue;
          }
          const m = likeToRegExp(p as string, ci).test(a as string) !== neg;
          if (all && !m) return false;
          if (!all && m) return true;
        }
        return sawNull ? null : all;
      },
    };
  }
  if (!op) throw noOperator(e.op, x.type, elem);
  const xc = c.coerce(x, t);
  const arrc = elem.id === t.id ? arr : c.coerce(arr, arrayOf(t));
  return { type: type("bool"), eval: quantifiedNodes(op, xc, arrc.eval, t, all) };
}

function comparison(c: Compiler, e: ExprBinary, scope: ExprScope, left?: Node): Node {
  const op = cmpOp(e.op)!;
  if (e.left.type === "list" && e.right.type === "list" && e.left.expressions.length > 1) {
    const ls = e.left.expressions;
    const rs = e.right.expressions;
    if (ls.length !== rs.length) {
      throw new DbError("42601", "unequal number of entries in row expressions");
    }
    const pairs = ls.map((x, i) => c.compileCommon([x, rs[i]!], scope, "row comparison"));
    return {
      type: type("bool"),
      eval: rowCompareNodes(
        op,
        pairs.map((p) => p[0]!),
        pairs.map((p) => p[1]!),
        pairs.map((p) => p[0]!.type),
      ),
    };
  }
  const l = left ?? c.compile(e.left, scope);
  const r = c.compile(e.right, scope);
  const t = pairType(l.type, r.type);
  if (!t || t.id === "json") throw noOperator(e.op, l.type, r.type);
  const lc = c.coerce(l, t);
  const rc = c.coerce(r, t);
  // Put the constant on the right so the column-vs-constant fast path applies.
  if (lc.isConst && !rc.isConst) {
    const flipped = { "=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<=" } as const;
    return { type: type("bool"), eval: compareNodes(flipped[op], rc, lc, t) };
  }
  const node: Node = { type: type("bool"), eval: compareNodes(op, lc, rc, t) };
  return lc.isConst && rc.isConst ? tryFold(node) : node;
}

function binaryName(e: ExprBinary): string {
  return e.op as string;
}

/** Compiles a binary operator node. `left` reuses an already compiled left operand. */
export function compileBinary(c: Compiler, e: ExprBinary, scope: ExprScope, left?: Node): Node {
  const op = binaryName(e);
  if (op === "AND" || op === "OR") return logic(c, op, e, scope);
  if (op === "IN" || op === "NOT IN") return inNode(c, e, scope, op === "NOT IN");
  const q = quantified(c, e, scope);
  if (q) return q;
  if (cmpOp(op)) return comparison(c, e, scope, left);
  const l = left ?? c.compile(e.left, scope);
  const r = c.compile(e.right, scope);
  switch (op) {
    case "LIKE":
    case "NOT LIKE":
    case "ILIKE":
    case "NOT ILIKE":
      return likeNode(c, l, r, op.includes("ILIKE"), op.startsWith("NOT"));
    case "~":
    case "~*":
    case "!~":
    case "!~*":
      return regexNode(c, l, r, op.endsWith("*"), op.startsWith("!"));
    case "AT TIME ZONE":
      return atTimeZone(c, l, r);
    case "&&":
      if (l.type.id === "array" || r.type.id === "array") {
        const t = pairType(l.type, r.type) ?? l.type;
        return strictBinary(
          c.coerce(l, t),
          c.coerce(r, t),
          type("bool"),
          (x, y) =>
            (x as Value[]).some((v) =>
              v !== null && (y as Value[]).some((w) => w !== null && compareEq(v, w))
            ),
        );
      }
      break;
  }
  const j = jsonOperator(c, op, l, r);
  if (j) return j;
  const p = resolveBinary(op, l.type, r.type);
  const lc = c.coerce(l, p.left);
  const rc = c.coerce(r, p.right);
  if (!p.nonStrict) return strictBinary(lc, rc, p.ret, p.kernel);
  const kernel = p.kernel;
  return { type: p.ret, eval: (row, ctx) => kernel(lc.eval(row, ctx), rc.eval(row, ctx), ctx) };
}

export function compileTernary(
  c: Compiler,
  e: ExprTernary,
  scope: ExprScope,
  symmetric = false,
): Node {
  const [x, lo, hi] = c.compileCommon([e.value, e.lo, e.hi], scope, "BETWEEN");
  const t = x!.type;
  const ge = compareNodes(">=", x!, lo!, t);
  const le = compareNodes("<=", x!, hi!, t);
  const negate = e.op === "NOT BETWEEN";
  const and = (
    a: Value,
    b: Value,
  ): Value => (a === false || b === false ? false : a === null || b === null ? null : true);
  const not = (v: Value): Value => (v === null ? null : !v);
  if (!symmetric) {
    return {
      type: type("bool"),
      eval: (row, ctx) => {
        const r = and(ge(row, ctx), le(row, ctx));
        return negate ? not(r) : r;
      },
    };
  }
  const ge2 = compareNodes(">=", x!, hi!, t);
  const le2 = compareNodes("<=", x!, lo!, t);
  return {
    type: type("bool"),
    eval: (row, ctx) => {
      const a = and(ge(row, ctx), le(row, ctx));
      const b = and(ge2(row, ctx), le2(row, ctx));
      const r = a === true || b === true ? true : a === null || b === null ? null : false;
      return negate ? not(r) : r;
    },
  };
}

/** IS [NOT] DISTINCT FROM over two expressions. */
export function compileDistinct(
  c: Compiler,
  a: Expr,
  b: Expr,
  scope: ExprScope,
  negate: boolean,
): Node {
  const [l, r] = c.compileCommon([a, b], scope, "IS DISTINCT FROM");
  return { type: type("bool"), nullable: false, eval: distinctNodes(l!, r!, l!.type, negate) };
}

/** LIKE with an ESCAPE clause (used by the internal __like family). */
export function compileLike(
  c: Compiler,
  args: readonly Expr[],
  scope: ExprScope,
  ci: boolean,
  negate: boolean,
): Node {
  const [a, p, esc] = args.map((x) => c.compile(x, scope));
  if (!a || !p) throw new DbError("42601", "LIKE needs two operands");
  return likeNode(c, a, p, ci, negate, esc);
}

/** Returns a constant NULL of the common type of `nodes` (helper for NULL-only branches). */
export function nullOf(nodes: readonly Node[]): Node {
  return constNode(null, commonType(nodes.map((n) => n.type), "NULL"));
}
