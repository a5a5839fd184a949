/**
 * Runs one parsed statement for a session: transaction control, utility
 * commands, DDL against the transaction's catalog, and queries/DML through
 * the plan cache and the executor.
 * @module
 */
import type { Statement } from "pgsql-ast-parser";
import { DbError } from "../common/errors.ts";
import { type SqlType, type Value } from "../common/types.ts";
import { runDml, runPreRunCtes } from "../exec/run_dml.ts";
import { runPlan } from "../exec/run_select.ts";
import type { IsolationLevel as Isolation } from "../txn/mod.ts";
import { isPlannable, type PlannedStatement } from "../sql/planner.ts";
import { explainPlan } from "../sql/plan/explain.ts";
import { type ExtensionStatement, type ParsedStatement, parseOne } from "../sql/parser_port.ts";
import { runCreateTableAs, type RunText } from "./ctas_runner.ts";
import { runCreateMatview, runRefreshMatview } from "./matview_runner.ts";
import { runCopy, runVacuum } from "./copy_runner.ts";
import { runDdl } from "./ddl_runner.ts";
import { lockClauseOf, runLocking } from "./lock_rows.ts";
import type { SqlSession } from "./session.ts";
import { runSavepoint } from "./savepoint_runner.ts";
import { waitForMovers } from "./relation_waits.ts";
import {
  runDeallocate,
  runListenNotify,
  runPrepare,
  runSet,
  runSetExtension,
  runShow,
} from "./utility_runner.ts";
import { coerceParam, execContext, fieldsOf, planFor, result } from "./statement_context.ts";
import type { Field, Notice, StatementResult } from "./session_api.ts";

async function runPlanned(
  s: SqlSession,
  p: PlannedStatement,
  params: readonly Value[],
  collect = false,
  ast: unknown = null,
) {
  const zone = s.getSetting("timezone") ?? "UTC";
  const values = p.paramTypes.map((t, i) => coerceParam(params[i] ?? null, t, zone));
  if (params.length < p.paramTypes.length) {
    throw new DbError(
      "08P01",
      `bind message supplies ${params.length} parameters, but prepared statement requires ${p.paramTypes.length}`,
    );
  }
  const ctx = execContext(s, values, collect);
  if (p.preRun.length > 0) await runPreRunCtes(p.preRun, ctx);
  if (p.command === "SELECT") {
    const clause = lockClauseOf(ast);
    const rows = clause
      ? await runLocking(p.plan, clause, ctx, () => s.engine.txns.startStatement(ctx.txn))
      : runPlan(p.plan, ctx);
    if (p.preRun.length > 0) s.addChanges(ctx.changes);
    return { ctx, rows, count: rows.length };
  }
  if (ctx.txn.readOnly) {
    throw new DbError("25006", `cannot execute ${p.command} in a read-only transaction`);
  }
  const r = await runDml(p.plan, ctx);
  s.addChanges(ctx.changes);
  return { ctx, rows: r.returning ?? [], count: r.count };
}

async function runQuery(
  s: SqlSession,
  st: ParsedStatement,
  params: readonly Value[],
  declared: readonly (SqlType | null)[],
): Promise<StatementResult> {
  let p = planFor(s, st, declared);
  // A table another transaction is rewriting is waited for, then planned again.
  if (await waitForMovers(s, p.relations)) p = planFor(s, st, declared);
  const { rows, count } = await runPlanned(s, p, params, false, st.ast);
  const fields = fieldsOf(p);
  const tag = p.command === "INSERT" ? `INSERT 0 ${count}` : `${p.command} ${count}`;
  return { command: p.command, tag, rowCount: count, fields, rows };
}

/** Describes a statement for the extended protocol (parameter types and result columns). */
export function describeStatement(
  s: SqlSession,
  st: ParsedStatement,
  declared: readonly (SqlType | null)[],
): { paramTypes: SqlType[]; fields: Field[] | null } {
  if (!isPlannable(st.ast)) {
    return { paramTypes: declared.map((t) => t ?? { id: "text" }), fields: null };
  }
  const p = planFor(s, st, declared);
  return { paramTypes: p.paramTypes.map(withoutTypmod), fields: fieldsOf(p) };
}

