/**
 * `information_schema` views built from the catalog: `schemata`, `tables`,
 * `columns`, `table_constraints`, `key_column_usage` and `sequences`.
 * @module
 */
import type { SqlType, Value } from "../../common/types.ts";
import { formatTypeName } from "../../common/value_text.ts";
import type { RelationDef } from "../catalog/catalog.ts";
import { allConstraints, defaultExpression } from "./defs.ts";
import { databaseName, ownerName, virtual, type VirtualRelation } from "./virtual.ts";

const userSchema = (s: string) => s !== "pg_catalog" && s !== "information_schema";

/** information_schema.schemata */
export const schemata: VirtualRelation = virtual(
  "information_schema",
  "schemata",
  "catalog_name:name schema_name:name schema_owner:name default_character_set_catalog:name " +
    "default_character_set_schema:name default_character_set_name:name sql_path:text",
  (catalog) =>
    [...catalog.schemas.keys()].map((
      s,
    ) => [
      databaseName,
      s,
      s === "public" ? "pg_database_owner" : ownerName,
      null,
      null,
      null,
      null,
    ]),
);

/** information_schema.tables */
export const tables: VirtualRelation = virtual(
  "information_schema",
  "tables",
  "table_catalog:name table_schema:name table_name:name table_type:text " +
    "self_referencing_column_name:name reference_generation:text user_defined_type_catalog:name " +
    "user_defined_type_schema:name user_defined_type_name:name is_insertable_into:text " +
    "is_typed:text commit_action:text",
  (catalog) =>
    [...catalog.relations.values()].filter((r) => !r.matview).map((r) => [
      databaseName,
      r.schema,
      r.name,
      r.kind === "view" ? "VIEW" : "BASE TABLE",
      null,
      null,
      null,
      null,
      null,
      r.kind === "view" ? "NO" : "YES",
      "NO",
      null,
    ]),
);

const dataTypeNames: Record<string, string> = {
  array: "ARRAY",
  bpchar: "character",
  varchar: "character varying",
  timestamp: "timestamp without time zone",
  timestamptz: "timestamp with time zone",
  time: "time without time zone",
  vector: "USER-DEFINED",
};

function dataType(c: RelationDef["columns"][number]): string {
  if (c.type.id === "enum") return "USER-DEFINED";
  return dataTypeNames[c.type.id] ?? formatTypeName({ id: c.type.id });
}

function udtSchema(t: SqlType): string {
  const e = t.id === "array" ? t.elem?.enumType : t.enumType;
  return e?.schema ?? "pg_catalog";
}

function udtName(t: SqlType): string {
  if (t.id === "array") return `_${t.elem ? udtName(t.elem) : "text"}`;
  return t.enumType?.name ?? t.id;
}

function numericInfo(c: RelationDef["columns"][number]): Value[] {
  const tm = c.type.typmod ?? -1;
  switch (c.type.id) {
    case "int2":
      return [16, 2, 0];
    case "int4":
      return [32, 2, 0];
    case "int8":
      return [64, 2, 0];
    case "float4":
      return [24, 2, null];
    case "float8":
      return [53, 2, null];
    case "numeric":
      // The planner stores numeric(p,s) as (p << 16) | s (PostgreSQL adds 4).
      return tm >= 0 ? [(tm >> 16) & 0xffff, 10, tm & 0xffff] : [null, 10, null];
    default:
      return [null, null, null];
  }
}

