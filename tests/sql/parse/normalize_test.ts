import { deepStrictEqual as assertEquals, notStrictEqual } from "node:assert/strict";
import { lex } from "../../../src/sql/parse/lexer.ts";
import {
  normalizeStatement,
  parseNumeric,
  splitStatements,
} from "../../../src/sql/parse/normalize.ts";
import { Numeric } from "../../../src/common/types.ts";

function norm(sql: string) {
  const slices = splitStatements(lex(sql));
  assertEquals(slices.length, 1);
  return normalizeStatement(sql, slices[0]!);
}
const text = (sql: string) => norm(sql).text;

Deno.test("splitStatements() splits at semicolons outside quotes, dollar quotes and comments", () => {
  const sql = `SELECT ';'; SELECT $$a;b$$; /* ; */ SELECT "x;y" -- ;\n;; SELECT E'\\';'`;
  const parts = splitStatements(lex(sql)).map((s) => sql.slice(s.start, s.end));
  assertEquals(parts, ["SELECT ';'", "SELECT $$a;b$$", `SELECT "x;y"`, "SELECT E'\\';'"]);
  assertEquals(splitStatements(lex(" ; -- nothing\n")), []);
});

Deno.test("normalizeStatement() folds case, collapses whitespace and drops comments", () => {
  assertEquals(text('SELECT  A,\n\t"B" /* c */ FROM   T'), 'select a, "B" from t');
  assertEquals(norm("select a from t").key, norm("SELECT   a  FROM t -- x").key);
});

Deno.test("normalizeStatement() extracts literals with PostgreSQL's constant types", () => {
  const n = norm(
    "SELECT * FROM t WHERE a = 5 AND b = 'x' AND c = 5000000000 AND d = 1.50 AND e = 99999999999999999999",
  );
  assertEquals(n.text, "select * from t where a = $1 and b = $2 and c = $3 and d = $4 and e = $5");
  assertEquals(n.literals.map((l) => l.type.id), ["int4", "unknown", "int8", "numeric", "numeric"]);
  assertEquals(n.literals.map((l) => l.value), [
    5,
    "x",
    5000000000n,
    new Numeric(150n, 2),
    new Numeric(99999999999999999999n, 0),
  ]);
  assertEquals(n.firstLiteralParam, 1);
});

Deno.test("normalizeStatement() folds a unary minus into the literal", () => {
  const n = norm("UPDATE a SET x = x + -4321, y = -2147483648 WHERE id = 7");
  assertEquals(n.text, "update a set x = x + $1, y = $2 where id = $3");
  assertEquals(n.literals.map((l) => [l.value, l.type.id]), [
    [-4321, "int4"],
    [-2147483648, "int4"],
    [7, "int4"],
  ]);
  assertEquals(text("SELECT a - 1 FROM t"), "select a - $1 from t");
});

Deno.test("normalizeStatement() keys differ when literal types differ", () => {
  notStrictEqual(norm("SELECT 1").key, norm("SELECT 10000000000").key);
  notStrictEqual(norm("SELECT 1").key, norm("SELECT '1'").key);
  assertEquals(norm("SELECT 1").key, norm("SELECT 2").key);
});

Deno.test("normalizeStatement() numbers literals after the statement's own parameters", () => {
  const n = norm("SELECT * FROM t WHERE a = $2 AND b = 'x' AND c = $1 LIMIT 10");
  assertEquals(n.text, "select * from t where a = $2 and b = $3 and c = $1 limit $4");
  assertEquals(n.firstLiteralParam, 3);
  assertEquals(n.literals.map((l) => l.value), ["x", 10]);
});

Deno.test("normalizeStatement() leaves literals whose meaning depends on staying literal", () => {
  assertEquals(
    text("SELECT a FROM t GROUP BY 1 ORDER BY 2 DESC, 1"),
    "select a from t group by 1 order by 2 desc, 1",
  );
  assertEquals(
    text("SELECT 'x'::varchar(10), CAST(a AS numeric(10,2)), a::int[3] FROM t"),
    "select $1::varchar(10), cast(a as numeric(10,2)), a::int[3] from t",
  );
  assertEquals(
    text("SELECT interval '1 day', date '2020-01-01', timestamp '2020-01-01 00:00'"),
    "select interval '1 day', date '2020-01-01', timestamp '2020-01-01 00:00'",
  );
  assertEquals(text("SELECT a->>'k', a->'j' FROM t"), "select a->>'k', a->'j' from t");
  assertEquals(
    text("SELECT true, null, B'101', X'ff', N'n' FROM t"),
    "select true, null, B'101', X'ff', N'n' from t",
  );
  assertEquals(
    text("SELECT * FROM t FETCH FIRST 5 ROWS ONLY"),
    "select * from t fetch first 5 rows only",
  );
  assertEquals(text("SELECT a LIKE 'x!%' ESCAPE '!' FROM t"), "select a like $1 escape '!' from t");
  assertEquals(text("SELECT ts AT TIME ZONE 'UTC' FROM t"), "select ts at time zone 'UTC' from t");
});

Deno.test("normalizeStatement() parameterizes IN lists, LIMIT, VALUES and subscripts", () => {
  assertEquals(
    text("SELECT a[1] FROM t WHERE b IN (1, 2, 3) ORDER BY a LIMIT 10 OFFSET 20"),
    "select a[$1] from t where b in ($2, $3, $4) order by a limit $5 offset $6",
  );
  assertEquals(
    text("INSERT INTO t VALUES (1, 'a'), (2, E'b\\n')"),
    "insert into t values ($1, $2), ($3, $4)",
  );
  assertEquals(norm("INSERT INTO t VALUES (1, E'b\\n')").literals[1]!.value, "b\n");
});

Deno.test("normalizeStatement() parameterizes only DML and SELECT", () => {
  assertEquals(text("SET work_mem = '64MB'"), "set work_mem = '64MB'");
  assertEquals(
    text("CREATE TABLE t (a varchar(10) DEFAULT 'x')"),
    "create table t (a varchar(10) default 'x')",
  );
  assertEquals(text("EXPLAIN SELECT 1"), "explain select 1");
  assertEquals(
    text("WITH x AS (SELECT 1) SELECT * FROM x"),
    "with x as (select $1) select * from x",
  );
});

Deno.test("normalizeStatement() can keep every literal in place", () => {
  const sql = "SELECT * FROM t WHERE a = 5";
  const n = normalizeStatement(sql, splitStatements(lex(sql))[0]!, false);
  assertEquals([n.text, n.literals.length], ["select * from t where a = 5", 0]);
});

Deno.test("parseNumeric() is exact", () => {
  assertEquals(parseNumeric("1.50"), new Numeric(150n, 2));
  assertEquals(parseNumeric("-1.5e3"), new Numeric(-1500n, 0));
  assertEquals(parseNumeric("12e-3"), new Numeric(12n, 3));
  assertEquals(parseNumeric(".5"), new Numeric(5n, 1));
});

Deno.test("normalizeStatement() leaves a minus before a cast or subscript out of the literal", () => {
  // `-1::int4` is `-(1::int4)`: folding the sign in would change the range check.
  assertEquals(text("SELECT -2147483648::int4"), "select -$1::int4");
  assertEquals(norm("SELECT -2147483648::int4").literals.map((l) => l.type.id), ["int8"]);
  assertEquals(text("SELECT -5, x - -3"), "select $1, x - $2");
});
