/**
 * PostgreSQL type OIDs and lengths for every ThunderDB `TypeId`, as the
 * RowDescription and ParameterDescription messages report them.
 * @module
 */
import { arrayOf, type SqlType, type, type TypeId } from "../../common/types.ts";

/**
 * OID reported for `vector`. pgvector's OID is assigned at CREATE EXTENSION
 * time, so clients look it up by name; this value is ours and stable.
 */
export const vectorOid = 16_385;
/** OID reported for `vector[]`. */
export const vectorArrayOid = 16_386;

type ScalarId = Exclude<TypeId, "array" | "enum">;

/** [oid, array oid, typlen] per scalar type; typlen -1 is variable length. */
const table: Record<ScalarId, readonly [number, number, number]> = {
  bool: [16, 1000, 1],
  bytea: [17, 1001, -1],
  char: [18, 1002, 1],
  name: [19, 1003, 64],
  int8: [20, 1016, 8],
  int2: [21, 1005, 2],
  int4: [23, 1007, 4],
  regproc: [24, 1008, 4],
  regnamespace: [4089, 4090, 4],
  text: [25, 1009, -1],
  oid: [26, 1028, 4],
  json: [114, 199, -1],
  float4: [700, 1021, 4],
  float8: [701, 1022, 8],
  unknown: [705, 0, -2],
  bpchar: [1042, 1014, -1],
  varchar: [1043, 1015, -1],
  date: [1082, 1182, 4],
  time: [1083, 1183, 8],
  timestamp: [1114, 1115, 8],
  timestamptz: [1184, 1185, 8],
  interval: [1186, 1187, 16],
  numeric: [1700, 1231, -1],
  regclass: [2205, 2210, 4],
  regtype: [2206, 2211, 4],
  record: [2249, 2287, -1],
  void: [2278, 0, 4],
  uuid: [2950, 2951, 16],
  jsonb: [3802, 3807, -1],
  vector: [vectorOid, vectorArrayOid, -1],
};

const byOid = new Map<number, SqlType>();
for (
  const [id, [oid, arrayOid]] of Object.entries(table) as [
    ScalarId,
    readonly [number, number, number],
  ][]
) {
  const scalar = type(id);
  byOid.set(oid, scalar);
  if (arrayOid) byOid.set(arrayOid, arrayOf(scalar));
}

/**
 * Returns the PostgreSQL OID of a type.
 * @example typeOid(type("int4")) // 23
 */
export function typeOid(t: SqlType): number {
  if (t.id === "array") {
    const elem = t.elem?.id ?? "text";
    if (elem === "array") return typeOid(t.elem ?? type("text"));
    if (elem === "enum") return t.elem?.enumType?.arrayOid ?? table.text[1];
    return table[elem][1] || table.text[1];
  }
  if (t.id === "enum") return t.enumType?.oid ?? table.text[0];
  if (t.composite) return t.composite.oid;
  return table[t.id][0];
}

/** Returns `typlen` of a type (-1 for variable length), as RowDescription reports it. */
export function typeLength(t: SqlType): number {
  if (t.id === "enum") return 4;
  return t.id === "array" ? -1 : table[t.id][2];
}

/** Returns the type with this OID, or undefined for an OID ThunderDB does not know. */
export function typeFromOid(oid: number): SqlType | undefined {
  return byOid.get(oid);
}

/**
 * The type modifier PostgreSQL reports for a type (RowDescription,
 * `pg_attribute.atttypmod`): varchar(n) and char(n) as n + 4, numeric(p,s)
 * as ((p << 16) | s) + 4, time and timestamp precisions as they are, -1 when
 * there is none. ThunderDB's planner keeps n and (p << 16) | s.
 * @example wireTypmod(type("varchar", 10)) // 14
 */
export function wireTypmod(t: SqlType): number {
  if (t.id === "array") return t.elem ? wireTypmod(t.elem) : -1;
  const tm = t.typmod ?? -1;
  if (tm < 0) return -1;
  switch (t.id) {
    case "varchar":
    case "bpchar":
    case "numeric":
      return tm + 4;
    case "time":
    case "timestamp":
    case "timestamptz":
    case "interval":
    case "vector":
      return tm;
    default:
      return -1;
  }
}
