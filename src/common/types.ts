/**
 * SQL types and their JavaScript value representations. Every value carries
 * its type through the planner (values themselves are untagged), so the wire
 * protocols can send the right type OIDs.
 *
 * Representations:
 * - bool: boolean; int2, int4, oid: number; int8: bigint; float4, float8: number
 * - numeric: `Numeric` (exact decimal); text, varchar, bpchar, name: string
 * - bytea: Uint8Array; uuid: string (lower-case canonical form)
 * - date: number (days since 1970-01-01); time: bigint (microseconds since midnight)
 * - timestamp, timestamptz: bigint (microseconds since 1970-01-01 00:00 UTC)
 * - interval: `Interval`; json: string (text as given); jsonb: `Jsonb`
 * - vector: Float32Array; arrays: Value[] (elements of `elem` type)
 * - enum: string (the label)
 * - SQL NULL: null
 * @module
 */

/** Names of the built-in types (PostgreSQL's `typname`, arrays use `array` with `elem`). */
export type TypeId =
  | "bool"
  | "int2"
  | "int4"
  | "int8"
  | "float4"
  | "float8"
  | "numeric"
  | "text"
  | "varchar"
  | "bpchar"
  | "name"
  | "char"
  | "bytea"
  | "date"
  | "time"
  | "timestamp"
  | "timestamptz"
  | "interval"
  | "uuid"
  | "json"
  | "jsonb"
  | "oid"
  | "regclass"
  | "regtype"
  | "regproc"
  | "regnamespace"
  | "vector"
  | "record"
  | "void"
  | "unknown"
  | "enum"
  | "array";

/** A SQL type, with its modifier (varchar length, numeric precision/scale, time precision). */
export interface SqlType {
  readonly id: TypeId;
  /** Element type when `id` is "array". */
  readonly elem?: SqlType;
  /**
   * Type modifier, absent (or -1) when there is none: n for varchar(n) and
   * char(n), (p << 16) | s for numeric(p,s), the precision for time(p),
   * timestamp(p) and timestamptz(p), the dimension for vector(n).
   * PostgreSQL's `atttypmod` (and RowDescription's typmod) adds 4 to the
   * character and numeric ones.
   */
  readonly typmod?: number;
  /** Field names and types when `id` is "record" and they are known (row values, whole rows). */
  readonly fields?: readonly RecordField[];
  /** The enum type (name, OIDs, labels in sort order) when `id` is "enum". */
  readonly enumType?: EnumType;
  /** The table whose row type a "record" is (a whole row `t`): its row type's OID and name. */
  readonly composite?: { readonly oid: number; readonly name: string };
}

/**
 * A user enum type (CREATE TYPE ... AS ENUM). Values of it are label
 * strings; `labels` lists them in sort order (declaration order, with values
 * added BEFORE/AFTER later at their place).
 */
export interface EnumType {
  readonly oid: number;
  readonly arrayOid: number;
  readonly schema: string;
  readonly name: string;
  readonly labels: readonly string[];
  /**
   * Labels added (ALTER TYPE ... ADD VALUE) by a transaction block that has
   * not committed yet: unusable until it does (55P04), as in PostgreSQL.
   */
  readonly uncommitted?: readonly string[];
}

/** One field of a record type: `f1`, `f2`, ... for an anonymous ROW(...), column names for a whole row. */
export interface RecordField {
  readonly name: string;
  readonly type: SqlType;
}

/** Exact decimal: `digits` is the unscaled integer, value = digits / 10^scale. NaN is `nan`. */
export class Numeric {
  constructor(readonly digits: bigint, readonly scale: number, readonly nan = false) {}
}

/** A PostgreSQL interval: months, days and microseconds are kept apart, as PostgreSQL does. */
export class Interval {
  constructor(readonly months: number, readonly days: number, readonly micros: bigint) {}
}

/** A parsed jsonb document. `value` is plain JSON data (objects, arrays, strings, numbers as `Numeric` or number, booleans, null). */
export class Jsonb {
  constructor(readonly value: unknown) {}
}

/** A SQL value. SQL NULL is `null`. */
export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Numeric
  | Interval
  | Jsonb
  | Float32Array
  | Value[];

const cache = new Map<TypeId, SqlType>();

/**
 * Returns the shared instance of a scalar type.
 * @example type("int4")
 */
export function type(id: TypeId, typmod?: number): SqlType {
  if (typmod !== undefined && typmod !== -1) return { id, typmod };
  let t = cache.get(id);
  if (!t) {
    t = { id };
    cache.set(id, t);
  }
  return t;
}

/**
 * Returns the record type with these fields (a row value's type; values are `Value[]`).
 * @example recordOf([{ name: "f1", type: type("int4") }])
 */
export function recordOf(fields: readonly RecordField[]): SqlType {
  return { id: "record", fields };
}

/** Returns the type of values of enum `e`. */
export function enumOf(e: EnumType): SqlType {
  return { id: "enum", enumType: e };
}

/** Returns the array type whose elements are `elem`. */
export function arrayOf(elem: SqlType): SqlType {
  return { id: "array", elem };
}

/**
 * Names of the built-in scalar types as SQL writes them (keywords and
 * pg_catalog names, lower case), shared by DDL type resolution and casts.
 */
export const builtinTypeNames: Readonly<Record<string, TypeId>> = {
  bool: "bool",
  boolean: "bool",
  int2: "int2",
  smallint: "int2",
  int: "int4",
  int4: "int4",
  integer: "int4",
  int8: "int8",
  bigint: "int8",
  float4: "float4",
  real: "float4",
  float8: "float8",
  float: "float8",
  "double precision": "float8",
  numeric: "numeric",
  decimal: "numeric",
  text: "text",
  varchar: "varchar",
  "character varying": "varchar",
  char: "bpchar",
  character: "bpchar",
  bpchar: "bpchar",
  name: "name",
  bytea: "bytea",
  date: "date",
  time: "time",
  "time without time zone": "time",
  timestamp: "timestamp",
  "timestamp without time zone": "timestamp",
  timestamptz: "timestamptz",
  "timestamp with time zone": "timestamptz",
  interval: "interval",
  uuid: "uuid",
  json: "json",
  jsonb: "jsonb",
  oid: "oid",
  regclass: "regclass",
  regtype: "regtype",
  regproc: "regproc",
  regnamespace: "regnamespace",
};