/**
 * A parameter type as the protocol sees it: like PostgreSQL, parameters carry
 * no type modifier (the planner's typmods also use another encoding than the
 * wire's), so the text of `$1` keeps every digit and the assignment cast to
 * the column applies numeric(p,s) / varchar(n) afterwards.
 */
function withoutTypmod(t: SqlType): SqlType {
  if (t.typmod === undefined || (t.id !== "numeric" && t.id !== "varchar" && t.id !== "bpchar")) {
    return t;
  }
  return { id: t.id };
}

/**
 * BEGIN / START TRANSACTION: opens a transaction block (a warning when one is
 * open already). Never waits, so the fast path runs it too.
 */
export function beginBlock(
  s: SqlSession,
  stmt: Extract<Statement, { type: "begin" | "start transaction" }>,
): StatementResult {
  if (s.inBlock) {
    return result("BEGIN", "BEGIN", {
      notices: [warning("25001", "there is already a transaction in progress")],
    });
  }
  const iso = stmt.type === "begin" ? stmt.isolationLevel : undefined;
  s.blockIsolation = iso
    ? (iso === "read uncommitted" ? "read committed" : iso) as Isolation
    : (s.getSetting("transaction_isolation_next") as Isolation | undefined) ?? null;
  s.inBlock = true;
  s.ensureTxn();
  if (stmt.type === "begin" && stmt.writeable === "read only") {
    s.engine.txns.setCharacteristics(s.txn!, { readOnly: true });
  }
  return result("BEGIN");
}

/**
 * Runs one statement.
 * @throws {DbError} with SQLSTATE
 */
export async function runStatement(
  s: SqlSession,
  st: ParsedStatement,
  params: readonly Value[],
  declared: readonly (SqlType | null)[],
): Promise<StatementResult> {
  const ast = st.ast;
  const ext = "kind" in ast && !("type" in ast) ? ast as ExtensionStatement : null;
  const isEnd = ext
    ? ext.kind === "rollback_to"
    : ["commit", "rollback"].includes((ast as Statement).type);
  if (s.failed && !isEnd) {
    throw new DbError(
      "25P02",
      "current transaction is aborted, commands ignored until end of transaction block",
    );
  }
  if (ext) return await runExtension(s, ext, st, params);
  const stmt = ast as Statement;
  switch (stmt.type) {
    case "begin":
    case "start transaction":
      return beginBlock(s, stmt);
    case "commit": {
      if (!s.inBlock) {
        return result("COMMIT", "COMMIT", {
          notices: [warning("25P01", "there is no transaction in progress")],
        });
      }
      if (s.failed) {
        s.abortTxn();
        return result("ROLLBACK");
      }
      await s.commitTxn();
      return result("COMMIT");
    }
    case "rollback": {
      if (!s.inBlock) {
        return result("ROLLBACK", "ROLLBACK", {
          notices: [warning("25P01", "there is no transaction in progress")],
        });
      }
      s.abortTxn();
      return result("ROLLBACK");
    }
    case "show":
      return runShow(s, stmt);
    case "set":
      return runSet(s, stmt);
    case "set timezone":
    case "set names":
      return result("SET");
    case "create extension":
      return result("CREATE EXTENSION");
    case "prepare":
      return runPrepare(s, stmt, st);
    case "deallocate":
      return runDeallocate(s, stmt);
    case "create materialized view":
      return await runCreateMatview(s, stmt, st.text, params, runText(s));
    case "refresh materialized view":
      return await runRefreshMatview(s, stmt, runText(s));
    default:
      if (isPlannable(stmt)) return await runQuery(s, st, params, declared);
      return await runDdl(s, stmt, st);
  }
}

/** Runs SQL text as one more statement of the session (CREATE TABLE AS, materialized views). */
function runText(s: SqlSession): RunText {
  return (sql, p) => runStatement(s, parseOne(sql, 0), p, []);
}

function warning(sqlstate: string, message: string): Notice {
  return { severity: "WARNING", sqlstate, message };
}

