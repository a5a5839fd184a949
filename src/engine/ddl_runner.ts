/**
 * Runs DDL inside the session's transaction: edits a private catalog
 * (published at commit, discarded at rollback), builds indexes and validates
 * existing rows against new constraints.
 * @module
 */
import type { Expr, Statement } from "pgsql-ast-parser";
import { DbError } from "../common/errors.ts";
import type { Value } from "../common/types.ts";
import { compile } from "../exec/scalar.ts";
import type { Catalog, CatalogEditor, ColumnDef, RelationDef } from "../sql/catalog/catalog.ts";
import { UniqueViolationError } from "../txn/mod.ts";
import { alterTable, dropObjects } from "../sql/catalog/ddl_alter.ts";
import { createTable, type DdlEffects, noEffects } from "../sql/catalog/ddl.ts";
import { createIndex, createSequence } from "../sql/catalog/ddl_index.ts";
import { alterSequence, ownedSequences } from "../sql/catalog/ddl_sequence.ts";
import { commentOn } from "../sql/catalog/ddl_comment.ts";
import { createDomain, type DropDomain, dropDomain } from "../sql/catalog/ddl_domain.ts";
import type { CreateDomain } from "../sql/parse/ext_domain.ts";
import {
  alterEnum,
  createEnum,
  type DropType,
  dropType,
  type Relabel,
} from "../sql/catalog/ddl_enum.ts";
import type { AlterEnum, CreateEnum } from "../sql/parse/ext_enum.ts";
import type { CommentOn } from "../sql/parse/ext_comment.ts";
import { createPlanner } from "../sql/planner.ts";
import { bindSqlText } from "../sql/plan/plan_dml.ts";
import { tableColumns } from "../sql/plan/plan_from.ts";
import { Scope } from "../sql/plan/scope.ts";
import { bindIndexExpr } from "../sql/plan/index_expr.ts";
import { checkOptionAllowed } from "../sql/plan/view_dml.ts";
import { exprText } from "../sql/plan/explain.ts";
import { exprRefs } from "../sql/plan/expr_walk.ts";
import { isDropMatview, isDropView, type ParsedStatement } from "../sql/parser_port.ts";
import type { SqlSession } from "./session.ts";
import type { StatementResult } from "./session_api.ts";
import { execContext } from "./statement_context.ts";
import { fillAddedColumns, prepareMove, relabelRows, rewriteColumns } from "./ddl_rows.ts";
import { roleDdl } from "./role_ddl.ts";
import { ddlRelations, waitForMovers } from "./relation_waits.ts";

function done(tag: string, fx: DdlEffects): StatementResult {
  return {
    command: tag,
    tag,
    rowCount: 0,
    fields: null,
    rows: [],
    ...(fx.notices.length
      ? {
        notices: fx.notices.map((m) => ({
          severity: "NOTICE" as const,
          sqlstate: "00000",
          message: m,
        })),
      }
      : {}),
  };
}

function sourceOf(st: ParsedStatement) {
  return (e: Expr): string => {
    const loc = e._location;
    if (!loc) throw new DbError("XX000", "Expression without location");
    return st.text.slice(loc.start, loc.end);
  };
}

/**
 * Runs a DDL statement.
 * @throws {DbError} 42P07, 42P01, 42703, 23505 (unique index over duplicates), 23502, 23514
 */
