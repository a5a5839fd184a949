/**
 * CREATE TABLE ... AS query: the query's columns (names and types, unknown
 * literals as text) define a new table, which the query's rows then fill.
 * It runs as the two statements it stands for, in the caller's transaction.
 * @module
 */
import { DbError } from "../common/errors.ts";
import { type as scalar, type Value } from "../common/types.ts";
import { formatTypeName } from "../common/value_text.ts";
import { createPlanner } from "../sql/planner.ts";
import type { ExtCreateTableAs } from "../sql/parse/ext_ast.ts";
import { waitForMovers } from "./relation_waits.ts";
import type { SqlSession } from "./session.ts";
import type { Notice, StatementResult } from "./session_api.ts";

/** Runs SQL text as one statement of the current session. */
export type RunText = (sql: string, params: readonly Value[]) => Promise<StatementResult>;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Runs `CREATE TABLE name [(columns)] AS query [WITH [NO] DATA]`.
 * @param text the statement's text (the query is sliced from it)
 * @throws {DbError} 42P07 when the table exists, 42601 with too many column names
 */
export async function runCreateTableAs(
  s: SqlSession,
  c: ExtCreateTableAs,
  text: string,
  params: readonly Value[],
  run: RunText,
): Promise<StatementResult> {
  // A set operation's node carries no location of its own: the parser's offset does.
  const start = c.queryStart ??
    (c.query as { _location?: { start: number; end: number } })._location?.start;
  if (start === undefined) throw new DbError("XX000", "CREATE TABLE AS query without location");
  // The query runs to the end of the statement, but for a trailing WITH [NO] DATA.
  const sql = text.slice(start).replace(/\s+with\s+(no\s+)?data\s*;?\s*$/i, "").trim();
  const schema = c.name.schema ?? (c.temporary ? undefined : "public");
  const name = (c.name.schema ? quoteIdent(c.name.schema) + "." : "") + quoteIdent(c.name.name);
  if (s.catalog.findRelation(c.name.name, schema)) {
    if (!c.ifNotExists) throw new DbError("42P07", `relation "${c.name.name}" already exists`);
    const notice: Notice = {
      severity: "NOTICE",
      sqlstate: "42P07",
      message: `relation "${c.name.name}" already exists, skipping`,
    };
    return {
      command: "CREATE TABLE AS",
      tag: "CREATE TABLE AS",
      rowCount: 0,
      fields: null,
      rows: [],
      notices: [notice],
    };
  }
  const p = createPlanner(s.catalog, sql, []);
  const q = p.planQuery(p.parseQuery(sql), null);
  // Tables another transaction is rewriting are waited for; the columns then come from what it left.
  if (await waitForMovers(s, p.relations)) return await runCreateTableAs(s, c, text, params, run);
  const names = c.columns ?? [];
  if (names.length > q.columns.length) {
    throw new DbError("42601", "too many column names were specified");
  }
  const columns = q.columns.map((col, i) => {
    const type = col.type.id === "unknown" ? scalar("text") : col.type;
    return `${quoteIdent(names[i] ?? col.name)} ${formatTypeName(type)}`;
  });
  const kind = c.temporary ? "TEMP " : c.unlogged ? "UNLOGGED " : "";
  await run(`CREATE ${kind}TABLE ${name} (${columns.join(", ")})`, []);
  if (!c.withData) {
    return {
      command: "CREATE TABLE AS",
      tag: "CREATE TABLE AS",
      rowCount: 0,
      fields: null,
      rows: [],
    };
  }
  const inserted = await run(`INSERT INTO ${name} ${sql}`, params);
  const n = inserted.rowCount;
  return { command: "SELECT", tag: `SELECT ${n}`, rowCount: n, fields: null, rows: [] };
}
