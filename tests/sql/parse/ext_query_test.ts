import { deepStrictEqual as assertEquals, strictEqual } from "node:assert/strict";
import { parseSql } from "../../../src/sql/parse/parse_sql.ts";

const ast = (sql: string) => parseSql(sql)[0]!.ast;
const select1 = { type: "select", columns: [{ expr: { type: "integer", value: 1 } }] };
const selectN = (n: number) => ({
  type: "select",
  columns: [{ expr: { type: "integer", value: n } }],
});

Deno.test("COPY with WITH (options)", () => {
  assertEquals(
    ast(
      `COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ',', NULL '', QUOTE '"', FORCE_NOT_NULL (a))`,
    ),
    {
      kind: "ext.copy",
      table: { name: "t" },
      columns: ["a", "b"],
      query: null,
      direction: "from",
      target: { kind: "stdin" },
      options: [
        { name: "format", value: "csv" },
        { name: "header", value: "true" },
        { name: "delimiter", value: "," },
        { name: "null", value: "" },
        { name: "quote", value: '"' },
        { name: "force_not_null", value: "a" },
      ],
      where: null,
    },
  );
  const freeze = ast("copy pgbench_accounts from stdin with (freeze on)") as { options: unknown };
  assertEquals(freeze.options, [{ name: "freeze", value: "true" }]);
});

Deno.test("COPY in the old option syntax", () => {
  assertEquals((ast("COPY t FROM stdin CSV HEADER") as { options: unknown }).options, [
    { name: "format", value: "csv" },
    { name: "header", value: "true" },
  ]);
  assertEquals(
    (ast("COPY t TO STDOUT WITH DELIMITER AS '|' NULL AS 'x' CSV FORCE QUOTE a, b") as {
      options: unknown;
    }).options,
    [
      { name: "delimiter", value: "|" },
      { name: "null", value: "x" },
      { name: "format", value: "csv" },
      { name: "force_quote", value: "a,b" },
    ],
  );
  assertEquals(ast("COPY BINARY t FROM '/x'") as { options: unknown; target: unknown }, {
    kind: "ext.copy",
    table: { name: "t" },
    columns: null,
    query: null,
    direction: "from",
    target: { kind: "file", path: "/x" },
    options: [{ name: "format", value: "binary" }],
    where: null,
  });
});

Deno.test("COPY (query) TO STDOUT and COPY ... WHERE", () => {
  const q = ast("COPY (SELECT 1) TO STDOUT") as {
    query: unknown;
    table: unknown;
    direction: string;
  };
  assertEquals([q.query, q.table, q.direction], [select1, null, "to"]);
  const w = ast("COPY t FROM STDIN WHERE a > 1") as { where: unknown };
  assertEquals(w.where, {
    type: "binary",
    op: ">",
    left: { type: "ref", name: "a" },
    right: { type: "integer", value: 1 },
  });
});

Deno.test("EXPLAIN wraps any statement, extensions included", () => {
  assertEquals(ast("EXPLAIN SELECT 1"), {
    kind: "ext.explain",
    analyze: false,
    verbose: false,
    options: [],
    statement: select1,
  });
  assertEquals(ast("EXPLAIN ANALYZE VERBOSE SELECT 1"), {
    kind: "ext.explain",
    analyze: true,
    verbose: true,
    options: [{ name: "analyze", value: null }, { name: "verbose", value: null }],
    statement: select1,
  });
  const e = ast(
    "EXPLAIN (ANALYZE false, COSTS OFF, FORMAT JSON) DELETE FROM a USING b WHERE a.x = b.x",
  ) as {
    analyze: boolean;
    options: unknown;
    statement: { kind: string };
  };
  assertEquals([e.analyze, e.options, e.statement.kind], [
    false,
    [{ name: "analyze", value: "false" }, { name: "costs", value: "off" }, {
      name: "format",
      value: "json",
    }],
    "ext.delete_using",
  ]);
});

Deno.test("PREPARE and EXECUTE", () => {
  assertEquals(ast("PREPARE q (int, varchar(10)) AS SELECT 1"), {
    kind: "ext.prepare",
    name: "q",
    paramTypes: [{ name: "int" }, { name: "varchar", config: [10] }],
    statement: select1,
  });
  assertEquals(ast("PREPARE q AS SAVEPOINT x"), {
    kind: "ext.prepare",
    name: "q",
    paramTypes: [],
    statement: { kind: "ext.savepoint", name: "x" },
  });
  assertEquals(ast("EXECUTE q(1, 'a')"), {
    kind: "ext.execute",
    name: "q",
    args: [{ type: "integer", value: 1 }, { type: "string", value: "a" }],
  });
  assertEquals(ast("EXECUTE q"), { kind: "ext.execute", name: "q", args: [] });
});