export async function runDdl(
  s: SqlSession,
  stmt: Statement,
  st: ParsedStatement,
): Promise<StatementResult> {
  const txn = s.statementTxn();
  if (txn.readOnly) throw new DbError("25006", "cannot execute DDL in a read-only transaction");
  if (!s.txCatalog) s.txCatalogBase = s.engine.catalog.version;
  const before = s.catalog;
  const ed = before.edit();
  const fx = noEffects();
  const source = sourceOf(st);
  let relabel: Relabel[] | null = null;
  let tag: string;
  if ((stmt as { type: string }).type === "alter enum type") {
    relabel = alterEnum(ed, stmt as unknown as AlterEnum, fx, s.inBlock);
    tag = "ALTER TYPE";
  } else tag = applyDdl(s, ed, stmt, st, fx, source);
  const next = ed.done();
  if (s.engine.rs.moving) {
    // Tables another transaction is rewriting are waited for (PostgreSQL's
    // table locks), then the statement is applied again to what it left.
    const truncated = stmt.type === "truncate table"
      ? stmt.tables.map((t) => before.relation(t.name, t.schema).oid)
      : [];
    if (await waitForMovers(s, ddlRelations(before, next, truncated))) {
      return await runDdl(s, stmt, st);
    }
  }
  const touched = changedTables(before, next);
  for (const oid of touched) s.txTouched.add(oid);
  const altered = stmt.type === "alter table"
    ? ed.base.findRelation(stmt.table.name, stmt.table.schema)?.oid
    : undefined;
  // Rows of a table moving to fresh storage are read before it moves.
  const move = altered === undefined
    ? null
    : prepareMove(s, before.relations.get(altered), next.relations.get(altered), fx.retyped);
  try {
    s.engine.bindRelations(next, touched, true, s.engine.catalog);
  } catch (e) {
    if (e instanceof UniqueViolationError) {
      const err = new DbError("23505", `could not create unique index "${e.constraint}"`);
      if (e.detail) err.detail = e.detail.replace("already exists", "is duplicated");
      throw err;
    }
    throw e;
  }
  s.txCatalog = next;
  if (relabel) await relabelRows(s, relabel);
  if (stmt.type === "alter table") {
    const oid = ed.base.relation(stmt.table.name, stmt.table.schema).oid;
    if (move) await move();
    else await rewriteColumns(s, before.relations.get(oid), next.relations.get(oid), fx.retyped);
    await fillAddedColumns(s, before.relations.get(oid), next.relations.get(oid));
    validateRows(s, next.relations.get(ed.base.relation(stmt.table.name, stmt.table.schema).oid));
  }
  if (stmt.type === "truncate table") {
    const rels = stmt.tables.map((t) => next.relation(t.name, t.schema));
    await truncate(s, rels);
    if (stmt.identity === "restart") {
      for (const rel of rels) {
        for (const seq of ownedSequences(next, rel)) {
          fx.restartSequences.push({ oid: seq.oid, value: seq.start });
        }
      }
    }
  }
  for (const r of fx.restartSequences) {
    // A restart is transactional in PostgreSQL (the sequence gets new storage):
    // the position before it comes back if the transaction or savepoint rolls back.
    s.sequenceUndo.push({ oid: r.oid, position: s.engine.sequences.get(r.oid) });
    s.engine.setval(r.oid, r.value, false, next.sequences.get(r.oid));
  }
  await Promise.resolve();
  return done(tag, fx);
}

