/**
 * Type names from the AST and PostgreSQL's common-type resolution
 * (`select_common_type`) used by CASE, COALESCE, UNION, IN lists and
 * operator resolution.
 * @module
 */

import type { DataTypeDef } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import { arrayOf, builtinTypeNames, type SqlType, type, type TypeId } from "../../common/types.ts";
import { numericTypmod } from "../../common/numeric.ts";
import { charTypmod, formatTypeName } from "../../common/value_text.ts";
import { findCast, isNumericType, isStringType } from "./cast.ts";

const typeNames: Readonly<Record<string, TypeId>> = {
  ...builtinTypeNames,
  vector: "vector",
  record: "record",
  void: "void",
  unknown: "unknown",
};

/**
 * Maps a type name as written in SQL (with optional modifiers) to a `SqlType`.
 * @throws {DbError} 42704 type does not exist
 */
export function typeFromName(
  name: string,
  config?: readonly number[],
  doubleQuoted = false,
): SqlType {
  const lower = doubleQuoted ? name : name.toLowerCase();
  if (doubleQuoted && name === "char") return type("char");
  const id = typeNames[lower];
  if (!id) throw new DbError("42704", `type "${name}" does not exist`);
  const c0 = config?.[0];
  switch (id) {
    case "varchar":
      return c0 === undefined ? type(id) : type(id, charTypmod(c0));
    case "bpchar":
      return type(id, charTypmod(c0 ?? 1));
    case "numeric":
      if (c0 === undefined) return type(id);
      if (c0 < 1 || c0 > 1000) {
        throw new DbError("22023", `NUMERIC precision ${c0} must be between 1 and 1000`);
      }
      return type(id, numericTypmod(c0, config?.[1] ?? 0));
    case "float8":
      if (lower === "float" && c0 !== undefined && c0 <= 24) return type("float4");
      return type(id);
    case "vector":
    case "timestamp":
    case "timestamptz":
    case "time":
      return c0 === undefined ? type(id) : type(id, c0);
    default:
      return type(id);
  }
}

/**
 * Converts an AST data type to a `SqlType`.
 * @throws {DbError} 42704 type does not exist
 */
export function typeFromAst(dt: DataTypeDef): SqlType {
  if (dt.kind === "array") return arrayOf(typeFromAst(dt.arrayOf));
  if (dt.schema && dt.schema !== "pg_catalog" && dt.schema !== "public") {
    throw new DbError("42704", `type "${dt.schema}.${dt.name}" does not exist`);
  }
  return typeFromName(dt.name, dt.config, dt.doubleQuoted === true);
}

const numericOrder: readonly TypeId[] = ["int2", "int4", "int8", "numeric", "float4", "float8"];

/** The result type of arithmetic between two numeric-category types (PostgreSQL's operator choice). */
export function unifyNumeric(a: TypeId, b: TypeId): TypeId {
  if (a === b) return a;
  if (a === "float8" || b === "float8") return "float8";
  if (a === "float4" || b === "float4") return "float8";
  return numericOrder.indexOf(a) > numericOrder.indexOf(b) ? a : b;
}

const dateTimeOrder: readonly TypeId[] = ["date", "timestamp", "timestamptz"];

/** Strips a typmod: the type used for resolution. */
export function baseType(t: SqlType): SqlType {
  if (t.id === "array") return t.elem ? arrayOf(baseType(t.elem)) : t;
  return t.typmod === undefined ? t : type(t.id);
}

/**
 * Picks the type two values are compared or combined in, or undefined when
 * PostgreSQL would find no operator.
 */
export function pairType(a: SqlType, b: SqlType): SqlType | undefined {
  if (a.id === "unknown" && b.id === "unknown") return type("text");
  if (a.id === "unknown") return baseType(b);
  if (b.id === "unknown") return baseType(a);
  if (a.id === b.id && a.id !== "array") return baseType(a);
  if (isNumericType(a.id) && isNumericType(b.id)) return type(unifyNumeric(a.id, b.id));
  if (isStringType(a.id) && isStringType(b.id)) return type("text");
  const da = dateTimeOrder.indexOf(a.id);
  const db = dateTimeOrder.indexOf(b.id);
  if (da >= 0 && db >= 0) return type(dateTimeOrder[Math.max(da, db)] ?? "timestamptz");
  if (a.id === "array" && b.id === "array") {
    if (!a.elem || !b.elem) return a.elem ? a : b;
    const e = pairType(a.elem, b.elem);
    return e && arrayOf(e);
  }
  if (findCast(b, a, "implicit")) return baseType(a);
  if (findCast(a, b, "implicit")) return baseType(b);
  return undefined;
}

/**
 * PostgreSQL's `select_common_type`: the type every branch converts to.
 * @param context e.g. "CASE", "COALESCE", for the error message
 * @throws {DbError} 42804 when types cannot be matched
 */
export function commonType(types: readonly SqlType[], context: string): SqlType {
  let result: SqlType | undefined;
  for (const t of types) {
    if (t.id === "unknown") continue;
    if (!result) {
      result = t;
      continue;
    }
    if (result.id === t.id && result.id !== "array") {
      if (result.typmod !== t.typmod) result = baseType(result);
      continue;
    }
    const p = pairType(result, t);
    if (!p) {
      throw new DbError(
        "42804",
        `${context} types ${formatTypeName(result)} and ${formatTypeName(t)} cannot be matched`,
      );
    }
    result = p;
  }
  return result ?? type("text");
}
