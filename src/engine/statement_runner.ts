/**
 * Runs one parsed statement for a session: transaction control, utility
 * commands, DDL against the transaction's catalog, and queries/DML through
 * the plan cache and the executor.
 * @module
 */
import type { Statement } from "pgsql-ast-parser";
import { DbError } from "../common/errors.ts";
import { type SqlType, type Value } from "../common/types.ts";
import type { ExecContext } from "../exec/context.ts";
import { castValue } from "../exec/coerce.ts";
import { toNumeric } from "../exec/numeric_ops.ts";
import { runDml, runPreRunCtes } from "../exec/run_dml.ts";
import { runPlan } from "../exec/run_select.ts";
import type { IsolationLevel as Isolation } from "../txn/mod.ts";
import { isPlannable, type PlannedStatement, planStatement } from "../sql/planner.ts";
import { activityFunction, activityRows } from "../sql/pg_catalog/mod.ts";
import { explainPlan } from "../sql/plan/explain.ts";
import { referencedBy } from "../sql/plan/plan_dml.ts";
import { resolveType } from "../sql/plan/sql_types.ts";
import { type ExtensionStatement, type ParsedStatement, parseOne } from "../sql/parser_port.ts";
import { runCreateTableAs, type RunText } from "./ctas_runner.ts";
import { runCreateMatview, runRefreshMatview } from "./matview_runner.ts";
import { runCopy, runVacuum } from "./copy_runner.ts";
import { runDdl } from "./ddl_runner.ts";
import { lockClauseOf, runLocking } from "./lock_rows.ts";
import type { SqlSession } from "./session.ts";
import type { Field, Notice, StatementResult } from "./session_api.ts";

const planCacheMax = 2_000;

function result(
  command: string,
  tag = command,
  extra: Partial<StatementResult> = {},
): StatementResult {
  return { command, tag, rowCount: 0, fields: null, rows: [], ...extra };
}

/** Plans (or fetches from the plan cache) a query or DML statement. */
export function planFor(
  s: SqlSession,
  st: ParsedStatement,
  declared: readonly (SqlType | null)[],
): PlannedStatement {
  const catalog = s.catalog;
  const cache = s.engine.planCache;
  // A statement object run again (prepared, or a cached shape) finds its plan without
  // building the text key, as long as the plan cache still holds that plan.
  const last = lastPlan.get(st);
  if (
    last !== undefined && last.version === catalog.version && last.declared === declared &&
    cache.get(last.key) === last.planned
  ) {
    return last.planned;
  }
  const key = `${catalog.version}\u0000${
    declared.map((t) => t?.id ?? "").join(",")
  }\u0000${st.text}`;
  let planned = cache.get(key);
  if (!planned) {
    planned = planStatement(catalog, st.ast, st.text, declared, s.engine.stats);
    if (cache.size >= planCacheMax) cache.clear();
    cache.set(key, planned);
  }
  lastPlan.set(st, { version: catalog.version, declared, key, planned });
  return planned;
}

/** The plan a statement object got last, with what it was looked up by. */
const lastPlan = new WeakMap<ParsedStatement, {
  readonly version: number;
  readonly declared: readonly (SqlType | null)[];
  readonly key: string;
  readonly planned: PlannedStatement;
}>();

/** Converts a client value to the representation of its parameter type. */
export function coerceParam(v: Value, t: SqlType, timeZone = "UTC"): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") {
    return t.id === "text" || t.id === "unknown"
      ? v
      : castValue(v, { id: "unknown" }, t, true, timeZone);
  }
  switch (t.id) {
    case "int8":
      return typeof v === "number" ? BigInt(Math.trunc(v)) : v;
    case "int2":
    case "int4":
      return typeof v === "bigint"
        ? castValue(v, { id: "int8" }, t)
        : typeof v === "boolean"
        ? v
        : castValue(
          v,
          { id: typeof v === "number" && !Number.isInteger(v) ? "float8" : "int4" },
          t,
        );
    case "numeric":
      return typeof v === "number" || typeof v === "bigint" ? toNumeric(v) : v;
    case "float4":
    case "float8":
      return typeof v === "bigint" ? Number(v) : v;
    case "text":
    case "varchar":
      return typeof v === "number" || typeof v === "bigint" || typeof v === "boolean"
        ? String(v)
        : v;
    default:
      return v;
  }
}

/** Result fields per plan, built once (plans are immutable). */
const fieldsCache = new WeakMap<PlannedStatement, Field[] | null>();