function applyDdl(
  s: SqlSession,
  ed: CatalogEditor,
  stmt: Statement,
  st: ParsedStatement,
  fx: DdlEffects,
  source: (e: Expr) => string,
): string {
  const other = (stmt as { type: string }).type;
  if (other === "create domain") {
    createDomain(ed, stmt as unknown as CreateDomain);
    return "CREATE DOMAIN";
  }
  if (other === "create enum") {
    createEnum(ed, stmt as unknown as CreateEnum);
    return "CREATE TYPE";
  }
  if (other === "drop type") {
    dropType(ed, stmt as unknown as DropType, fx);
    return "DROP TYPE";
  }
  const role = roleDdl(ed, stmt, fx);
  if (role !== null) return role;
  if (other === "drop domain") {
    dropDomain(ed, stmt as unknown as DropDomain, fx);
    return "DROP DOMAIN";
  }
  switch (stmt.type) {
    case "create table":
      createTable(ed, stmt, source, fx);
      return "CREATE TABLE";
    case "create index":
      createIndex(ed, stmt, source, fx, (rel, sql) => {
        const e = bindIndexExpr(createPlanner(ed.done(), "", []), rel, sql);
        return {
          type: e.type,
          text: exprText(e, rel.columns.map((c) => c.name)),
          reads: [...exprRefs(e).columns].sort((a, b) => a - b),
          column: e.kind === "column" ? e.index : null,
        };
      });
      return "CREATE INDEX";
    case "create sequence":
      createSequence(ed, stmt, fx);
      return "CREATE SEQUENCE";
    case "create schema":
      if (ed.schemas.has(stmt.name.name)) {
        if (stmt.ifNotExists) return "CREATE SCHEMA";
        throw new DbError("42P06", `schema "${stmt.name.name}" already exists`);
      }
      ed.schemas.set(stmt.name.name, ed.oid());
      return "CREATE SCHEMA";
    case "create view":
      createView(s, ed, stmt, st);
      return "CREATE VIEW";
    case "alter table":
      alterTable(ed, stmt, source, (sql, rel, col) => evalDefault(s, sql, rel, col), fx);
      return "ALTER TABLE";
    case "drop table":
    case "drop index":
    case "drop sequence": {
      const kind = isDropMatview(stmt)
        ? "materialized view"
        : isDropView(stmt)
        ? "view"
        : stmt.type === "drop table"
        ? "table"
        : stmt.type === "drop index"
        ? "index"
        : "sequence";
      dropObjects(ed, kind, stmt.names, stmt.ifExists ?? false, stmt.cascade === "cascade", fx);
      return `DROP ${kind.toUpperCase()}`;
    }
    case "truncate table":
      return "TRUNCATE TABLE";
    case "alter sequence":
      alterSequence(ed, stmt, fx);
      return "ALTER SEQUENCE";
    case "comment":
      commentOn(ed, stmt as unknown as CommentOn);
      return "COMMENT";
    default:
      throw new DbError("0A000", `${stmt.type.toUpperCase()} is not supported`);
  }
}

function createView(
  s: SqlSession,
  ed: CatalogEditor,
  stmt: Extract<Statement, { type: "create view" }>,
  st: ParsedStatement,
): void {
  const schema = stmt.name.schema ?? "public";
  const existing = ed.done().findRelation(stmt.name.name, schema);
  if (existing && !(stmt.orReplace && existing.kind === "view")) {
    throw new DbError("42P07", `relation "${stmt.name.name}" already exists`);
  }
  const loc = stmt.query._location;
  if (!loc) throw new DbError("XX000", "View query without location");
  const sql = viewQueryText(st.text, loc.start);
  const p = createPlanner(ed.done(), sql, []);
  const q = p.planQuery(p.parseQuery(sql), null);
  const columns: ColumnDef[] = q.columns.map((c, i) => ({
    name: stmt.columnNames?.[i]?.name ?? c.name,
    type: c.type,
    notNull: false,
    defaultSql: null,
    identity: null,
    dropped: false,
    missing: null,
  }));
  const rel: RelationDef = {
    oid: existing?.oid ?? ed.oid(),
    kind: "view",
    schema,
    name: stmt.name.name,
    columns,
    constraints: [],
    indexes: [],
    viewSql: sql,
    rowEstimate: -1,
    ...(stmt.checkOption ? { checkOption: stmt.checkOption } : {}),
  };
  if (stmt.checkOption) checkOptionAllowed(p, rel);
  ed.relations.set(rel.oid, rel);
  void s;
}

/**
 * A view's query: from its start to the end of the statement, without a
 * trailing `WITH [CASCADED | LOCAL] CHECK OPTION` or the closing parentheses
 * of `AS (query)`. (The grammar's span of the query stops before a last
 * table alias, as in `FROM (SELECT 1 AS x) s`.)
 */
