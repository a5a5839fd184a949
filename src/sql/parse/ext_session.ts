/**
 * Extension rules for session and transaction statements: BEGIN / START
 * TRANSACTION, COMMIT / END / ROLLBACK / ABORT, SAVEPOINT / RELEASE /
 * ROLLBACK TO, SET [TRANSACTION], SHOW, RESET, DISCARD, LISTEN / UNLISTEN /
 * NOTIFY, DEALLOCATE, SET CONSTRAINTS, LOCK and CHECKPOINT. Each rule reads the whole statement from a cursor.
 * @module
 */

import type { Cursor } from "./_cursor.ts";
import type {
  ExtCheckpoint,
  ExtDeallocate,
  ExtDiscard,
  ExtEndTransaction,
  ExtListen,
  ExtLock,
  ExtNotify,
  ExtReset,
  ExtSavepoint,
  ExtSet,
  ExtSetConstraints,
  ExtShow,
  ExtStatement,
  ExtTransactionModes,
  ExtUnlisten,
} from "./ext_ast.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Reads `ISOLATION LEVEL ... | READ WRITE | READ ONLY | [NOT] DEFERRABLE`, comma-separated. */
function transactionModes(c: Cursor): ExtTransactionModes {
  const modes: Mutable<ExtTransactionModes> = {};
  while (!c.atEnd) {
    if (c.accept("isolation", "level")) {
      if (c.accept("serializable")) modes.isolationLevel = "serializable";
      else if (c.accept("repeatable", "read")) modes.isolationLevel = "repeatable read";
      else if (c.accept("read", "committed")) modes.isolationLevel = "read committed";
      else if (c.accept("read", "uncommitted")) modes.isolationLevel = "read uncommitted";
      else throw c.error();
    } else if (c.accept("read", "write")) modes.readOnly = false;
    else if (c.accept("read", "only")) modes.readOnly = true;
    else if (c.accept("not", "deferrable")) modes.deferrable = false;
    else if (c.accept("deferrable")) modes.deferrable = true;
    else throw c.error();
    c.acceptPunct(",");
  }
  return modes;
}

function chain(c: Cursor): boolean {
  c.accept("work") || c.accept("transaction");
  if (c.accept("and", "chain")) return true;
  c.accept("and", "no", "chain");
  return false;
}

/** BEGIN | START TRANSACTION | COMMIT | END | ROLLBACK | ABORT | SAVEPOINT | RELEASE. */
export function parseTransaction(c: Cursor): ExtStatement {
  const word = c.next().value;
  switch (word) {
    case "begin":
    case "start": {
      if (word === "start") c.expect("transaction");
      else c.accept("work") || c.accept("transaction");
      const modes = transactionModes(c);
      return { kind: "ext.begin", ...modes };
    }
    case "commit":
    case "end": {
      const s: ExtEndTransaction = { kind: "ext.commit", chain: chain(c) };
      c.expectEnd();
      return s;
    }
    case "rollback":
    case "abort": {
      c.accept("work") || c.accept("transaction");
      if (word === "rollback" && c.accept("to")) {
        c.accept("savepoint");
        return savepoint(c, "ext.rollback_to_savepoint");
      }
      const s: ExtEndTransaction = { kind: "ext.rollback", chain: chain(c) };
      c.expectEnd();
      return s;
    }
    case "savepoint":
      return savepoint(c, "ext.savepoint");
    case "release":
      c.accept("savepoint");
      return savepoint(c, "ext.release_savepoint");
    default:
      throw c.error(c.tokens[0]);
  }
}

function savepoint(c: Cursor, kind: ExtSavepoint["kind"]): ExtSavepoint {
  const name = c.name();
  c.expectEnd();
  return { kind, name };
}

/** A dotted configuration parameter name. */
function paramName(c: Cursor): string {
  let name = c.name();
  while (c.acceptPunct(".")) name += "." + c.name();
  return name;
}

/** SET [SESSION|LOCAL] ... including SET TRANSACTION and the special forms. */
export function parseSet(c: Cursor): ExtStatement {
  c.expect("set");
  if (c.accept("constraints")) return setConstraints(c);
  if (c.accept("session", "characteristics", "as", "transaction")) {
    return { kind: "ext.set_transaction", session: true, ...transactionModes(c) };
  }
  let local = false;
  if (c.accept("local")) local = true;
  else c.accept("session");
  if (c.accept("transaction")) {
    return { kind: "ext.set_transaction", session: false, ...transactionModes(c) };
  }
  const set = (name: string, values: string[] | null): ExtSet => {
    c.expectEnd();
    return { kind: "ext.set", name, local, values };
  };
  if (c.accept("time", "zone")) {
    if (c.accept("local") || c.accept("default")) return set("timezone", null);
    if (c.accept("interval")) return set("timezone", [c.string()]);
    return set("timezone", [c.value()]);
  }
  if (c.accept("names")) return set("client_encoding", c.atEnd ? null : [c.value()]);
  if (c.accept("schema")) return set("search_path", [c.string()]);
  if (c.accept("role")) return set("role", [c.value()]);
  if (c.accept("session", "authorization")) {
    return set("session_authorization", c.accept("default") ? null : [c.value()]);
  }
  const name = paramName(c);
  if (!c.accept("to") && !c.acceptPunct("=")) throw c.error();
  if (c.accept("default")) return set(name, null);
  const values = [c.value()];
  while (c.acceptPunct(",")) values.push(c.value());
  return set(name, values);
}