Deno.test("set operations follow PostgreSQL precedence and apply ORDER BY / LIMIT to the whole", () => {
  const node = (op: string, all: boolean, left: unknown, right: unknown) => ({
    kind: "ext.set_operation",
    op,
    all,
    left,
    right,
    orderBy: null,
    limit: null,
  });
  assertEquals(
    ast("SELECT 1 UNION SELECT 2 INTERSECT SELECT 3"),
    node("union", false, selectN(1), node("intersect", false, selectN(2), selectN(3))),
  );
  assertEquals(
    ast("SELECT 1 EXCEPT ALL SELECT 2 UNION SELECT 3"),
    node("union", false, node("except", true, selectN(1), selectN(2)), selectN(3)),
  );
  assertEquals(ast("(SELECT 1 UNION SELECT 2) INTERSECT SELECT 3 ORDER BY 1 DESC LIMIT 5"), {
    ...node("intersect", false, node("union", false, selectN(1), selectN(2)), selectN(3)),
    orderBy: [{ by: { type: "integer", value: 1 }, order: "DESC" }],
    limit: { limit: { type: "integer", value: 5 } },
  });
});

Deno.test("DELETE ... USING ... RETURNING", () => {
  assertEquals(
    ast(
      "DELETE FROM orders o USING customers c WHERE o.cid = c.id AND c.name ILIKE 'x%' RETURNING o.id, c.name",
    ),
    {
      kind: "ext.delete_using",
      table: { name: "orders", alias: "o" },
      using: [{ type: "table", name: { name: "customers", alias: "c" } }],
      where: {
        type: "binary",
        op: "AND",
        left: {
          type: "binary",
          op: "=",
          left: { type: "ref", table: { name: "o" }, name: "cid" },
          right: { type: "ref", table: { name: "c" }, name: "id" },
        },
        right: {
          type: "binary",
          op: "ILIKE",
          left: { type: "ref", table: { name: "c" }, name: "name" },
          right: { type: "string", value: "x%" },
        },
      },
      returning: [{ expr: { type: "ref", table: { name: "o" }, name: "id" } }, {
        expr: { type: "ref", table: { name: "c" }, name: "name" },
      }],
    },
  );
  const plain = ast("DELETE FROM a USING b") as { where: unknown; returning: unknown };
  assertEquals([plain.where, plain.returning], [null, null]);
});

Deno.test("CREATE TABLE ... WITH (storage options) strips and records them", () => {
  const s = ast(
    "CREATE TABLE t (a int PRIMARY KEY) WITH (fillfactor=100, autovacuum_enabled = false)",
  ) as {
    kind: string;
    table: { type: string; columns: unknown[] };
    storageOptions: unknown;
  };
  assertEquals([s.kind, s.table.type, s.table.columns.length], [
    "ext.create_table",
    "create table",
    1,
  ]);
  assertEquals(s.storageOptions, [{ name: "fillfactor", value: "100" }, {
    name: "autovacuum_enabled",
    value: "false",
  }]);
  strictEqual((ast("CREATE TABLE t (a int)") as { type: string }).type, "create table");
});

Deno.test("CREATE TABLE ... ON COMMIT and CREATE TABLE ... AS", () => {
  const temp = ast("CREATE TEMP TABLE x (a int) ON COMMIT DROP") as {
    kind: string;
    onCommit: string;
  };
  assertEquals([temp.kind, temp.onCommit], ["ext.create_table", "drop"]);
  const ctas =
    "CREATE UNLOGGED TABLE IF NOT EXISTS s.c (x, y) WITH (fillfactor = 50) AS SELECT 1 WITH NO DATA";
  assertEquals(
    ast(ctas),
    {
      kind: "ext.create_table_as",
      name: { schema: "s", name: "c" },
      ifNotExists: true,
      temporary: false,
      unlogged: true,
      columns: ["x", "y"],
      storageOptions: [{ name: "fillfactor", value: "50" }],
      onCommit: null,
      query: select1,
      queryStart: ctas.indexOf("SELECT 1"),
      withData: false,
    },
  );
  const plain = ast("CREATE TABLE t2 AS SELECT 1") as {
    kind: string;
    withData: boolean;
    columns: unknown;
  };
  assertEquals([plain.kind, plain.withData, plain.columns], ["ext.create_table_as", true, null]);
});
