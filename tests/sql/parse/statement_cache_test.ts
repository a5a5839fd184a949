import { deepStrictEqual as assertEquals, strictEqual, throws } from "node:assert/strict";
import { bindParams, StatementCache } from "../../../src/sql/parse/statement_cache.ts";
import { parseSql } from "../../../src/sql/parse/parse_sql.ts";
import { DbError } from "../../../src/common/errors.ts";
import { statementCacheEntriesMax } from "../../../src/common/limits.ts";

const POINT = "SELECT abalance FROM pgbench_accounts WHERE aid = 12345";

Deno.test("StatementCache.lookup() parses a new shape once and hits afterwards without parsing", () => {
  const cache = new StatementCache();
  const first = cache.lookup(POINT)[0]!;
  strictEqual(first.hit, false);
  assertEquals(first.params, [12345]);
  assertEquals(cache.stats, { hits: 0, misses: 1, parses: 1 });
  const second = cache.lookup("select abalance  from pgbench_accounts where aid = 777")[0]!;
  strictEqual(second.hit, true);
  strictEqual(second.entry, first.entry);
  assertEquals(second.params, [777]);
  assertEquals(cache.stats, { hits: 1, misses: 1, parses: 1 });
});

Deno.test("StatementCache entry matches parsing the statement with parameters in place", () => {
  const cache = new StatementCache();
  const { entry } = cache.lookup(POINT)[0]!;
  assertEquals(entry.ast, parseSql("SELECT abalance FROM pgbench_accounts WHERE aid = $1")[0]!.ast);
  assertEquals(entry.literalTypes.map((t) => t.id), ["int4"]);
  strictEqual(entry.firstLiteralParam, 1);
});

Deno.test("StatementCache keeps a plan slot on the entry", () => {
  const cache = new StatementCache();
  cache.lookup(POINT)[0]!.entry.plan = "planned";
  strictEqual(cache.lookup(POINT.replace("12345", "1"))[0]!.entry.plan, "planned");
});

Deno.test("bindParams() puts client parameters before extracted literals", () => {
  const cache = new StatementCache();
  const [l] = cache.lookup("SELECT * FROM t WHERE a = $1 AND b = 'lit' AND c = 4");
  assertEquals(l!.entry.text, "select * from t where a = $1 and b = $2 and c = $3");
  assertEquals(bindParams(l!, [true]), [true, "lit", 4]);
  assertEquals(bindParams(l!), [null, "lit", 4]);
});

Deno.test("StatementCache is bounded and evicts the least recently used shape", () => {
  const cache = new StatementCache(4);
  for (let i = 0; i < 10; i++) cache.lookup(`SELECT c${i} FROM t WHERE k = ${i}`);
  strictEqual(cache.size, 4);
  strictEqual(cache.lookup("SELECT c9 FROM t WHERE k = 0")[0]!.hit, true);
  strictEqual(cache.lookup("SELECT c0 FROM t WHERE k = 0")[0]!.hit, false);
  throws(() => new StatementCache(statementCacheEntriesMax + 1));
});

Deno.test("StatementCache looks up each statement of a multi-statement string", () => {
  const cache = new StatementCache();
  const results = cache.lookup("BEGIN; UPDATE t SET a = 1 WHERE id = 2; COMMIT");
  assertEquals(results.map((r) => r.text), ["BEGIN", "UPDATE t SET a = 1 WHERE id = 2", "COMMIT"]);
  assertEquals(results.map((r) => r.start), [0, 7, 40]);
  assertEquals(results[1]!.params, [1, 2]);
});

Deno.test("StatementCache keeps literals the grammar needs in place and still hits", () => {
  const cache = new StatementCache();
  const first = cache.lookup("SELECT a FROM t WHERE b ->> 'k' = 'v'")[0]!;
  strictEqual(first.entry.text, "select a from t where b ->> 'k' = $1");
  const again = cache.lookup("SELECT a FROM t WHERE b ->> 'k' = 'w'")[0]!;
  assertEquals([again.hit, again.params], [true, ["w"]]);
  strictEqual(cache.lookup("SELECT a FROM t WHERE b ->> 'j' = 'w'")[0]!.hit, false);
});

Deno.test("StatementCache reports syntax errors at PostgreSQL's position in the original text", () => {
  const cache = new StatementCache();
  throws(
    () => cache.lookup("SELECT 1; SELECT a FROM t WHERE 'x' = 1 ORDER"),
    (e: unknown) =>
      e instanceof DbError && e.sqlstate === "42601" && e.position === 46 &&
      e.message === "syntax error at end of input",
  );
  throws(
    () => cache.lookup("SELECT * FROM t WHERE a = 1 GROUP 5"),
    (e: unknown) =>
      e instanceof DbError && e.message === 'syntax error at or near "5"' && e.position === 35,
  );
});
