/**
 * Binding of arithmetic (numeric and date/time), CASE and SQL value keywords.
 * @module
 */
import type { Expr } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { type SqlType, type as scalar } from "../../common/types.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import { bindBoolean, type BindEnv, bindExpr, coerceTo } from "./bind_expr.ts";
import { commonTypeOf, isNumericType, operatorType } from "./sql_types.ts";
import { databaseName } from "../pg_catalog/virtual.ts";
import { noOperator } from "../../exec/expr/operators.ts";

/** The date/time types. */
export const temporal: readonly string[] = ["date", "timestamp", "timestamptz", "interval", "time"];

/**
 * The type an untyped literal takes beside a date/time operand, as
 * PostgreSQL's operator resolution finds it: the other operand's type when
 * that operator exists (`date - '2020-01-01'`, `now() - '...'`), else the
 * one candidate (`timestamp + '1 day'` is interval, `interval * '2'` float8).
 * @throws {DbError} 42725 for `date + '1'` (integer, interval or time)
 */
export function untypedTemporal(op: string, known: SqlType, side: "left" | "right"): SqlType {
  if (known.id === "interval") return scalar(op === "*" || op === "/" ? "float8" : "interval");
  if (op === "-" && side === "right") return known;
  if (op === "+" && known.id === "date") {
    const [a, b] = side === "left" ? ["unknown", "date"] : ["date", "unknown"];
    throw new DbError("42725", `operator is not unique: ${a} + ${b}`);
  }
  if (op === "-" && known.id !== "date") return known;
  return scalar(known.id === "date" ? "date" : "interval");
}

/** Types and binds `l op r` for + - * / %. @throws {DbError} 42883 */
export function arithmetic(op: string, l: BoundExpr, r: BoundExpr): BoundExpr {
  if (temporal.includes(l.type.id) || temporal.includes(r.type.id)) {
    const lt = l.type.id === "unknown" ? untypedTemporal(op, r.type, "left") : l.type;
    const rt = r.type.id === "unknown" ? untypedTemporal(op, l.type, "right") : r.type;
    const lc = coerceTo(l, lt);
    const rc = coerceTo(r, rt);
    let type: SqlType;
    if (lt.id === "date" && rt.id === "date") type = scalar("int4");
    else if (lt.id === "date" && isNumericType(rt)) type = scalar("date");
    else if ((lt.id === "timestamp" || lt.id === "timestamptz") && rt.id === lt.id) {
      type = scalar("interval");
    } else if (lt.id === "date" && rt.id === "interval") type = scalar("timestamp");
    else type = lt.id === "interval" && rt.id !== "interval" ? rt : lt;
    return { kind: "call", fn: op, args: [lc, rc], type };
  }
  const t = operatorType(op, l.type, r.type);
  // Only an untyped literal reads as a number; text and numbers have no arithmetic.
  const type = t.id === "unknown" ? scalar("numeric") : t;
  if (!isNumericType(type)) throw noOperator(op, l.type, r.type);
  return { kind: "call", fn: op, args: [coerceTo(l, type), coerceTo(r, type)], type };
}

/** Binds CASE, unifying the result types. */
export function bindCase(e: Extract<Expr, { type: "case" }>, env: BindEnv): BoundExpr {
  const operand = e.value ? bindExpr(e.value, env) : null;
  const whens = e.whens.map((w) => ({
    when: operand ? bindExpr(w.when, env, operand.type) : bindBoolean(w.when, env, "CASE/WHEN"),
    then: bindExpr(w.value, env),
  }));
  const otherwise = e.else ? bindExpr(e.else, env) : null;
  // As in PostgreSQL, ELSE comes first (its type is preferred, and named first in errors).
  const branches = [...(otherwise ? [otherwise.type] : []), ...whens.map((w) => w.then.type)];
  let t = commonTypeOf(branches, "CASE");
  if (t.id === "unknown") t = scalar("text");
  return {
    kind: "case",
    operand,
    whens: whens.map((w) => ({ when: w.when, then: coerceTo(w.then, t) })),
    otherwise: otherwise ? coerceTo(otherwise, t) : null,
    type: t,
  };
}

/** Binds CURRENT_TIMESTAMP, CURRENT_USER and friends. @throws {DbError} 0A000 */
export function bindKeyword(k: string): BoundExpr {
  switch (k) {
    case "current_timestamp":
    case "localtimestamp":
      return {
        kind: "call",
        fn: "now",
        args: [],
        type: scalar(k === "localtimestamp" ? "timestamp" : "timestamptz"),
      };
    case "current_date":
      return { kind: "call", fn: "current_date", args: [], type: scalar("date") };
    case "current_user":
    case "session_user":
    case "user":
    case "current_role":
      // The session's user, at run time: plans are shared between sessions.
      return {
        kind: "call",
        fn: "current_setting",
        args: [{ kind: "const", value: "session_authorization", type: scalar("text") }],
        type: scalar("name"),
      };
    case "current_schema":
      return { kind: "const", value: "public", type: scalar("name") };
    case "current_catalog":
      return { kind: "const", value: databaseName, type: scalar("name") };
    default:
      throw new DbError("0A000", `${k} is not supported`);
  }
}
