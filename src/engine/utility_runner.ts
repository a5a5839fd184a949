/**
 * Session utility statements: SHOW and SET (including SET TRANSACTION
 * ISOLATION LEVEL), SQL-level PREPARE and DEALLOCATE, and LISTEN, UNLISTEN
 * and NOTIFY.
 * @module
 */
import type { Statement } from "pgsql-ast-parser";
import { DbError } from "../common/errors.ts";
import type { IsolationLevel as Isolation } from "../txn/mod.ts";
import { resolveType } from "../sql/plan/sql_types.ts";
import type { ExtensionStatement, ParsedStatement } from "../sql/parser_port.ts";
import type { SqlSession } from "./session.ts";
import type { StatementResult } from "./session_api.ts";
import { result } from "./statement_context.ts";

/**
 * SHOW name: the setting's value as a one-row result.
 * @throws {DbError} 42704 unknown setting
 */
export function runShow(
  s: SqlSession,
  stmt: Extract<Statement, { type: "show" }>,
): StatementResult {
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

/** SET name = value | TO DEFAULT. */
export function runSet(s: SqlSession, stmt: Extract<Statement, { type: "set" }>): StatementResult {
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

/**
 * SET as the extension parser reads it; SET TRANSACTION ISOLATION LEVEL sets
 * the isolation of the block (or of the next one).
 * @throws {DbError} 25001 when the transaction already ran a query
 */
export function runSetExtension(
  s: SqlSession,
  ext: Extract<ExtensionStatement, { kind: "set" }>,
): StatementResult {
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
}

/**
 * PREPARE name [(types)] AS statement.
 * @throws {DbError} 42P05 when the name is taken
 */
export function runPrepare(
  s: SqlSession,
  stmt: Extract<Statement, { type: "prepare" }>,
  st: ParsedStatement,
): StatementResult {
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

/**
 * DEALLOCATE name | ALL.
 * @throws {DbError} 26000 unknown statement
 */
export function runDeallocate(
  s: SqlSession,
  stmt: Extract<Statement, { type: "deallocate" }>,
): StatementResult {
  if ("option" in stmt.target) s.named.clear();
  else if (!s.named.delete(stmt.target.name)) {
    throw new DbError("26000", `prepared statement "${stmt.target.name}" does not exist`);
  }
  return result("DEALLOCATE");
}

/** LISTEN, UNLISTEN and NOTIFY (queued until commit inside a block). */
export function runListenNotify(
  s: SqlSession,
  ext: Extract<ExtensionStatement, { kind: "listen" | "unlisten" | "notify" }>,
): StatementResult {
  switch (ext.kind) {
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
  }
}
