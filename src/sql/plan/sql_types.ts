/**
 * SQL type names (as written in DDL and casts) to `SqlType`, and the
 * promotion rules the binder uses to type operators.
 * @module
 */
import type { DataTypeDef } from "pgsql-ast-parser";
import { DbError } from "../../common/errors.ts";
import {
  arrayOf,
  builtinTypeNames,
  enumOf,
  type EnumType,
  type SqlType,
  type as scalar,
  type TypeId,
} from "../../common/types.ts";
import { regtypeName } from "../../common/value_text.ts";
import { noOperator } from "../../exec/expr/operators.ts";

/** Where `resolveType` looks up user types (the catalog). */
export interface TypeLookup {
  findEnum(name: string, schema?: string): EnumType | undefined;
}

const aliases: Readonly<Record<string, TypeId>> = {
  ...builtinTypeNames,
  serial: "int4",
  serial4: "int4",
  bigserial: "int8",
  serial8: "int8",
  smallserial: "int2",
  serial2: "int2",
};

/** True when the type name is a serial pseudo-type. */
export function isSerial(def: DataTypeDef): boolean {
  return def.kind !== "array" && /^(small|big)?serial[248]?$/.test(def.name.toLowerCase());
}

/**
 * Resolves a type as written in SQL; user types (enums) are looked up in `cat`.
 * @throws {DbError} 42704 for unknown types
 */
export function resolveType(def: DataTypeDef, cat?: TypeLookup): SqlType {
  if (def.kind === "array") return arrayOf(resolveType(def.arrayOf, cat));
  const name = def.name.toLowerCase();
  const id = def.schema === undefined || def.schema === "pg_catalog" ? aliases[name] : undefined;
  if (!id) {
    const e = cat?.findEnum(def.name, def.schema);
    if (e) return enumOf(e);
    throw new DbError("42704", `type "${def.name}" does not exist`);
  }
  const cfg = def.config ?? [];
  if (id === "varchar" || id === "bpchar") {
    if (cfg[0] !== undefined) return scalar(id, cfg[0]);
    return id === "bpchar" ? scalar(id, 1) : scalar(id);
  }
  if (id === "numeric" && cfg[0] !== undefined) {
    const precision = cfg[0];
    const s = cfg[1] ?? 0;
    if (precision < 1 || precision > 1000) {
      throw new DbError("22023", `NUMERIC precision ${precision} must be between 1 and 1000`);
    }
    return scalar(id, (precision << 16) | s);
  }
  if ((id === "timestamp" || id === "timestamptz" || id === "time") && cfg[0] !== undefined) {
    return scalar(id, timePrecision(id, cfg[0]));
  }
  if (id === "float8" && name === "float" && cfg[0] !== undefined && cfg[0] <= 24) {
    return scalar("float4");
  }
  return scalar(id);
}

/**
 * The fractional-second precision of time(p), timestamp(p), timestamptz(p):
 * above 6 it is 6 (PostgreSQL warns and does the same).
 * @throws {DbError} 22023 for a negative precision
 */
function timePrecision(id: TypeId, p: number): number {
  if (p < 0) {
    const name = id === "time"
      ? "TIME"
      : id === "timestamp"
      ? "TIMESTAMP"
      : "TIMESTAMP WITH TIME ZONE";
    throw new DbError("22023", `${name}(${p}) precision must not be negative`);
  }
  return Math.min(p, 6);
}

const numericRank: Partial<Record<TypeId, number>> = {
  int2: 1,
  int4: 2,
  int8: 3,
  numeric: 4,
  float4: 5,
  float8: 6,
};

/** True for number types. */
export function isNumericType(t: SqlType): boolean {
  return numericRank[t.id] !== undefined;
}

/** True for text-like types. */
export function isTextType(t: SqlType): boolean {
  return t.id === "text" || t.id === "varchar" || t.id === "bpchar" || t.id === "name" ||
    t.id === "char";
}

/** The common type of two types for arithmetic, comparison, UNION, CASE. */
export function commonType(a: SqlType, b: SqlType): SqlType {
  if (a.id === "unknown") return b.id === "unknown" ? scalar("unknown") : stripMod(b);
  if (b.id === "unknown") return stripMod(a);
  const intLike = ["int2", "int4", "int8", "oid"];
  if ((a.id === "oid" || b.id === "oid") && intLike.includes(a.id) && intLike.includes(b.id)) {
    return scalar(a.id === b.id ? "oid" : "int8");
  }
  // reg* values are OIDs: they meet oid, integers and each other as oid.
  const regs = ["regclass", "regtype", "regproc", "regnamespace"];
  const oidLike = [...intLike, ...regs];
  if (
    a.id !== b.id && (regs.includes(a.id) || regs.includes(b.id)) && oidLike.includes(a.id) &&
    oidLike.includes(b.id)
  ) {
    return scalar(a.id === "int8" || b.id === "int8" ? "int8" : "oid");
  }
  const ra = numericRank[a.id];
  const rb = numericRank[b.id];
  if (ra !== undefined && rb !== undefined) return scalar(ra >= rb ? a.id : b.id);
  if (isTextType(a) && isTextType(b)) return scalar("text");
  if (a.id === b.id) return stripMod(a);
  if ((a.id === "timestamp" || a.id === "timestamptz") && b.id === "date") return scalar(a.id);
  if ((b.id === "timestamp" || b.id === "timestamptz") && a.id === "date") return scalar(b.id);
  if (a.id === "json" && b.id === "jsonb" || a.id === "jsonb" && b.id === "json") {
    return scalar("jsonb");
  }
  throw new DbError("42804", `types ${a.id} and ${b.id} cannot be matched`);
}

/**
 * PostgreSQL's `select_common_type` over a construct's branches: the type
 * they all convert to.
 * @param context the construct for the message: "CASE", "COALESCE", "UNION", "VALUES", ...
 * @throws {DbError} 42804 `CASE types text and integer cannot be matched`
 */
export function commonTypeOf(types: readonly SqlType[], context: string): SqlType {
  let acc: SqlType = scalar("unknown");
  for (const t of types) {
    try {
      acc = commonType(acc, t);
    } catch (e) {
      if (!(e instanceof DbError) || e.sqlstate !== "42804") throw e;
      throw new DbError(
        "42804",
        `${context} types ${regtypeName(acc)} and ${regtypeName(t)} cannot be matched`,
      );
    }
  }
  return acc;
}

/**
 * The type both operands of a comparison (or `IN`) convert to.
 * @throws {DbError} 42883 operator does not exist: integer = text
 */
export function operatorType(op: string, l: SqlType, r: SqlType): SqlType {
  try {
    return commonType(l, r);
  } catch (e) {
    if (e instanceof DbError && e.sqlstate === "42804") throw noOperator(op, l, r);
    throw e;
  }
}

function stripMod(t: SqlType): SqlType {
  // Arrays keep their element type and records their fields.
  if (t.id === "array" || t.id === "record" || t.id === "enum") return t;
  return scalar(t.id);
}

/** The PostgreSQL name of a type for messages and result fields. */
export function typeName(t: SqlType): string {
  if (t.id === "enum") return t.enumType?.name ?? "enum";
  return t.id === "array" ? `${typeName(t.elem ?? scalar("text"))}[]` : t.id;
}
