/**
 * Binds unary and binary operator expressions: boolean connectives, null and
 * truth tests, comparisons (including row and quantified `ANY`/`ALL` forms),
 * pattern matching, concatenation, arithmetic and `IN`.
 * @module
 */
import type { Expr, SelectStatement } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { arrayOf, type SqlType, type as scalar } from "../../common/types.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import { libraryPrefix } from "../../exec/builtins_library.ts";
import { noOperator } from "../../exec/expr/operators.ts";
import { isNumericType, isTextType, operatorType } from "./sql_types.ts";
import { bindLibrary, bindOperator } from "./bind_function.ts";
import { arithmetic, temporal, untypedTemporal } from "./bind_ops.ts";
import {
  bindRowCompare,
  bindRowCompareRecord,
  bindRowInList,
  bindRowInQuery,
  isQueryExpr,
  recordRows,
  rowItems,
} from "./bind_row.ts";
import {
  bindBoolean,
  type BindEnv,
  bindExpr,
  bindNumber,
  coerceTo,
  planSub,
  subquery,
} from "./bind_expr.ts";

const boolT = scalar("bool");

/** Binds a unary operator expression (NOT, IS [NOT] NULL/TRUE/FALSE, sign). */
export function bindUnary(e: Extract<Expr, { type: "unary" }>, env: BindEnv): BoundExpr {
  switch (e.op) {
    case "NOT": {
      const arg = bindBoolean(e.operand, env, "NOT");
      return { kind: "not", arg, type: boolT };
    }
    case "IS NULL":
    case "IS NOT NULL":
      return {
        kind: "is_null",
        arg: bindExpr(e.operand, env),
        negate: e.op === "IS NOT NULL",
        type: boolT,
      };
    case "IS TRUE":
    case "IS NOT TRUE":
    case "IS FALSE":
    case "IS NOT FALSE":
      return {
        kind: "is_bool",
        arg: bindBoolean(e.operand, env, e.op),
        value: e.op === "IS TRUE" || e.op === "IS NOT TRUE",
        negate: e.op.includes("NOT"),
        type: boolT,
      };
    case "-": {
      if (e.operand.type === "integer" || e.operand.type === "numeric") {
        const lit = bindNumber(e.operand, env) as Extract<BoundExpr, { kind: "const" }>;
        const v = lit.value;
        if (typeof v === "number") {
          return { kind: "const", value: v === 0 ? 0 : -v, type: lit.type };
        }
        if (typeof v === "bigint") {
          const n = -v;
          return n >= -2147483648n
            ? { kind: "const", value: Number(n), type: scalar("int4") }
            : { kind: "const", value: n, type: lit.type };
        }
      }
      const arg = bindExpr(e.operand, env);
      if (arg.type.id === "unknown" && arg.kind === "const") {
        throw new DbError("42725", "operator is not unique: - unknown");
      }
      const t = arg.type.id === "unknown" ? scalar("numeric") : arg.type;
      if (!isNumericType(t) && t.id !== "interval") throw noOperator("-", null, t);
      return { kind: "call", fn: "neg", args: [coerceTo(arg, t)], type: t };
    }
    case "+":
      return bindExpr(e.operand, env);
  }
}

/** Builds a comparison after unifying operand types. */
export function compareOp(op: string, l: BoundExpr, r: BoundExpr): BoundExpr {
  // Comparing unrelated types is a missing operator, as PostgreSQL reports it.
  const c = operatorType(op, l.type, r.type);
  const t = c.id === "unknown" ? scalar("text") : c;
  return { kind: "call", fn: op, args: [coerceTo(l, t), coerceTo(r, t)], type: boolT };
}