/** The result fields of a plan, built once per plan. */
export function fieldsOf(p: PlannedStatement): Field[] | null {
  let fields = fieldsCache.get(p);
  if (fields === undefined) {
    fields = buildFields(p);
    fieldsCache.set(p, fields);
  }
  return fields;
}

function buildFields(p: PlannedStatement): Field[] | null {
  if (!p.columns) return null;
  return p.columns.map((c) => ({
    name: c.name,
    type: c.type,
    tableOid: c.tableOid,
    columnNumber: c.attnum,
  }));
}

/** The parts of an execution context that depend only on the session, made once per session. */
interface SessionTools {
  readonly sequences: ExecContext["sequences"];
  readonly checkCancel: () => void;
  readonly referencedBy: ExecContext["referencedBy"];
  readonly setting: ExecContext["setting"];
  readonly setSetting: (name: string, value: string, local: boolean) => void;
  readonly systemRows: (fn: string) => Value[][] | undefined;
  readonly clockMs: () => number;
}

const toolsOf = new WeakMap<SqlSession, SessionTools>();

function sessionTools(s: SqlSession): SessionTools {
  let tools = toolsOf.get(s);
  if (tools === undefined) toolsOf.set(s, tools = makeSessionTools(s));
  return tools;
}

function makeSessionTools(s: SqlSession): SessionTools {
  const engine = s.engine;
  const seq = (name: string) => {
    const parts = name.split(".");
    const def = s.catalog.findSequence(
      parts.at(-1)!.replace(/"/g, ""),
      parts.length > 1 ? parts[0] : undefined,
    );
    if (!def) throw new DbError("42P01", `relation "${name}" does not exist`);
    return def;
  };
  return {
    sequences: {
      nextval: (name) => {
        const def = seq(name);
        const v = engine.nextval(def.oid, def);
        s.currvals.set(def.oid, v);
        return v;
      },
      currval: (name) => {
        const def = seq(name);
        const v = s.currvals.get(def.oid);
        if (v === undefined) {
          throw new DbError(
            "55000",
            `currval of sequence "${def.name}" is not yet defined in this session`,
          );
        }
        return v;
      },
      setval: (name, value, called) => {
        const def = seq(name);
        return engine.setval(def.oid, value, called, def);
      },
    },
    checkCancel: () => {
      if (s.cancelled) {
        s.cancelled = false;
        throw new DbError(
          "57014",
          s.timedOut
            ? "canceling statement due to statement timeout"
            : "canceling statement due to user request",
        );
      }
    },
    referencedBy: (rel) => referencedBy(s.catalog, rel),
    setting: (name) => s.getSetting(name),
    setSetting: (name, value, local) => s.setConfig(name, value, local),
    systemRows: (fn) =>
      fn === activityFunction
        ? activityRows([...s.engine.sessions.values()].map((x) => x.activity()))
        : undefined,
    clockMs: () => performance.now(),
  };
}

/** Builds an execution context for the session's current transaction. */
export function execContext(
  s: SqlSession,
  params: readonly Value[],
  collect: boolean,
): ExecContext {
  const txn = s.statementTxn();
  const engine = s.engine;
  const tools = sessionTools(s);
  return {
    rs: engine.rs,
    txns: engine.txns,
    txn,
    params,
    outer: [],
    ctes: new Map(),
    sequences: tools.sequences,
    nowMicros: s.statementStartMicros,
    checkCancel: tools.checkCancel,
    referencedBy: tools.referencedBy,
    changes: new Map(),
    stats: collect ? new Map() : null,
    setting: tools.setting,
    setSetting: tools.setSetting,
    systemRows: tools.systemRows,
    sessionId: s.id,
    clockMs: tools.clockMs,
  };
}

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
  const p = planFor(s, st, declared);
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
    case "show": {
      const name = stmt.variable.name.toLowerCase();
      const v = s.getSetting(name);
      if (v === undefined) {
        throw new DbError("42704", `unrecognized configuration parameter "${name}"`);
      }
      return result("SHOW", "SHOW", {
        rowCount: 1,
        fields: [{ name, type: { id: "text" }, tableOid: 0, columnNumber: 0 }],
        rows: [[v]],
      });
    }
    case "set": {
      const v = stmt.set;
      const value = v.type === "value"
        ? String(v.value)
        : v.type === "identifier"
        ? v.name
        : v.type === "list"
        ? v.values.map((x) => ("value" in x ? String(x.value) : x.name)).join(", ")
        : "";
      if (v.type === "default") s.resetSetting(stmt.variable.name);
      else s.setSetting(stmt.variable.name, value);
      return result("SET");
    }
    case "set timezone":
    case "set names":
      return result("SET");
    case "create extension":
      return result("CREATE EXTENSION");
    case "prepare": {
      if (s.named.has(stmt.name.name)) {
        throw new DbError("42P05", `prepared statement "${stmt.name.name}" already exists`);
      }
      s.named.set(stmt.name.name, {
        sql: st.text,
        parsed: { text: st.text, offset: st.offset, ast: stmt.statement },
        declared: (stmt.args ?? []).map((a) => resolveType(a, s.catalog)),
        paramTypes: [],
        fields: null,
      });
      return result("PREPARE");
    }
    case "deallocate": {
      if ("option" in stmt.target) s.named.clear();
      else if (!s.named.delete(stmt.target.name)) {
        throw new DbError("26000", `prepared statement "${stmt.target.name}" does not exist`);
      }
      return result("DEALLOCATE");
    }
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
      return runVacuum(s, ext);
    case "savepoint": {
      if (!s.inBlock) {
        throw new DbError("25P01", "SAVEPOINT can only be used in transaction blocks");
      }
      const txn = s.ensureTxn();
      s.engine.txns.savepoint(txn, ext.name);
      s.savepoints.push({
        name: ext.name,
        catalog: s.txCatalog,
        notifies: s.pendingNotifies.length,
        sequenceUndo: s.sequenceUndo.length,
      });
      return result("SAVEPOINT");
    }
    case "release":
    case "rollback_to": {
      const at = s.savepoints.map((p) => p.name).lastIndexOf(ext.name);
      if (at < 0) {
        if (ext.kind === "rollback_to" && s.failed) s.failed = true;
        throw new DbError("3B001", `savepoint "${ext.name}" does not exist`);
      }
      const sp = s.savepoints[at]!;
      const txn = s.txn!;
      if (ext.kind === "release") {
        s.engine.txns.release(txn, ext.name);
        s.savepoints.splice(at);
        return result("RELEASE");
      }
      s.engine.txns.rollbackTo(txn, ext.name);
      s.txCatalog = sp.catalog;
      s.pendingNotifies.splice(sp.notifies);
      s.undoSequences(sp.sequenceUndo);
      // The savepoint itself survives ROLLBACK TO.
      s.savepoints.splice(at + 1);
      s.failed = false;
      if (s.txTouched.size > 0) {
        s.engine.bindRelations(s.catalog, s.txTouched, true, s.engine.catalog);
      }
      return result("ROLLBACK");
    }
    case "explain":
      return await runExplain(s, ext, params);
    case "listen": {
      let set = s.engine.listeners.get(ext.channel);
      if (!set) s.engine.listeners.set(ext.channel, set = new Set());
      set.add(s);
      return result("LISTEN");
    }
    case "unlisten":
      for (const [ch, set] of s.engine.listeners) {
        if (ext.channel === "*" || ch === ext.channel) set.delete(s);
      }
      return result("UNLISTEN");
    case "notify":
      if (s.inBlock) s.pendingNotifies.push({ channel: ext.channel, payload: ext.payload });
      else s.engine.notify(s.id, [{ channel: ext.channel, payload: ext.payload }]);
      return result("NOTIFY");
    case "reset":
      s.resetSetting(ext.name);
      return result("RESET");
    case "set":
      if (ext.name === "transaction_isolation") {
        if (s.txn && (s.txn.snapshot !== null || s.txn.xid !== 0)) {
          throw new DbError(
            "25001",
            "SET TRANSACTION ISOLATION LEVEL must be called before any query",
          );
        }
        if (s.inBlock && s.txn) {
          s.abortTxn();
          s.inBlock = true;
        }
        s.blockIsolation =
          (ext.value === "read uncommitted" ? "read committed" : ext.value) as Isolation;
        if (s.inBlock) s.ensureTxn();
        return result("SET");
      }
      s.setSetting(ext.name, ext.value);
      return result("SET");
    case "analyze": {
      const parts = ext.table?.split(".") ?? [];
      const rels = ext.table
        ? [s.catalog.relation(parts.at(-1)!, parts.length > 1 ? parts[0] : undefined)]
        : [...s.catalog.relations.values()].filter((r) => r.kind === "table");
      for (const rel of rels) s.engine.analyze(rel.oid);
      return result("ANALYZE");
    }
  }
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
  const p = planFor(s, ext.statement, []);
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
