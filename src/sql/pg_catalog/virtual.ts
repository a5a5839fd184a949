/**
 * Virtual catalog relations: `pg_catalog` and `information_schema` tables
 * whose rows are computed from ThunderDB's own catalog when a query is
 * planned (the plan cache is keyed by catalog version, so they stay fresh).
 * @module
 */
import { type SqlType, type as scalar, type TypeId, type Value } from "../../common/types.ts";
import type { Catalog } from "../catalog/catalog.ts";

/** One column of a virtual relation. */
export interface VirtualColumn {
  readonly name: string;
  readonly type: SqlType;
}

/** A relation whose rows are derived from the catalog. */
export interface VirtualRelation {
  readonly schema: "pg_catalog" | "information_schema";
  readonly name: string;
  readonly columns: readonly VirtualColumn[];
  /** Rows in column order. */
  rows(catalog: Catalog): Value[][];
  /**
   * For relations whose rows are not catalog state (pg_stat_activity): the
   * function scan that yields them when the plan runs.
   */
  readonly runtime?: string;
}

/** The role that owns every object (ThunderDB has one superuser role). */
export const ownerName = "thunder";
/** The owner role's OID (PostgreSQL's bootstrap superuser OID). */
export const ownerOid = 10;
/** The database's OID in pg_database. */
export const databaseOid = 16_383;
/**
 * The one database: its name equals the default superuser's, so psql's
 * default (a database named after the user) reaches it.
 */
export const databaseName = "thunder";

/** Builds a column list from `name:type` pairs. */
export function cols(spec: string): VirtualColumn[] {
  return spec.trim().split(/\s+/).map((pair) => {
    const [name, t] = pair.split(":") as [string, string];
    if (t.endsWith("[]")) {
      return { name, type: { id: "array", elem: scalar(t.slice(0, -2) as TypeId) } };
    }
    return { name, type: scalar(t as TypeId) };
  });
}

/** Defines a virtual relation. */
export function virtual(
  schema: VirtualRelation["schema"],
  name: string,
  spec: string,
  rows: (catalog: Catalog) => Value[][],
): VirtualRelation {
  return { schema, name, columns: cols(spec), rows };
}

/** A relation that exists but holds no rows in ThunderDB (no triggers, policies, ...). */
export function empty(name: string, spec: string): VirtualRelation {
  return virtual("pg_catalog", name, spec, () => []);
}
