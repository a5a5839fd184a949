import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { parseSql } from "../../../src/sql/parse/parse_sql.ts";
import { DbError } from "../../../src/common/errors.ts";

/** Reads a grammar node by path; a missing step yields undefined, which the assertions catch. */
function dig(node: unknown, ...path: (string | number)[]): unknown {
  let value = node;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
const ast = (sql: string, ...path: (string | number)[]) => dig(parseSql(sql)[0]!.ast, ...path);
const where = (cond: string, ...path: (string | number)[]) =>
  ast(`SELECT 1 FROM t WHERE ${cond}`, "where", ...path);
const ref = (name: string) => ({ type: "ref", name });
const str = (value: string) => ({ type: "string", value });
const nul = { type: "null" };
const param1 = { type: "parameter", name: "$1" };
const call = (name: string, ...args: unknown[]) => ({
  type: "call",
  function: { name, schema: "pg_catalog" },
  args,
});

Deno.test("ILIKE stays the grammar's ILIKE operator", () => {
  assertEquals(where("a ILIKE 'x%'"), {
    type: "binary",
    op: "ILIKE",
    left: ref("a"),
    right: str("x%"),
  });
  assertEquals(where("a NOT ILIKE 'x%'", "op"), "NOT ILIKE");
});

Deno.test("SIMILAR TO becomes __similar_to / __not_similar_to", () => {
  assertEquals(where("a SIMILAR TO 'x%'"), call("__similar_to", ref("a"), str("x%")));
  assertEquals(where("a NOT SIMILAR TO 'x%'"), call("__not_similar_to", ref("a"), str("x%")));
});

Deno.test("pgvector operators become distance calls", () => {
  assertEquals(
    ast("SELECT * FROM items ORDER BY embedding <-> '[1,2]' LIMIT 5", "orderBy", 0, "by"),
    call("__vector_l2_distance", ref("embedding"), str("[1,2]")),
  );
  assertEquals(where("e <=> $1 < 0.5", "left"), call("__vector_cosine_distance", ref("e"), param1));
  assertEquals(
    where("(e <#> $1) * -1 > 0", "left", "left"),
    call("__vector_negative_inner_product", ref("e"), param1),
  );
});

Deno.test("IS [NOT] DISTINCT FROM becomes a call", () => {
  assertEquals(where("a IS DISTINCT FROM b"), call("__is_distinct_from", ref("a"), ref("b")));
  assertEquals(where("a IS NOT DISTINCT FROM NULL"), call("__is_not_distinct_from", ref("a"), nul));
});

Deno.test("COLLATE wraps its operand in __collate", () => {
  assertEquals(where("c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default"), {
    type: "binary",
    op: "~",
    opSchema: "pg_catalog",
    left: { type: "ref", table: { name: "c" }, name: "relname" },
    right: call("__collate", str("^(t)$"), str("pg_catalog.default")),
  });
  const expr = ast(`SELECT lower(x)::text COLLATE "C" FROM t`, "columns", 0, "expr");
  assertEquals(dig(expr, "function", "name"), "__collate");
  assertEquals(dig(expr, "args", 1), str("C"));
});

Deno.test("NATURAL JOIN joins on __natural_join()", () => {
  assertEquals(ast("SELECT * FROM a NATURAL LEFT JOIN b AS x WHERE true", "from", 1), {
    type: "table",
    name: { name: "b", alias: "x" },
    join: { type: "LEFT JOIN", on: call("__natural_join") },
  });
  assertEquals(ast("SELECT * FROM a NATURAL JOIN (SELECT 1 AS k) s", "from", 1, "join"), {
    type: "INNER JOIN",
    on: call("__natural_join"),
  });
});

Deno.test("window frames become a __window_frame partition item", () => {
  const over = ast(
    "SELECT sum(x) OVER (PARTITION BY k ORDER BY y ROWS BETWEEN 2 PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE TIES) FROM t",
    "columns",
    0,
    "expr",
    "over",
  );
  assertEquals(dig(over, "partitionBy"), [
    ref("k"),
    call(
      "__window_frame",
      str("rows"),
      str("offset preceding"),
      { type: "integer", value: 2 },
      str("unbounded following"),
      nul,
      str("ties"),
    ),
  ]);
  assertEquals(dig(over, "orderBy"), [{ by: ref("y") }]);
  const short = ast(
    "SELECT sum(x) OVER (ORDER BY y RANGE UNBOUNDED PRECEDING) FROM t",
    "columns",
    0,
    "expr",
    "over",
    "partitionBy",
  );
  assertEquals(short, [
    call(
      "__window_frame",
      str("range"),
      str("unbounded preceding"),
      nul,
      str("current row"),
      nul,
      str("no others"),
    ),
  ]);
});

Deno.test("LIKE ... ESCAPE applies like_escape to the pattern", () => {
  assertEquals(where("a LIKE 'x!%' ESCAPE '!'"), {
    type: "binary",
    op: "LIKE",
    left: ref("a"),
    right: {
      type: "call",
      function: { name: "like_escape", schema: "pg_catalog" },
      args: [str("x!%"), str("!")],
    },
  });
});

Deno.test("DEFERRABLE constraints are annotated; REFERENCES without columns targets the primary key", () => {
  const constraint = ast(
    "ALTER TABLE c ADD CONSTRAINT c_fk FOREIGN KEY (p) REFERENCES parent DEFERRABLE INITIALLY DEFERRED",
    "changes",
    0,
    "constraint",
  );
  assertEquals(
    [
      dig(constraint, "foreignColumns"),
      dig(constraint, "deferrable"),
      dig(constraint, "initiallyDeferred"),
    ],
    [[], true, true],
  );
  const plain = ast(
    "ALTER TABLE c ADD CONSTRAINT k UNIQUE (a) NOT DEFERRABLE",
    "changes",
    0,
    "constraint",
  );
  assertEquals([dig(plain, "deferrable"), dig(plain, "initiallyDeferred")], [false, false]);
  throws(
    () => parseSql("ALTER TABLE c ADD FOREIGN KEY (p) REFERENCES parent DEFERRABLE"),
    (e: unknown) => e instanceof DbError && e.sqlstate === "0A000",
  );
});

Deno.test("CTE column lists rename through a derived table", () => {
  const bind = ast("WITH r (a, b) AS (SELECT 1, 2) SELECT a FROM r", "bind", 0);
  assertEquals(dig(bind, "alias"), { name: "r" });
  assertEquals(dig(bind, "statement", "from", 0, "alias"), "__thunder_cte");
  assertEquals(dig(bind, "statement", "from", 0, "columnNames"), [{ name: "a" }, { name: "b" }]);
});

Deno.test("every string form reaches the grammar with its decoded value", () => {
  const columns = ast("SELECT $$a'b$$, E'x\\ty', U&'\\0041', 'multi'\n'line'", "columns");
  const values = [0, 1, 2, 3].map((k) => dig(columns, k, "expr", "value"));
  assertEquals(values, ["a'b", "x\ty", "A", "multiline"]);
});

Deno.test("row locking clauses", () => {
  assertEquals(ast("SELECT * FROM t FOR UPDATE SKIP LOCKED", "for"), { type: "update" });
  assertEquals(ast("SELECT * FROM t FOR UPDATE SKIP LOCKED", "skip"), { type: "skip locked" });
  assertEquals(ast("SELECT * FROM t FOR SHARE NOWAIT", "skip"), { type: "nowait" });
  assertEquals(ast("SELECT * FROM t FOR NO KEY UPDATE", "for"), { type: "no key update" });
});

Deno.test("trim() special forms become btrim / ltrim / rtrim", () => {
  const fn = (name: string, ...args: unknown[]) => ({
    type: "call",
    function: { name, schema: "pg_catalog" },
    args,
  });
  assertEquals(
    ast("SELECT trim(both 'x' from s)", "columns", 0, "expr"),
    fn("btrim", ref("s"), str("x")),
  );
  assertEquals(ast("SELECT trim(leading from s)", "columns", 0, "expr"), fn("ltrim", ref("s")));
  assertEquals(
    ast("SELECT trim(trailing 'ab' from upper(s))", "columns", 0, "expr"),
    fn("rtrim", {
      type: "call",
      function: { name: "upper" },
      args: [ref("s")],
    }, str("ab")),
  );
  assertEquals(ast("SELECT trim(s)", "columns", 0, "expr"), {
    type: "call",
    function: { name: "trim" },
    args: [ref("s")],
  });
});

Deno.test("FOR UPDATE OF records the locked relations", () => {
  assertEquals(ast("SELECT * FROM a JOIN b ON a.id = b.id FOR UPDATE OF a, s.b NOWAIT", "for"), {
    type: "update",
    of: [{ name: "a" }, { name: "s.b" }],
  });
  throws(
    () => parseSql("SELECT * FROM (SELECT * FROM a FOR SHARE OF a) x"),
    (e: unknown) => e instanceof DbError && e.sqlstate === "0A000",
  );
});

Deno.test("array slices become __slice with NULL for an omitted bound", () => {
  const int = (value: number) => ({ type: "integer", value });
  assertEquals(
    ast("SELECT a[1:2] FROM t", "columns", 0, "expr"),
    call("__slice", ref("a"), int(1), int(2)),
  );
  assertEquals(
    ast("SELECT t.a[:2] FROM t", "columns", 0, "expr"),
    call(
      "__slice",
      {
        type: "ref",
        table: { name: "t" },
        name: "a",
      },
      nul,
      int(2),
    ),
  );
  assertEquals(
    ast("SELECT f(x)[2:] FROM t", "columns", 0, "expr"),
    call("__slice", { type: "call", function: { name: "f" }, args: [ref("x")] }, int(2), nul),
  );
  assertEquals(ast("SELECT a[1] FROM t", "columns", 0, "expr", "type"), "arrayIndex");
});

Deno.test("SIMILAR TO ... ESCAPE passes the escape as a third argument", () => {
  assertEquals(
    where("a SIMILAR TO 'x#%' ESCAPE '#'"),
    call("__similar_to", ref("a"), str("x#%"), str("#")),
  );
});

Deno.test("IS [NOT] UNKNOWN reads as IS [NOT] NULL", () => {
  assertEquals(where("a IS UNKNOWN"), { type: "unary", op: "IS NULL", operand: ref("a") });
  assertEquals(where("a IS NOT UNKNOWN"), { type: "unary", op: "IS NOT NULL", operand: ref("a") });
});

Deno.test("COLLATE after a parenthesized operand does not swallow the keyword before it", () => {
  assertEquals(where("(a) COLLATE \"C\" = 'x'", "left"), call("__collate", ref("a"), str("C")));
});

Deno.test("jsonb #> and #>> become __jsonb_path / __jsonb_path_text", () => {
  assertEquals(where("a #> '{x}'"), call("__jsonb_path", ref("a"), str("{x}")));
  assertEquals(where("a #>> '{x}'"), call("__jsonb_path_text", ref("a"), str("{x}")));
});

Deno.test("prefix ~ |/ ||/ @ become calls spanning arithmetic, not other operators", () => {
  assertEquals(where("~a"), call("__bitnot", ref("a")));
  // ~ 5 & 3 is (~5) & 3; @ 2 - 3 is @(2 - 3), as in PostgreSQL's grammar.
  assertEquals(where("~a & b", "left"), call("__bitnot", ref("a")));
  assertEquals(
    where("@ a - b"),
    call("abs", { type: "binary", op: "-", left: ref("a"), right: ref("b") }),
  );
  assertEquals(where("||/ a"), call("cbrt", ref("a")));
  assertEquals(where("|/ a", "function"), { name: "sqrt", schema: "pg_catalog" });
  // A binary ~ is the regular expression match.
  assertEquals(where("a ~ b", "op"), "~");
});

Deno.test("a number with an exponent reaches the grammar written out", () => {
  const col = (sql: string) => ast(`SELECT ${sql}`, "columns", 0, "expr");
  assertEquals(col("1e3"), {
    type: "cast",
    operand: { type: "integer", value: 1000 },
    to: { name: "numeric" },
  });
  assertEquals(col("1.5e-3"), { type: "numeric", value: 0.0015 });
});

Deno.test("field selection (x).f becomes __field(x, 'f'); (t).* becomes t.*", () => {
  assertEquals(
    ast("SELECT (t).a FROM t", "columns", 0, "expr"),
    call("__field", ref("t"), str("a")),
  );
  assertEquals(
    ast("SELECT ((1, 2)).f2", "columns", 0, "expr", "function", "name"),
    "__field",
  );
  assertEquals(ast("SELECT (t).* FROM t", "columns", 0, "expr"), {
    type: "ref",
    table: { name: "t" },
    name: "*",
  });
  // A call's argument list followed by a dot is left to the grammar's error.
  throws(() => parseSql("SELECT f(x).a FROM t"));
});

Deno.test("WITHIN GROUP before FILTER reaches the grammar with FILTER first", () => {
  const c = ast(
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x DESC) FILTER (WHERE x > 1) FROM t",
    "columns",
    0,
    "expr",
  );
  assertEquals(dig(c, "withinGroup", "by"), ref("x"));
  assertEquals(dig(c, "withinGroup", "order"), "DESC");
  assertEquals(dig(c, "filter", "type"), "binary");
});

