/**
 * Seeded fuzz test: random token soups and mutated corpus statements must
 * either parse or fail with a `DbError` (never a TypeError or RangeError), in
 * both `parseSql` and the statement cache. A failure prints the seed and input.
 * @module
 */

import { DbError } from "../../../src/common/errors.ts";
import { parseSql, StatementCache } from "../../../src/sql/parse/mod.ts";
import { prng } from "../../_support/prng.ts";

const VOCABULARY = [
  "SELECT",
  "FROM",
  "WHERE",
  "t",
  "a",
  "b",
  "(",
  ")",
  ",",
  ";",
  "1",
  "2.5",
  "'x'",
  "$1",
  "=",
  "<->",
  "AND",
  "OR",
  "NOT",
  "IS",
  "DISTINCT",
  "NATURAL",
  "JOIN",
  "ON",
  "COLLATE",
  '"C"',
  "OVER",
  "ROWS",
  "BETWEEN",
  "PRECEDING",
  "FOLLOWING",
  "CURRENT",
  "ROW",
  "UNBOUNDED",
  "SIMILAR",
  "TO",
  "ESCAPE",
  "LIKE",
  "UNION",
  "INTERSECT",
  "EXCEPT",
  "ALL",
  "ORDER",
  "BY",
  "LIMIT",
  "DELETE",
  "USING",
  "RETURNING",
  "INSERT",
  "INTO",
  "VALUES",
  "UPDATE",
  "SET",
  "COPY",
  "STDIN",
  "WITH",
  "FORMAT",
  "csv",
  "EXPLAIN",
  "ANALYZE",
  "GRANT",
  "REVOKE",
  "TO",
  "CREATE",
  "TABLE",
  "USER",
  "ROLE",
  "PASSWORD",
  "REFERENCES",
  "DEFERRABLE",
  "INITIALLY",
  "DEFERRED",
  "CONSTRAINT",
  "trim",
  "both",
  "FOR",
  "UPDATE",
  "OF",
  "::",
  "int",
  "varchar",
  "(10)",
  "[",
  "]",
  "-",
  "*",
  "AS",
  "BEGIN",
  "SAVEPOINT",
  "ROLLBACK",
  "PREPARE",
  "EXECUTE",
  "NOTIFY",
  "LISTEN",
  "VACUUM",
  "SHOW",
  "RESET",
  ":",
  "UNKNOWN",
  "E'\\n'",
  "$$d$$",
  "--c\n",
  "/* c */",
];

const SEEDS = [1, 7, 42, 1234];

function check(sql: string, seed: number, cache: StatementCache): void {
  for (const run of [() => parseSql(sql), () => cache.lookup(sql)]) {
    try {
      run();
    } catch (e) {
      // Only typed database errors may escape; anything else is a bug to report with its input.
      if (!(e instanceof DbError)) {
        throw new Error(`seed ${seed}: ${String(e)} for input ${JSON.stringify(sql)}`);
      }
    }
  }
}

Deno.test("random token sequences parse or fail with DbError", () => {
  for (const seed of SEEDS) {
    const next = prng(seed);
    const cache = new StatementCache(64);
    for (let n = 0; n < 150; n++) {
      const length = 1 + Math.floor(next() * 14);
      const words = Array.from(
        { length },
        () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]!,
      );
      check(words.join(" "), seed, cache);
    }
  }
});

Deno.test("truncated statements parse or fail with DbError", () => {
  const statements = [
    "SELECT sum(x) OVER (PARTITION BY k ORDER BY y ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM t",
    "DELETE FROM a USING b WHERE a.id = b.id RETURNING a.*",
    "COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ',')",
    "GRANT SELECT (a) ON TABLE t TO alice WITH GRANT OPTION",
    "SELECT 1 UNION (SELECT 2 INTERSECT SELECT 3) ORDER BY 1 LIMIT 2",
    "ALTER TABLE c ADD CONSTRAINT k FOREIGN KEY (p) REFERENCES q DEFERRABLE INITIALLY DEFERRED",
    "SELECT trim(both 'x' from s), a COLLATE \"C\" FROM t NATURAL JOIN u FOR UPDATE OF t",
    "CREATE FOREIGN TABLE f (a int OPTIONS (column_name 'b')) SERVER s OPTIONS (table_name 't')",
    "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL a.b TO 'x', 2; SHOW TIME ZONE",
    "IMPORT FOREIGN SCHEMA r LIMIT TO (a, b) FROM SERVER s INTO l OPTIONS (x 'y')",
    "CREATE USER u WITH PASSWORD 'p' CONNECTION LIMIT 3 IN ROLE a, b VALID UNTIL 'x'",
    "EXPLAIN (ANALYZE, FORMAT JSON) PREPARE p (int, text) AS SELECT $1 WHERE $2 SIMILAR TO 'a'",
    "VACUUM (VERBOSE, ANALYZE) s.t (a, b), u; NOTIFY c, 'p'; DEALLOCATE PREPARE ALL",
    "COPY (SELECT 1) TO STDOUT WITH CSV HEADER FORCE QUOTE *; EXECUTE p(1, 'a')",
    "CREATE TABLE t (a int) WITH (fillfactor = 70); DROP MATERIALIZED VIEW IF EXISTS v CASCADE",
    "WITH r (a, b) AS (SELECT 1, 2) SELECT a FROM r WHERE b LIKE 'x!%' ESCAPE '!'",
  ];
  const cache = new StatementCache(64);
  for (const sql of statements) {
    for (let cut = 1; cut < sql.length; cut++) check(sql.slice(0, cut), 0, cache);
  }
});