/** SHOW name | ALL | TIME ZONE | TRANSACTION ISOLATION LEVEL | SESSION AUTHORIZATION. */
export function parseShow(c: Cursor): ExtShow {
  c.expect("show");
  let name: string;
  if (c.accept("time", "zone")) name = "timezone";
  else if (c.accept("transaction", "isolation", "level")) name = "transaction_isolation";
  else if (c.accept("session", "authorization")) name = "session_authorization";
  else name = paramName(c);
  c.expectEnd();
  return { kind: "ext.show", name };
}

/** RESET name | ALL | TIME ZONE | SESSION AUTHORIZATION | ROLE. */
export function parseReset(c: Cursor): ExtReset {
  c.expect("reset");
  let name: string;
  if (c.accept("time", "zone")) name = "timezone";
  else if (c.accept("session", "authorization")) name = "session_authorization";
  else name = paramName(c);
  c.expectEnd();
  return { kind: "ext.reset", name };
}

/** DISCARD ALL | PLANS | SEQUENCES | TEMP | TEMPORARY. */
export function parseDiscard(c: Cursor): ExtDiscard {
  c.expect("discard");
  const w = c.next();
  const target = w.value === "temporary" ? "temp" : w.value;
  if (target !== "all" && target !== "plans" && target !== "sequences" && target !== "temp") {
    throw c.error(w);
  }
  c.expectEnd();
  return { kind: "ext.discard", target };
}

/** LISTEN ch | UNLISTEN ch | * | NOTIFY ch [, 'payload']. */
export function parseListen(c: Cursor): ExtListen | ExtUnlisten | ExtNotify {
  const word = c.next().value;
  let s: ExtListen | ExtUnlisten | ExtNotify;
  if (word === "listen") s = { kind: "ext.listen", channel: c.name() };
  else if (word === "unlisten") {
    s = { kind: "ext.unlisten", channel: c.acceptPunct("*") ? null : c.name() };
  } else {
    const channel = c.name();
    s = { kind: "ext.notify", channel, payload: c.acceptPunct(",") ? c.string() : null };
  }
  c.expectEnd();
  return s;
}

/** DEALLOCATE [PREPARE] name | ALL. */
export function parseDeallocate(c: Cursor): ExtDeallocate {
  c.expect("deallocate");
  c.accept("prepare");
  const s: ExtDeallocate = { kind: "ext.deallocate", name: c.accept("all") ? null : c.name() };
  c.expectEnd();
  return s;
}

function setConstraints(c: Cursor): ExtSetConstraints {
  let names: ExtSetConstraints["names"] = null;
  if (!c.accept("all")) {
    const list = [c.qname()];
    while (c.acceptPunct(",")) list.push(c.qname());
    names = list;
  }
  const deferred = c.accept("deferred");
  if (!deferred) c.expect("immediate");
  c.expectEnd();
  return { kind: "ext.set_constraints", names, deferred };
}

const LOCK_MODES = [
  ["access", "share"],
  ["row", "share"],
  ["row", "exclusive"],
  ["share", "update", "exclusive"],
  ["share", "row", "exclusive"],
  ["share"],
  ["exclusive"],
  ["access", "exclusive"],
];

/** LOCK [TABLE] [ONLY] name [*], ... [IN mode MODE] [NOWAIT]. */
export function parseLock(c: Cursor): ExtLock {
  c.expect("lock");
  c.accept("table");
  const tables = [];
  do {
    c.accept("only");
    tables.push(c.qname());
    c.acceptPunct("*");
  } while (c.acceptPunct(","));
  let mode = "access exclusive";
  if (c.accept("in")) {
    const words = LOCK_MODES.find((ws) =>
      ws.every((w, k) => c.isWord(w, k)) && c.isWord("mode", ws.length)
    );
    if (words === undefined) throw c.error();
    c.accept(...words, "mode");
    mode = words.join(" ");
  }
  const nowait = c.accept("nowait");
  c.expectEnd();
  return { kind: "ext.lock", tables, mode, nowait };
}

/** CHECKPOINT. */
export function parseCheckpoint(c: Cursor): ExtCheckpoint {
  c.expect("checkpoint");
  c.expectEnd();
  return { kind: "ext.checkpoint" };
}