Deno.test("FETCH FIRST n ROWS WITH TIES wraps the count in __with_ties", () => {
  assertEquals(
    ast("SELECT x FROM t ORDER BY x FETCH FIRST 3 ROWS WITH TIES", "limit", "limit"),
    call("__with_ties", { type: "integer", value: 3 }),
  );
  assertEquals(
    ast("SELECT x FROM t ORDER BY x OFFSET 1 FETCH NEXT ROW WITH TIES", "limit", "limit"),
    call("__with_ties", { type: "integer", value: 1 }),
  );
  assertEquals(
    ast("SELECT x FROM t ORDER BY x FETCH FIRST 2 ROWS ONLY", "limit", "limit"),
    { type: "integer", value: 2 },
  );
});

Deno.test("TABLESAMPLE becomes a subquery filtered by __tablesample under the table's alias", () => {
  const from = ast("SELECT * FROM s.t AS x TABLESAMPLE BERNOULLI (10) REPEATABLE (3)", "from", 0);
  assertEquals(dig(from, "type"), "statement");
  assertEquals(dig(from, "alias"), "x");
  assertEquals(dig(from, "statement", "where", "function", "name"), "__tablesample");
  assertEquals(dig(from, "statement", "where", "args", 0), str("bernoulli"));
  assertEquals(dig(from, "statement", "where", "args", 2), { type: "boolean", value: true });
  assertEquals(dig(from, "statement", "where", "args", 4), ref("t"));
  const bare = ast("SELECT * FROM t TABLESAMPLE SYSTEM (50)", "from", 0);
  assertEquals(dig(bare, "alias"), "t");
  assertEquals(dig(bare, "statement", "where", "args", 3), nul);
});
