/**
 * Built-in types as `pg_type` shows them: OIDs, names, lengths and
 * categories.
 * @module
 */
import type { SqlType, TypeId } from "../../common/types.ts";

/** One built-in type. */
export interface BuiltinType {
  readonly oid: number;
  readonly name: string;
  readonly id: TypeId;
  readonly len: number;
  readonly category: string;
  readonly arrayOid: number;
}

const table: readonly BuiltinType[] = [
  [16, "bool", 1, "B", 1000],
  [17, "bytea", -1, "U", 1001],
  [18, "char", 1, "Z", 1002],
  [19, "name", 64, "S", 1003],
  [20, "int8", 8, "N", 1016],
  [21, "int2", 2, "N", 1005],
  [23, "int4", 4, "N", 1007],
  [24, "regproc", 4, "N", 1008],
  [25, "text", -1, "S", 1009],
  [26, "oid", 4, "N", 1028],
  [114, "json", -1, "U", 199],
  [700, "float4", 4, "N", 1021],
  [701, "float8", 8, "N", 1022],
  [1042, "bpchar", -1, "S", 1014],
  [1043, "varchar", -1, "S", 1015],
  [1082, "date", 4, "D", 1182],
  [1083, "time", 8, "D", 1183],
  [1114, "timestamp", 8, "D", 1115],
  [1184, "timestamptz", 8, "D", 1185],
  [1186, "interval", 16, "T", 1187],
  [1700, "numeric", -1, "N", 1231],
  [2205, "regclass", 4, "N", 2210],
  [2206, "regtype", 4, "N", 2211],
  [4089, "regnamespace", 4, "N", 4090],
  [2278, "void", 4, "P", 0],
  [2249, "record", -1, "P", 2287],
  [2950, "uuid", 16, "U", 2951],
  [3802, "jsonb", -1, "U", 3807],
  [705, "unknown", -2, "X", 0],
].map(([oid, name, len, category, arrayOid]) => ({
  oid: oid as number,
  name: name as string,
  id: name as TypeId,
  len: len as number,
  category: category as string,
  arrayOid: arrayOid as number,
}));

/** Every built-in scalar type. */
export const builtinTypes: readonly BuiltinType[] = table;

const byId = new Map(table.map((t) => [t.id, t]));
const byOid = new Map(table.map((t) => [t.oid, t]));
const byArrayOid = new Map(table.filter((t) => t.arrayOid > 0).map((t) => [t.arrayOid, t]));

/** The OID of a type (arrays map to their array type's OID; unknown types to text). */
export function typeOidOf(t: SqlType): number {
  if (t.id === "array" && t.elem?.id === "enum") return t.elem.enumType?.arrayOid ?? 1009;
  if (t.id === "enum") return t.enumType?.oid ?? 25;
  if (t.id === "array") return byId.get(t.elem?.id ?? "text")?.arrayOid ?? 1009;
  return byId.get(t.id)?.oid ?? 25;
}

/** The SqlType of a type OID, if it is a built-in. */
export function typeOfOid(oid: number, typmod = -1): SqlType | undefined {
  const tm = typmod >= 0 ? { typmod } : {};
  const scalar = byOid.get(oid);
  if (scalar) return { id: scalar.id, ...tm };
  const elem = byArrayOid.get(oid);
  if (elem) return { id: "array", elem: { id: elem.id, ...tm } };
  return undefined;
}

/**
 * A type's modifier in PostgreSQL's form (`atttypmod`): varchar(n) and
 * char(n) are n + 4 and numeric(p,s) is ((p << 16) | s) + 4, where the
 * planner keeps n and (p << 16) | s; time and timestamp precisions are equal.
 */
export function attributeTypmod(t: SqlType): number {
  if (t.id === "array") return t.elem ? attributeTypmod(t.elem) : -1;
  const tm = t.typmod ?? -1;
  if (tm < 0) return -1;
  return t.id === "varchar" || t.id === "bpchar" || t.id === "numeric" ? tm + 4 : tm;
}
