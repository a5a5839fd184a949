/**
 * Materialized views: a table holding the result of a stored query
 * (`RelationDef.matview`), filled by CREATE MATERIALIZED VIEW (unless WITH NO
 * DATA) and refilled by REFRESH MATERIALIZED VIEW, both in the caller's
 * transaction. INSERT, UPDATE and DELETE on it are refused by the planner.
 * @module
 */
import type {
  CreateMaterializedViewStatement,
  RefreshMaterializedViewStatement,
} from "pgsql-ast-parser";
import { DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import type { RelationDef } from "../sql/catalog/catalog.ts";
import { runCreateTableAs, type RunText } from "./ctas_runner.ts";
import { relationsRead, waitForMovers } from "./relation_waits.ts";
import type { SqlSession } from "./session.ts";
import type { StatementResult } from "./session_api.ts";

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function qualified(rel: RelationDef): string {
  return `${quoteIdent(rel.schema)}.${quoteIdent(rel.name)}`;
}

/** Marks (or unmarks, with null) a table of the transaction's catalog as a materialized view. */
function setMatview(
  s: SqlSession,
  oid: number,
  m: { readonly sql: string; readonly populated: boolean } | null,
): void {
  s.statementTxn(); // opens the transaction first: a new one starts with no private catalog
  if (!s.txCatalog) s.txCatalogBase = s.engine.catalog.version;
  const ed = s.catalog.edit();
  const rel = ed.relations.get(oid);
  if (!rel) throw new DbError("XX000", `Relation ${oid} vanished`);
  ed.relations.set(oid, { ...rel, matview: m });
  s.txCatalog = ed.done();
}

/**
 * CREATE MATERIALIZED VIEW [IF NOT EXISTS] name [(columns)] AS query [WITH [NO] DATA].
 * @throws {DbError} 42P07 when the name is taken
 */
export async function runCreateMatview(
  s: SqlSession,
  stmt: CreateMaterializedViewStatement,
  text: string,
  params: readonly Value[],
  run: RunText,
): Promise<StatementResult> {
  const loc = stmt.query._location;
  if (!loc) throw new DbError("XX000", "Materialized view query without location");
  const sql = text.slice(loc.start).replace(/\s+with\s+(no\s+)?data\s*;?\s*$/i, "").trim();
  const withData = stmt.withData !== false;
  const name = stmt.name.schema === undefined
    ? { name: stmt.name.name }
    : { name: stmt.name.name, schema: stmt.name.schema };
  const created = await runCreateTableAs(
    s,
    {
      kind: "ext.create_table_as",
      name,
      ifNotExists: stmt.ifNotExists === true,
      temporary: false,
      unlogged: false,
      columns: stmt.columnNames?.map((n) => n.name) ?? null,
      storageOptions: [],
      onCommit: null,
      query: stmt.query,
      withData,
    },
    text,
    params,
    run,
  );
  if (created.notices?.length) {
    return { ...created, command: "CREATE MATERIALIZED VIEW", tag: "CREATE MATERIALIZED VIEW" };
  }
  const rel = s.catalog.relation(stmt.name.name, stmt.name.schema ?? "public");
  setMatview(s, rel.oid, { sql, populated: withData });
  if (!withData) {
    return { ...created, command: "CREATE MATERIALIZED VIEW", tag: "CREATE MATERIALIZED VIEW" };
  }
  return created;
}

/**
 * REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]: the rows are
 * replaced by the query's current result (no rows for WITH NO DATA).
 * @throws {DbError} 42P01, 0A000 for another kind of relation, 55000 / 0A000 for CONCURRENTLY without a unique index or data
 */
export async function runRefreshMatview(
  s: SqlSession,
  stmt: RefreshMaterializedViewStatement,
  run: RunText,
): Promise<StatementResult> {
  const rel = s.catalog.findRelation(stmt.name.name, stmt.name.schema);
  if (!rel) throw new DbError("42P01", `relation "${stmt.name.name}" does not exist`);
  const m = rel.matview;
  if (!m) throw new DbError("0A000", `"${rel.name}" is not a materialized view`);
  const withData = stmt.withData !== false;
  if (stmt.concurrently) {
    if (!withData) {
      throw new DbError(
        "0A000",
        "REFRESH options CONCURRENTLY and WITH NO DATA cannot be used together",
      );
    }
    if (!m.populated) {
      throw new DbError(
        "0A000",
        "CONCURRENTLY cannot be used when the materialized view is not populated",
      );
    }
    const unique = rel.indexes.some((oid) => {
      const idx = s.catalog.indexes.get(oid);
      return idx?.unique === true && idx.predicateSql === null;
    });
    if (!unique) {
      const err = new DbError(
        "55000",
        `cannot refresh materialized view "${rel.schema}.${rel.name}" concurrently`,
      );
      err.hint =
        "Create a unique index with no WHERE clause on one or more columns of the materialized view.";
      throw err;
    }
  }
  if (
    s.engine.rs.moving && (await waitForMovers(s, [rel.oid, ...relationsRead(s.catalog, m.sql)]))
  ) {
    return await runRefreshMatview(s, stmt, run);
  }
  setMatview(s, rel.oid, null);
  await run(`DELETE FROM ${qualified(rel)}`, []);
  if (withData) await run(`INSERT INTO ${qualified(rel)} ${m.sql}`, []);
  setMatview(s, rel.oid, { sql: m.sql, populated: withData });
  return {
    command: "REFRESH MATERIALIZED VIEW",
    tag: "REFRESH MATERIALIZED VIEW",
    rowCount: 0,
    fields: null,
    rows: [],
  };
}