/** information_schema.columns */
export const columns: VirtualRelation = virtual(
  "information_schema",
  "columns",
  "table_catalog:name table_schema:name table_name:name column_name:name " +
    "ordinal_position:int4 column_default:text is_nullable:text data_type:text " +
    "character_maximum_length:int4 character_octet_length:int4 numeric_precision:int4 " +
    "numeric_precision_radix:int4 numeric_scale:int4 datetime_precision:int4 udt_catalog:name " +
    "udt_schema:name udt_name:name is_identity:text identity_generation:text is_generated:text " +
    "is_updatable:text",
  (catalog) => {
    const rows: Value[][] = [];
    for (const r of catalog.relations.values()) {
      r.columns.forEach((c, i) => {
        if (c.dropped) return;
        const tm = c.type.typmod ?? -1;
        // The planner stores varchar(n) as n (PostgreSQL's atttypmod is n + 4).
        const charLen = (c.type.id === "varchar" || c.type.id === "bpchar") && tm >= 0 ? tm : null;
        const dt = c.type.id === "timestamp" || c.type.id === "timestamptz" ||
            c.type.id === "time" || c.type.id === "interval"
          ? (tm >= 0 ? tm : 6)
          : c.type.id === "date"
          ? 0
          : null;
        rows.push([
          databaseName,
          r.schema,
          r.name,
          c.name,
          i + 1,
          c.defaultSql === null ? null : defaultExpression(c.defaultSql),
          c.notNull ? "NO" : "YES",
          dataType(c),
          charLen,
          charLen === null ? (c.type.id === "text" ? 1073741824 : null) : charLen * 4,
          ...numericInfo(c),
          dt,
          databaseName,
          udtSchema(c.type),
          udtName(c.type),
          c.identity ? "YES" : "NO",
          c.identity === "always" ? "ALWAYS" : c.identity ? "BY DEFAULT" : null,
          c.generatedSql ? "ALWAYS" : "NEVER",
          r.kind === "view" ? "NO" : "YES",
        ]);
      });
    }
    return rows;
  },
);

const constraintTypes = {
  primary_key: "PRIMARY KEY",
  unique: "UNIQUE",
  check: "CHECK",
  foreign_key: "FOREIGN KEY",
} as const;

/** information_schema.table_constraints */
export const tableConstraints: VirtualRelation = virtual(
  "information_schema",
  "table_constraints",
  "constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name " +
    "table_schema:name table_name:name constraint_type:text is_deferrable:text " +
    "initially_deferred:text enforced:text nulls_distinct:text",
  (catalog) =>
    allConstraints(catalog).filter(({ rel }) => userSchema(rel.schema)).map(({ rel, con }) => [
      databaseName,
      rel.schema,
      con.name,
      databaseName,
      rel.schema,
      rel.name,
      constraintTypes[con.kind],
      "NO",
      "NO",
      "YES",
      con.kind === "primary_key" || con.kind === "unique" ? "YES" : null,
    ]),
);

/** information_schema.key_column_usage */
export const keyColumnUsage: VirtualRelation = virtual(
  "information_schema",
  "key_column_usage",
  "constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name " +
    "table_schema:name table_name:name column_name:name ordinal_position:int4 " +
    "position_in_unique_constraint:int4",
  (catalog) => {
    const rows: Value[][] = [];
    for (const { rel, con } of allConstraints(catalog)) {
      if (con.kind === "check" || !userSchema(rel.schema)) continue;
      con.columns.forEach((p, i) => {
        rows.push([
          databaseName,
          rel.schema,
          con.name,
          databaseName,
          rel.schema,
          rel.name,
          rel.columns[p]?.name ?? null,
          i + 1,
          con.kind === "foreign_key" ? i + 1 : null,
        ]);
      });
    }
    return rows;
  },
);

/** information_schema.sequences */
export const sequences: VirtualRelation = virtual(
  "information_schema",
  "sequences",
  "sequence_catalog:name sequence_schema:name sequence_name:name data_type:text " +
    "start_value:text minimum_value:text maximum_value:text increment:text cycle_option:text",
  (catalog) =>
    [...catalog.sequences.values()].map((s) => [
      databaseName,
      s.schema,
      s.name,
      "bigint",
      String(s.start),
      String(s.min),
      String(s.max),
      String(s.increment),
      s.cycle ? "YES" : "NO",
    ]),
);
