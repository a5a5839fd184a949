/**
 * Catalog rows of the migration DDL: object comments (COMMENT ON, kept in
 * the catalog) for pg_description, obj_description and col_description next
 * to the built-in descriptions, and the pg_matviews, pg_tables and pg_indexes
 * views.
 * @module
 */
import { type SqlType, type as scalar, type Value } from "../../common/types.ts";
import type { BoundExpr } from "../../exec/plan.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { indexDefinition } from "./defs.ts";
import { ownerName, virtual, type VirtualRelation } from "./virtual.ts";

const text = scalar("text");
const pgClass = 1259;
const pgNamespace = 2615;

/** Descriptions of built-in objects (classoid pg_namespace). */
const builtin: readonly [number, number, string][] = [[
  2200,
  pgNamespace,
  "standard public schema",
]];

/** One pg_description row. */
export interface Description {
  readonly objoid: number;
  readonly classoid: number;
  readonly objsubid: number;
  readonly description: string;
}

function exists(cat: Catalog, classoid: number, objoid: number, sub: number): boolean {
  if (classoid === pgNamespace) return [...cat.schemas.values()].includes(objoid);
  const rel = cat.relations.get(objoid);
  if (rel) return sub === 0 || rel.columns[sub - 1]?.dropped === false;
  return sub === 0 && (cat.indexes.has(objoid) || cat.sequences.has(objoid));
}

/** Every description: built-in ones, then the comments on objects that still exist. */
export function descriptions(cat: Catalog): Description[] {
  const out = new Map<string, Description>();
  for (const [objoid, classoid, description] of builtin) {
    out.set(`${classoid}:${objoid}:0`, { objoid, classoid, objsubid: 0, description });
  }
  for (const [key, description] of cat.comments) {
    const [classoid, objoid, objsubid] = key.split(":").map(Number) as [number, number, number];
    if (exists(cat, classoid, objoid, objsubid)) {
      out.set(key, { objoid, classoid, objsubid, description });
    }
  }
  return [...out.values()];
}

function constant(value: Value, type: SqlType): BoundExpr {
  return { kind: "const", value, type };
}

function keyOf(arg: BoundExpr): BoundExpr {
  return arg.type.id === "unknown" || arg.type.id === "int8"
    ? { kind: "cast", arg, from: arg.type, type: scalar("oid") }
    : arg;
}

function caseOn(
  arg: BoundExpr,
  whens: readonly (readonly [number, BoundExpr])[],
  keyType: SqlType,
): BoundExpr {
  if (whens.length === 0) return constant(null, text);
  return {
    kind: "case",
    operand: keyOf(arg),
    whens: whens.map(([k, then]) => ({ when: constant(k, keyType), then })),
    otherwise: constant(null, text),
    type: text,
  };
}

const catalogNames: Readonly<Record<string, number>> = {
  pg_class: pgClass,
  pg_namespace: pgNamespace,
};

/** obj_description(oid [, catalog name]): the object's comment. */
export function objDescription(args: readonly BoundExpr[], cat: Catalog): BoundExpr {
  const [obj, catalog] = args;
  if (!obj) return constant(null, text);
  const name = catalog?.kind === "const" && typeof catalog.value === "string"
    ? catalog.value
    : null;
  const classoid = name === null ? null : catalogNames[name] ?? -1;
  const rows = descriptions(cat).filter((d) =>
    d.objsubid === 0 && (classoid === null || d.classoid === classoid)
  );
  if (obj.kind === "const") {
    const key = obj.value === null ? NaN : Number(obj.value);
    return constant(rows.find((d) => d.objoid === key)?.description ?? null, text);
  }
  return caseOn(obj, rows.map((d) => [d.objoid, constant(d.description, text)]), scalar("oid"));
}

/** col_description(table oid, column number): the column's comment. */
export function colDescription(args: readonly BoundExpr[], cat: Catalog): BoundExpr {
  const [table, column] = args;
  if (!table || !column) return constant(null, text);
  const byTable = new Map<number, [number, BoundExpr][]>();
  for (const d of descriptions(cat)) {
    if (d.classoid !== pgClass || d.objsubid === 0) continue;
    const list = byTable.get(d.objoid) ?? [];
    list.push([d.objsubid, constant(d.description, text)]);
    byTable.set(d.objoid, list);
  }
  return caseOn(
    table,
    [...byTable].map(([oid, cols]) => [oid, caseOn(column, cols, column.type)]),
    scalar("oid"),
  );
}

/** pg_matviews: the materialized views. */
export const pgMatviews: VirtualRelation = virtual(
  "pg_catalog",
  "pg_matviews",
  "schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:bool " +
    "ispopulated:bool definition:text",
  (catalog) =>
    [...catalog.relations.values()].flatMap((r) =>
      r.matview
        ? [[
          r.schema,
          r.name,
          ownerName,
          null,
          r.indexes.length > 0,
          r.matview.populated,
          ` ${r.matview.sql.trim()};`,
        ]]
        : []
    ),
);

/** pg_tables: the tables (not views or materialized views). */
export const pgTables: VirtualRelation = virtual(
  "pg_catalog",
  "pg_tables",
  "schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool " +
    "hasrules:bool hastriggers:bool rowsecurity:bool",
  (catalog) =>
    [...catalog.relations.values()].flatMap((r) =>
      r.kind === "table" && !r.matview
        ? [[
          r.schema,
          r.name,
          ownerName,
          null,
          r.indexes.length > 0,
          false,
          hasTriggers(catalog, r.oid),
          false,
        ]]
        : []
    ),
);

function hasTriggers(catalog: Catalog, oid: number): boolean {
  for (const r of catalog.relations.values()) {
    for (const c of r.constraints) {
      if (c.kind === "foreign_key" && (r.oid === oid || c.refTable === oid)) return true;
    }
  }
  return false;
}

/** pg_indexes: every index with its definition. */
export const pgIndexes: VirtualRelation = virtual(
  "pg_catalog",
  "pg_indexes",
  "schemaname:name tablename:name indexname:name tablespace:name indexdef:text",
  (catalog) =>
    [...catalog.indexes.values()].flatMap((idx) => {
      const rel = catalog.relations.get(idx.table);
      return rel ? [[rel.schema, rel.name, idx.name, null, indexDefinition(catalog, idx)]] : [];
    }),
);