/** Binds a binary operator expression (AND/OR, comparisons, IN, LIKE, ||, arithmetic). */
export function bindBinary(e: Extract<Expr, { type: "binary" }>, env: BindEnv): BoundExpr {
  const op = e.op;
  if (op === "AND" || op === "OR") {
    const l = bindBoolean(e.left, env, op);
    const r = bindBoolean(e.right, env, op);
    const kind = op === "AND" ? "and" : "or";
    const args = [...(l.kind === kind ? l.args : [l]), ...(r.kind === kind ? r.args : [r])];
    return { kind, args, type: boolT };
  }
  if (op === "IN" || op === "NOT IN") return bindIn(e.left, e.right, op === "NOT IN", env);
  const compare = ["=", "!=", "<", "<=", ">", ">="].includes(op);
  const leftRow = compare ? rowItems(e.left) : null;
  const rightRow = leftRow ? rowItems(e.right) : null;
  if (leftRow && rightRow) return bindRowCompare(op === "!=" ? "<>" : op, leftRow, rightRow, env);
  if (leftRow && isQueryExpr(e.right)) {
    // `(a, b) = (SELECT x, y ...)`: the subquery's one row as a record.
    const sub = planSub(e.right, env);
    const { plan, type } = recordRows(sub);
    const record = subquery("scalar", { ...sub, plan }, null, false, type);
    return bindRowCompareRecord(op === "!=" ? "<>" : op, leftRow, record, env);
  }
  const quantified = quantifiedCall(e.right);
  if (quantified && ["=", "!=", "<", "<=", ">", ">="].includes(op)) {
    return bindQuantified(e.left, op === "!=" ? "<>" : op, quantified, env);
  }
  const l0 = bindExpr(e.left, env);
  // Operands of these operators do not take the other side's type.
  const textual =
    ["||", "LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE", "~", "~*", "!~", "!~*", "AT TIME ZONE"]
      .includes(op) ||
    l0.type.id === "json" || l0.type.id === "jsonb" || l0.type.id === "array" ||
    ["?", "?|", "?&", "#>", "#>>", "#-", "<<", ">>"].includes(op);
  // An untyped literal beside a date/time operand of arithmetic is resolved by `arithmetic`.
  const dated = (t: SqlType) => ["+", "-", "*", "/"].includes(op) && temporal.includes(t.id);
  const r0 = bindExpr(
    e.right,
    env,
    l0.type.id === "unknown" || textual || dated(l0.type) ? undefined : l0.type,
  );
  const l = l0.type.id === "unknown" && r0.type.id !== "unknown" && !textual && !dated(r0.type)
    ? bindExpr(e.left, env, r0.type)
    : l0;
  const r = r0;
  switch (op) {
    case "=":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      return compareOp(op === "!=" ? "<>" : op, l, r);
    case "LIKE":
    case "NOT LIKE":
    case "ILIKE":
    case "NOT ILIKE": {
      matchOperands(op, l, r);
      const call: BoundExpr = {
        kind: "call",
        fn: op.includes("ILIKE") ? "ilike" : "like",
        args: [coerceTo(l, scalar("text")), coerceTo(r, scalar("text"))],
        type: boolT,
      };
      return op.startsWith("NOT") ? { kind: "not", arg: call, type: boolT } : call;
    }
    case "~":
    case "~*":
    case "!~":
    case "!~*":
      matchOperands(op, l, r);
      return {
        kind: "call",
        fn: op,
        args: [coerceTo(l, scalar("text")), coerceTo(r, scalar("text"))],
        type: boolT,
      };
    case "||": {
      const kinds = [l.type.id, r.type.id];
      const viaLibrary = kinds.includes("array") || kinds.includes("jsonb") ||
        (kinds.includes("bytea") && kinds.every((k) => k === "bytea" || k === "unknown"));
      if (viaLibrary) return bindOperator("||", l, r);
      const stringy = (t: SqlType) => t.id === "unknown" || isTextType(t);
      if (!stringy(l.type) && !stringy(r.type)) throw noOperator(op, l.type, r.type);
      return {
        kind: "call",
        fn: "||",
        args: [concatOperand(l), concatOperand(r)],
        type: scalar("text"),
      };
    }
    case "+":
    case "-":
    case "*":
    case "/":
    case "%":
      if (
        l.type.id === "unknown" && r.type.id === "unknown" && l.kind === "const" &&
        r.kind === "const"
      ) {
        throw new DbError("42725", `operator is not unique: unknown ${op} unknown`);
      }
      if (dated(l.type) && r.type.id === "unknown") {
        return arithmeticOf(op, l, coerceTo(r, untypedTemporal(op, l.type, "right")));
      }
      if (dated(r.type) && l.type.id === "unknown") {
        return arithmeticOf(op, coerceTo(l, untypedTemporal(op, r.type, "left")), r);
      }
      return arithmeticOf(op, l, r);
    case "^":
      return bindOperator(op, l.type.id === "unknown" ? coerceTo(l, scalar("float8")) : l, r);
    case "AT TIME ZONE": {
      // PostgreSQL's timezone(zone, value): an untyped value or a date reads as timestamptz.
      const id = l.type.id;
      const value = id === "unknown" || id === "date" ? coerceTo(l, scalar("timestamptz")) : l;
      return bindLibrary("timezone", [
        r.type.id === "unknown" ? coerceTo(r, scalar("text")) : r,
        value,
      ]);
    }
    default:
      return bindOperator(op, l, r);
  }
}