async function runExtension(
  s: SqlSession,
  ext: ExtensionStatement,
  st: ParsedStatement,
  params: readonly Value[],
): Promise<StatementResult> {
  switch (ext.kind) {
    case "empty":
      return result("", "");
    case "set_operation":
      return await runQuery(s, st, params, []);
    case "copy":
      return await runCopy(s, ext.copy);
    case "execute":
      return await runExecute(s, ext, params);
    case "create_table_as":
      return await runCreateTableAs(
        s,
        ext.create,
        st.text,
        params,
        runText(s),
      );
    case "vacuum":
      return await runVacuum(s, ext);
    case "savepoint":
    case "release":
    case "rollback_to":
      return runSavepoint(s, ext);
    case "explain":
      return await runExplain(s, ext, params);
    case "listen":
    case "unlisten":
    case "notify":
      return runListenNotify(s, ext);
    case "reset":
      s.resetSetting(ext.name);
      return result("RESET");
    case "set":
      return runSetExtension(s, ext);
    case "analyze":
      return await runAnalyze(s, ext.table);
  }
}

/** ANALYZE [table]: refreshes row estimates, after any rewrite of the tables ends. */
async function runAnalyze(s: SqlSession, table: string | null): Promise<StatementResult> {
  const parts = table?.split(".") ?? [];
  const tables = () =>
    table
      ? [s.catalog.relation(parts.at(-1)!, parts.length > 1 ? parts[0] : undefined)]
      : [...s.catalog.relations.values()].filter((r) => r.kind === "table");
  let rels = tables();
  if (await waitForMovers(s, rels.map((r) => r.oid))) rels = tables();
  for (const rel of rels) s.engine.analyze(rel.oid);
  return result("ANALYZE");
}

/**
 * EXECUTE name [(args)]: evaluates the arguments, converts them to the
 * prepared statement's parameter types and runs it.
 * @throws {DbError} 26000 unknown statement, 42601 wrong number of arguments
 */
async function runExecute(
  s: SqlSession,
  ext: Extract<ExtensionStatement, { kind: "execute" }>,
  params: readonly Value[],
): Promise<StatementResult> {
  const prepared = s.named.get(ext.name);
  if (!prepared) throw new DbError("26000", `prepared statement "${ext.name}" does not exist`);
  const { paramTypes } = describeStatement(s, prepared.parsed, prepared.declared);
  const args = ext.args ? (await runQuery(s, ext.args, params, [])).rows[0] ?? [] : [];
  if (args.length !== paramTypes.length) {
    const e = new DbError(
      "42601",
      `wrong number of parameters for prepared statement "${ext.name}"`,
    );
    e.detail = `Expected ${paramTypes.length} parameters but got ${args.length}.`;
    throw e;
  }
  const zone = s.getSetting("timezone") ?? "UTC";
  const values = args.map((v, i) => coerceParam(v as Value, paramTypes[i]!, zone));
  return await runStatement(s, prepared.parsed, values, prepared.declared);
}

async function runExplain(
  s: SqlSession,
  ext: Extract<ExtensionStatement, { kind: "explain" }>,
  params: readonly Value[],
): Promise<StatementResult> {
  let p = planFor(s, ext.statement, []);
  // As a query: a table another transaction is rewriting is waited for first.
  if (await waitForMovers(s, p.relations)) p = planFor(s, ext.statement, []);
  let stats: Map<object, { rows: number; ms: number; loops: number }> | null = null;
  let extra: string[] = [];
  if (ext.analyze) {
    const start = performance.now();
    const r = await runPlanned(s, p, params, true);
    stats = r.ctx.stats;
    if (p.command !== "SELECT") {
      stats?.set(p.plan, { rows: r.count, ms: performance.now() - start, loops: 1 });
    }
    extra = [`Execution Time: ${(performance.now() - start).toFixed(3)} ms`];
  }
  const lines = [...explainPlan(p.plan, stats, s.catalog), ...extra];
  return result("EXPLAIN", "EXPLAIN", {
    rowCount: lines.length,
    fields: [{ name: "QUERY PLAN", type: { id: "text" }, tableOid: 0, columnNumber: 0 }],
    rows: lines.map((l) => [l]),
  });
}
