/**
 * Unary operators: negation with overflow checks, NOT, and the IS tests.
 * @module
 */

import type { ExprUnary } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { Interval, Numeric, type, type Value } from "../../common/types.ts";
import { numericNeg } from "../../common/numeric.ts";
import { intOutOfRange, isNumericType } from "../functions/cast.ts";
import type { ExprScope } from "./context.ts";
import { type Node, tryFold } from "./node.ts";
import type { Compiler } from "./compiler.ts";

function negateNode(c: Compiler, operand: Node): Node {
  let n = operand;
  if (n.type.id === "unknown") n = c.coerce(n, type("float8"));
  const id = n.type.id;
  let f: (v: Value) => Value;
  if (id === "int2" || id === "int4") {
    f = (v) => {
      if (v === (id === "int4" ? -2147483648 : -32768)) throw intOutOfRange(id);
      return -(v as number) + 0;
    };
  } else if (id === "int8") {
    f = (v) => {
      if (v === -9223372036854775808n) throw intOutOfRange("int8");
      return -(v as bigint);
    };
  } else if (id === "float4" || id === "float8") f = (v) => -(v as number);
  else if (id === "numeric") f = (v) => numericNeg(v as Numeric);
  else if (id === "interval") {
    f = (v) => {
      const iv = v as Interval;
      return new Interval(-iv.months, -iv.days, -iv.micros);
    };
  } else throw new DbError("42883", `operator does not exist: - ${id}`);
  const inner = n.eval;
  const node: Node = {
    type: n.type,
    eval: (row, ctx) => {
      const v = inner(row, ctx);
      return v === null ? null : f(v);
    },
  };
  return n.isConst ? tryFold(node) : node;
}

/** Compiles a unary operator node. */
export function compileUnary(c: Compiler, e: ExprUnary, scope: ExprScope): Node {
  const op = e.op as string;
  if (op === "-" && e.operand.type === "integer" && e.operand.value >= 0) {
    return c.compile({ type: "integer", value: -e.operand.value }, scope);
  }
  if (op === "-" && e.operand.type === "numeric" && e.operand.value >= 0) {
    return c.compile({ type: "numeric", value: -e.operand.value }, scope);
  }
  if (op === "NOT") {
    const n = c.compileBool(e.operand, scope, "NOT");
    const node: Node = {
      type: type("bool"),
      eval: (row, ctx) => {
        const v = n.eval(row, ctx);
        return v === null ? null : !v;
      },
    };
    return n.isConst ? tryFold(node) : node;
  }
  if (op === "-") return negateNode(c, c.compile(e.operand, scope));
  if (op === "+") {
    const n = c.compile(e.operand, scope);
    if (!isNumericType(n.type.id) && n.type.id !== "unknown") {
      throw new DbError("42883", `operator does not exist: + ${n.type.id}`);
    }
    return n.type.id === "unknown" ? c.coerce(n, type("float8")) : n;
  }
  const n = op.startsWith("IS") && (op.includes("TRUE") || op.includes("FALSE"))
    ? c.compileBool(e.operand, scope, op)
    : c.compile(e.operand, scope);
  const ev = n.eval;
  let f: (v: Value) => boolean;
  switch (op) {
    case "IS NULL":
      f = (v) =>
        v === null || (Array.isArray(v) && n.type.id === "record" && v.every((x) => x === null));
      break;
    case "IS NOT NULL":
      f = (v) =>
        v !== null && !(Array.isArray(v) && n.type.id === "record" && v.some((x) => x === null));
      break;
    case "IS TRUE":
      f = (v) => v === true;
      break;
    case "IS NOT TRUE":
      f = (v) => v !== true;
      break;
    case "IS FALSE":
      f = (v) => v === false;
      break;
    case "IS NOT FALSE":
      f = (v) => v !== false;
      break;
    case "IS UNKNOWN":
      f = (v) => v === null;
      break;
    case "IS NOT UNKNOWN":
      f = (v) => v !== null;
      break;
    default:
      throw new DbError("42883", `operator does not exist: ${op} ${n.type.id}`);
  }
  return { type: type("bool"), nullable: false, eval: (row, ctx) => f(ev(row, ctx)) };
}

/** Compiles BETWEEN / NOT BETWEEN (optionally SYMMETRIC). */