/** `l op r` for + - * / % with typed (or untyped numeric) operands. */
function arithmeticOf(op: string, l: BoundExpr, r: BoundExpr): BoundExpr {
  if (temporalOperands(op, l, r)) return bindOperator(op, l, r);
  if (l.type.id === "jsonb") return bindOperator(op, l, r);
  return arithmetic(op, ...float4Mixed(l, r));
}

/** Date/time arithmetic on typed operands resolves through the operator library. */
function temporalOperands(op: string, l: BoundExpr, r: BoundExpr): boolean {
  const lt = l.type.id;
  const rt = r.type.id;
  if (!temporal.includes(lt) && !temporal.includes(rt)) return false;
  if ((op === "*" || op === "/") && (lt === "interval" || rt === "interval")) return true;
  return lt !== "unknown" && rt !== "unknown" && (op === "+" || op === "-");
}

/** real with another numeric type computes in double precision (PostgreSQL's float48 operators). */
function float4Mixed(l: BoundExpr, r: BoundExpr): [BoundExpr, BoundExpr] {
  const f4 = [l.type.id, r.type.id].filter((id) => id === "float4").length === 1;
  const numeric = ["int2", "int4", "int8", "numeric", "float8"];
  if (!f4 || !(numeric.includes(l.type.id) || numeric.includes(r.type.id))) return [l, r];
  return [coerceTo(l, scalar("float8")), coerceTo(r, scalar("float8"))];
}

const matchOperatorNames: Readonly<Record<string, string>> = {
  "LIKE": "~~",
  "NOT LIKE": "!~~",
  "ILIKE": "~~*",
  "NOT ILIKE": "!~~*",
};

/**
 * LIKE and regular-expression matches take character strings (or, for LIKE,
 * two byteas): `1 LIKE 'a'` has no operator, as in PostgreSQL.
 * @throws {DbError} 42883 operator does not exist: integer ~~ unknown
 */
function matchOperands(op: string, l: BoundExpr, r: BoundExpr): void {
  const stringy = (t: SqlType) => t.id === "unknown" || isTextType(t);
  if (stringy(l.type) && stringy(r.type)) return;
  if (op in matchOperatorNames && l.type.id === "bytea" && r.type.id === "bytea") return;
  throw noOperator(matchOperatorNames[op] ?? op, l.type, r.type);
}

/** A `||` operand: unknown literals and char(n) (trailing blanks dropped) become text. */
function concatOperand(e: BoundExpr): BoundExpr {
  // A regtype (pg_typeof) concatenates as its name.
  return e.type.id === "unknown" || e.type.id === "bpchar" || e.type.id === "regtype"
    ? coerceTo(e, scalar("text"))
    : e;
}

