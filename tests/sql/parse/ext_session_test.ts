import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { parseSql } from "../../../src/sql/parse/parse_sql.ts";
import { DbError } from "../../../src/common/errors.ts";

const ast = (sql: string) => parseSql(sql)[0]!.ast;

Deno.test("transaction statements carry their modes", () => {
  assertEquals(ast("BEGIN"), { kind: "ext.begin" });
  assertEquals(ast("BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE"), {
    kind: "ext.begin",
    isolationLevel: "serializable",
    readOnly: true,
    deferrable: true,
  });
  assertEquals(ast("START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ WRITE"), {
    kind: "ext.begin",
    isolationLevel: "repeatable read",
    readOnly: false,
  });
  assertEquals(ast("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"), {
    kind: "ext.set_transaction",
    session: false,
    isolationLevel: "read committed",
  });
  assertEquals(ast("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"), {
    kind: "ext.set_transaction",
    session: true,
    readOnly: true,
  });
  assertEquals(ast("END WORK"), { kind: "ext.commit", chain: false });
  assertEquals(ast("COMMIT AND CHAIN"), { kind: "ext.commit", chain: true });
  assertEquals(ast("ABORT"), { kind: "ext.rollback", chain: false });
  assertEquals(ast("ROLLBACK AND NO CHAIN"), { kind: "ext.rollback", chain: false });
});

Deno.test("savepoint statements", () => {
  assertEquals(ast("SAVEPOINT sp1"), { kind: "ext.savepoint", name: "sp1" });
  assertEquals(ast("RELEASE SAVEPOINT sp1"), { kind: "ext.release_savepoint", name: "sp1" });
  assertEquals(ast('RELEASE "Sp"'), { kind: "ext.release_savepoint", name: "Sp" });
  assertEquals(ast("ROLLBACK TO SAVEPOINT sp1"), {
    kind: "ext.rollback_to_savepoint",
    name: "sp1",
  });
  assertEquals(ast("ROLLBACK WORK TO sp1"), { kind: "ext.rollback_to_savepoint", name: "sp1" });
});

Deno.test("SET, SHOW and RESET in all forms", () => {
  assertEquals(ast("SET x TO 5"), { kind: "ext.set", name: "x", local: false, values: ["5"] });
  assertEquals(ast("SET SESSION x = 'a b'"), {
    kind: "ext.set",
    name: "x",
    local: false,
    values: ["a b"],
  });
  assertEquals(ast("SET LOCAL hnsw.ef_search = 40"), {
    kind: "ext.set",
    name: "hnsw.ef_search",
    local: true,
    values: ["40"],
  });
  assertEquals(ast(`SET search_path TO "$user", Public`), {
    kind: "ext.set",
    name: "search_path",
    local: false,
    values: ["$user", "public"],
  });
  assertEquals(ast("SET x = -1.5"), { kind: "ext.set", name: "x", local: false, values: ["-1.5"] });
  assertEquals(ast("SET work_mem TO DEFAULT"), {
    kind: "ext.set",
    name: "work_mem",
    local: false,
    values: null,
  });
  assertEquals(ast("SET TIME ZONE 'UTC'"), {
    kind: "ext.set",
    name: "timezone",
    local: false,
    values: ["UTC"],
  });
  assertEquals(ast("SET TIME ZONE LOCAL"), {
    kind: "ext.set",
    name: "timezone",
    local: false,
    values: null,
  });
  assertEquals(ast("SET NAMES 'UTF8'"), {
    kind: "ext.set",
    name: "client_encoding",
    local: false,
    values: ["UTF8"],
  });
  assertEquals(ast("SET ROLE admin"), {
    kind: "ext.set",
    name: "role",
    local: false,
    values: ["admin"],
  });
  assertEquals(ast("SHOW search_path"), { kind: "ext.show", name: "search_path" });
  assertEquals(ast("SHOW ALL"), { kind: "ext.show", name: "all" });
  assertEquals(ast("SHOW TRANSACTION ISOLATION LEVEL"), {
    kind: "ext.show",
    name: "transaction_isolation",
  });
  assertEquals(ast("RESET x"), { kind: "ext.reset", name: "x" });
  assertEquals(ast("RESET ALL"), { kind: "ext.reset", name: "all" });
});

Deno.test("DISCARD, LISTEN, NOTIFY, UNLISTEN, DEALLOCATE", () => {
  assertEquals(ast("DISCARD ALL"), { kind: "ext.discard", target: "all" });
  assertEquals(ast("DISCARD TEMPORARY"), { kind: "ext.discard", target: "temp" });
  assertEquals(ast("LISTEN Jobs"), { kind: "ext.listen", channel: "jobs" });
  assertEquals(ast(`NOTIFY "Jobs", 'it''s done'`), {
    kind: "ext.notify",
    channel: "Jobs",
    payload: "it's done",
  });
  assertEquals(ast("NOTIFY jobs"), { kind: "ext.notify", channel: "jobs", payload: null });
  assertEquals(ast("UNLISTEN jobs"), { kind: "ext.unlisten", channel: "jobs" });
  assertEquals(ast("UNLISTEN *"), { kind: "ext.unlisten", channel: null });
  assertEquals(ast("DEALLOCATE p1"), { kind: "ext.deallocate", name: "p1" });
  assertEquals(ast("DEALLOCATE PREPARE ALL"), { kind: "ext.deallocate", name: null });
});

Deno.test("bad session statements are 42601 errors at the offending token", () => {
  const at = (sql: string, message: string, position: number) =>
    throws(
      () => parseSql(sql),
      (e: unknown) =>
        e instanceof DbError && e.sqlstate === "42601" && e.message === message &&
        e.position === position,
    );
  at("SAVEPOINT", "syntax error at end of input", 10);
  at("BEGIN ISOLATION LEVEL SOMETIMES", 'syntax error at or near "SOMETIMES"', 23);
  at("DISCARD EVERYTHING", 'syntax error at or near "EVERYTHING"', 9);
  at("SET x 5", 'syntax error at or near "5"', 7);
  at("SELECT 1; SHOW a b", 'syntax error at or near "b"', 18);
});

Deno.test("SET CONSTRAINTS, LOCK and CHECKPOINT", () => {
  assertEquals(ast("SET CONSTRAINTS ALL DEFERRED"), {
    kind: "ext.set_constraints",
    names: null,
    deferred: true,
  });
  assertEquals(ast("SET CONSTRAINTS a, s.b IMMEDIATE"), {
    kind: "ext.set_constraints",
    names: [{ name: "a" }, { schema: "s", name: "b" }],
    deferred: false,
  });
  assertEquals(ast("LOCK TABLE t, ONLY u IN SHARE ROW EXCLUSIVE MODE NOWAIT"), {
    kind: "ext.lock",
    tables: [{ name: "t" }, { name: "u" }],
    mode: "share row exclusive",
    nowait: true,
  });
  assertEquals(ast("LOCK t"), {
    kind: "ext.lock",
    tables: [{ name: "t" }],
    mode: "access exclusive",
    nowait: false,
  });
  assertEquals(ast("CHECKPOINT"), { kind: "ext.checkpoint" });
});