function viewQueryText(text: string, start: number): string {
  let sql = text.slice(start).replace(/[\s;]+$/, "")
    .replace(/\s+with\s+((cascaded|local)\s+)?check\s+option$/i, "");
  for (let extra = parentheses(sql).unmatched; extra > 0 && sql.endsWith(")"); extra--) {
    sql = sql.slice(0, -1).trimEnd();
  }
  while (sql.startsWith("(") && parentheses(sql).firstCloses === sql.length - 1) {
    sql = sql.slice(1, -1).trim();
  }
  return sql;
}

/**
 * Parentheses of `sql` outside quotes and comments: how many `)` close
 * nothing, and where the one closing the first `(` is (-1 when none does).
 */
function parentheses(sql: string): { unmatched: number; firstCloses: number } {
  let depth = 0;
  let unmatched = 0;
  let firstCloses = -1;
  const skip = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$\$[\s\S]*?\$\$|[()]/g;
  for (const m of sql.matchAll(skip)) {
    if (m[0] === "(") depth++;
    else if (m[0] === ")") {
      if (depth === 0) unmatched++;
      else if (--depth === 0 && firstCloses < 0) firstCloses = m.index;
    }
  }
  return { unmatched, firstCloses };
}

function evalDefault(s: SqlSession, sql: string, rel: RelationDef, col: ColumnDef): Value {
  const p = createPlanner(s.catalog, sql, []);
  const e = bindSqlText(p, sql, new Scope([], null), col.type);
  void rel;
  return compile(e)([], execContext(s, [], false));
}

/** Tables whose stored shape (columns, indexes) differs between two catalogs, or that came or went. */
function changedTables(before: Catalog, next: Catalog): Set<number> {
  const out = new Set<number>();
  for (const [oid, rel] of next.relations) {
    if (rel.kind === "table" && before.relations.get(oid) !== rel) out.add(oid);
  }
  for (const [oid, rel] of before.relations) {
    if (rel.kind === "table" && next.relations.get(oid) !== rel) out.add(oid);
  }
  for (const [oid, idx] of next.indexes) if (before.indexes.get(oid) !== idx) out.add(idx.table);
  for (const [oid, idx] of before.indexes) if (next.indexes.get(oid) !== idx) out.add(idx.table);
  return out;
}

function validateRows(s: SqlSession, rel: RelationDef | undefined): void {
  if (!rel) return;
  const scope = new Scope(tableColumns(rel, rel.name), null);
  const p = createPlanner(s.catalog, "", []);
  const checks = rel.constraints.filter((c) => c.kind === "check").map((c) => ({
    name: c.name,
    fn: compile(bindSqlText(p, (c as { sql: string }).sql, scope)),
  }));
  const ctx = execContext(s, [], false);
  // Without CHECK constraints only the NOT NULL columns need decoding.
  const wanted = checks.length > 0 ? undefined : rel.columns.map((c) => c.notNull && !c.dropped);
  const rs = s.engine.rs;
  for (const t of rs.scan(rel.oid, ctx.txn, rs.batchRows, wanted)) {
    const row = rel.columns.map((c, i) => (i < t.values.length ? t.values[i]! : c.missing));
    rel.columns.forEach((c, i) => {
      if (c.notNull && !c.dropped && row[i] === null) {
        throw new DbError(
          "23502",
          `column "${c.name}" of relation "${rel.name}" contains null values`,
        );
      }
    });
    for (const c of checks) {
      if (c.fn(row, ctx) === false) {
        throw new DbError(
          "23514",
          `check constraint "${c.name}" of relation "${rel.name}" is violated by some row`,
        );
      }
    }
  }
}

async function truncate(s: SqlSession, rels: RelationDef[]): Promise<void> {
  const txn = s.statementTxn();
  for (const rel of rels) {
    const rowIds = [...s.engine.rs.scan(rel.oid, txn)].map((r) => r.rowId);
    for (const rowId of rowIds) await s.engine.rs.delete(txn, rel.oid, rowId);
    s.addChanges(new Map([[rel.oid, rowIds.length]]));
  }
}
