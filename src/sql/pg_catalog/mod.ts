/**
 * Virtual `pg_catalog` and `information_schema` relations for tools (psql,
 * drivers, ORMs), computed from ThunderDB's catalog, and the plan node
 * that scans one.
 * @module
 */
import type { PlanNode } from "../../exec/plan.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { pgIndexes, pgMatviews, pgTables } from "./descriptions.ts";
import * as info from "./information_schema.ts";
import * as misc from "./pg_misc.ts";
import * as rels from "./pg_relations.ts";
import { pgStatActivity } from "./pg_stat.ts";
import { pgEnum } from "./pg_enum.ts";
import type { VirtualRelation } from "./virtual.ts";

export type { VirtualColumn, VirtualRelation } from "./virtual.ts";
export { databaseName, databaseOid, ownerName, ownerOid } from "./virtual.ts";
export { activityFunction, activityRows, type SessionActivity } from "./pg_stat.ts";
export { typeOfOid, typeOidOf } from "./type_table.ts";
export {
  constraintByOid,
  constraintDefinition,
  constraintOid,
  indexDefinition,
  quoteIdent,
} from "./defs.ts";

const all: readonly VirtualRelation[] = [
  rels.pgNamespace,
  rels.pgClass,
  rels.pgAttribute,
  rels.pgAttrdef,
  rels.pgIndex,
  rels.pgConstraint,
  rels.pgSequence,
  misc.pgType,
  pgEnum,
  misc.pgDatabase,
  misc.pgRoles,
  misc.pgAuthid,
  misc.pgUser,
  misc.pgAm,
  misc.pgTablespace,
  misc.pgCollation,
  misc.pgExtension,
  misc.pgSettings,
  misc.pgProc,
  misc.pgDescription,
  pgMatviews,
  pgTables,
  pgIndexes,
  pgStatActivity,
  ...misc.emptyRelations,
  info.schemata,
  info.tables,
  info.columns,
  info.tableConstraints,
  info.keyColumnUsage,
  info.sequences,
];

const byKey = new Map(all.map((r) => [`${r.schema}.${r.name}`, r]));

/** Every virtual relation. */
export const virtualRelations: readonly VirtualRelation[] = all;

/**
 * Finds a virtual relation. Unqualified names resolve to `pg_catalog` (which
 * PostgreSQL searches first); `information_schema` needs its schema.
 * A user table of the same name in `public` does not shadow pg_catalog ones
 * in PostgreSQL either, but callers check user tables first for schemas other
 * than pg_catalog.
 */
export function findVirtualRelation(
  name: string,
  schema?: string | null,
): VirtualRelation | undefined {
  return byKey.get(`${schema ?? "pg_catalog"}.${name}`);
}

/** A plan node producing the relation's rows from `catalog` (constants). */
export function virtualScan(rel: VirtualRelation, catalog: Catalog): PlanNode {
  if (rel.runtime) {
    return { kind: "function_scan", fn: rel.runtime, args: [], width: rel.columns.length };
  }
  const rows = rel.rows(catalog).map((row) =>
    row.map((value, i) => ({ kind: "const" as const, value, type: rel.columns[i]!.type }))
  );
  return { kind: "values", rows, width: rel.columns.length };
}