function bindIn(left: Expr, right: Expr, negate: boolean, env: BindEnv): BoundExpr {
  const isQuery = isQueryExpr(right);
  const row = rowItems(left);
  if (row && !isQuery) return bindRowInList(row, right, negate, env);
  if (row) {
    const sub = planSub(right as SelectStatement, env);
    const { arg, plan } = bindRowInQuery(row, sub, env);
    const rows = subquery("array", { ...sub, plan }, null, false, arrayOf(arg.type));
    const any: BoundExpr = {
      kind: "call",
      fn: libraryPrefix + "__row_in",
      args: [arg, rows],
      type: boolT,
    };
    return negate ? { kind: "not", arg: any, type: boolT } : any;
  }
  const arg = bindExpr(left, env);
  if (right.type === "list" || right.type === "array" || !isQuery) {
    // `x IN (1)` reaches us as a bare expression: a one-item list.
    const exprs = right.type === "list" || right.type === "array" ? right.expressions : [right];
    const items = exprs.map((x) =>
      bindExpr(x, env, arg.type.id === "unknown" ? undefined : arg.type)
    );
    const t0 = items.reduce<SqlType>((acc, i) => operatorType("=", acc, i.type), arg.type);
    const t = t0.id === "unknown" ? scalar("text") : t0;
    return {
      kind: "in_list",
      arg: coerceTo(arg, t),
      list: items.map((i) => coerceTo(i, t)),
      negate,
      type: boolT,
    };
  }
  const sub = planSub(right as SelectStatement, env);
  if (sub.types.length !== 1) throw new DbError("42601", "subquery has too many columns");
  const t = operatorType("=", arg.type, sub.types[0]!);
  return subquery("in", sub, coerceTo(arg, t), negate, boolT);
}
function quantifiedCall(e: Expr): { all: boolean; arg: Expr } | null {
  if (e.type !== "call" || e.args.length !== 1) return null;
  const name = e.function.name.toLowerCase();
  if (name !== "any" && name !== "some" && name !== "all") return null;
  return { all: name === "all", arg: e.args[0]! };
}

/** Binds `x op ANY|ALL (array)` and `x op ANY|ALL (subquery)`. */
function bindQuantified(
  left: Expr,
  op: string,
  q: { all: boolean; arg: Expr },
  env: BindEnv,
): BoundExpr {
  const l = bindExpr(left, env);
  const a = q.arg;
  if (a.type === "select" || a.type === "union" || a.type === "union all" || a.type === "values") {
    const sub = planSub(a, env);
    const arr = subquery("array", sub, null, false, arrayOf(sub.types[0] ?? scalar("text")));
    return quantifiedArray(l, op, q.all, arr);
  }
  // An ARRAY[...] constructor has its own type (`1 = ANY (ARRAY['a'])` compares
  // integer with text); an untyped '{...}' literal takes the other side's.
  const typed = l.type.id === "unknown" || a.type === "array";
  const arr = bindExpr(a, env, typed ? undefined : arrayOf(l.type));
  return quantifiedArray(l, op, q.all, arr);
}

function quantifiedArray(l: BoundExpr, op: string, all: boolean, arr: BoundExpr): BoundExpr {
  const elem = arr.type.elem ?? scalar("text");
  const t0 = operatorType(op, l.type, elem);
  const t = t0.id === "unknown" ? scalar("text") : t0;
  const arrayArg = arr.kind === "param" && arr.type.id === "unknown"
    ? { ...arr, type: arrayOf(t) }
    : arr;
  return {
    kind: "call",
    fn: all ? "all_op" : "any_op",
    args: [coerceTo(l, t), arrayArg, { kind: "const", value: op, type: scalar("text") }],
    type: boolT,
  };
}
