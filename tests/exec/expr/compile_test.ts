import assert from "node:assert/strict";
import { DbError } from "../../../src/common/errors.ts";
import { type SqlType, type, type Value } from "../../../src/common/types.ts";
import { exprDepthMax } from "../../../src/common/limits.ts";
import {
  compileAssignment,
  compileCondition,
  compileExpr,
  type ExprScope,
  isAggregateCall,
} from "../../../src/exec/expr/mod.ts";
import { context, evaluate, exprOf, row, scope } from "./_harness.ts";

function code(fn: () => unknown): string {
  try {
    fn();
    return "";
  } catch (e) {
    assert.ok(e instanceof DbError, String(e));
    return e.sqlstate;
  }
}

Deno.test("compileExpr() infers unknown parameter types from context and records them", () => {
  const paramTypes: (SqlType | undefined)[] = [];
  const c = compileExpr(exprOf("a + $1 > $2 and t = $3"), scope, { paramTypes });
  assert.deepEqual(paramTypes.map((t) => t?.id), ["int4", "int4", "text"]);
  assert.equal(c.eval(row, context([1, 1, "hello"])), true);
  assert.equal(c.eval(row, context([1, 5, "hello"])), false);
  assert.equal(c.eval(row, context([null, 1, "hello"])), null);
});

Deno.test("compileExpr() uses declared parameter types and types leftovers as text", () => {
  const paramTypes: (SqlType | undefined)[] = [type("int8")];
  const c = compileExpr(exprOf("$1 * 2"), scope, { paramTypes });
  assert.equal(c.type.id, "int8");
  assert.equal(c.eval(row, context([21n])), 42n);
  const lone: (SqlType | undefined)[] = [];
  const d = compileExpr(exprOf("$1"), scope, { paramTypes: lone });
  assert.equal(d.type.id, "text");
  assert.equal(lone[0]?.id, "text");
});

Deno.test("unknown-typed parameters (lifted literals) convert at run time", () => {
  const paramTypes: (SqlType | undefined)[] = [type("unknown")];
  const c = compileExpr(exprOf("a + $1"), scope, { paramTypes });
  assert.equal(paramTypes[0]?.id, "unknown");
  assert.equal(c.type.id, "int4");
  assert.equal(c.eval(row, context(["41"])), 42);
  const d = compileExpr(exprOf("$1::date + 1"), scope, { paramTypes: [type("unknown")] });
  assert.equal(d.eval(row, context(["2024-01-31"])), 19754);
});

Deno.test("column references resolve through the scope and outer scopes", () => {
  const inner: ExprScope = {
    resolveColumn(table, name) {
      if (name === "x") return { index: 0, type: type("int4") };
      throw new DbError("42703", `column "${table ?? ""}.${name}" does not exist`);
    },
    outer: scope,
  };
  const c = compileExpr(exprOf("x + a"), inner, { paramTypes: [] });
  const ctx = { ...context(), outerRows: [[10, null, "outer"] as Value[]] };
  assert.equal(c.eval([5], ctx), 15);
  assert.equal(code(() => compileExpr(exprOf("nope"), inner, { paramTypes: [] })), "42703");
});

Deno.test("three-valued logic matches SQL", () => {
  const truth: [string, Value][] = [
    ["true and null", null],
    ["false and null", false],
    ["true or null", true],
    ["false or null", null],
    ["not null::bool", null],
    ["null::bool is true", false],
    ["null::bool is not true", true],
    ["null::int is null", true],
  ];
  for (const [sql, want] of truth) assert.equal(evaluate(sql)[0], want, sql);
});

Deno.test("subquery and aggregate hooks are called with the right kinds", () => {
  const kinds: string[] = [];
  const options = {
    paramTypes: [],
    compileSubquery: (_s: unknown, kind: string) => {
      kinds.push(kind);
      return {
        type: type("int4"),
        eval: () => (kind === "exists" ? true : kind === "scalar" ? 7 : [1, 2, 3]),
      };
    },
    aggregateRef: () => ({ type: type("int8"), eval: () => 99n }),
  };
  assert.equal(compileExpr(exprOf("(select 1) + 1"), scope, options).eval(row, context()), 8);
  assert.equal(compileExpr(exprOf("exists (select 1)"), scope, options).eval(row, context()), true);
  assert.equal(compileExpr(exprOf("a in (select 1)"), scope, options).eval(row, context()), true);
  assert.equal(
    compileExpr(exprOf("5 = any(select 1)"), scope, options).eval(row, context()),
    false,
  );
  assert.deepEqual(compileExpr(exprOf("array(select 1)"), scope, options).eval(row, context()), [
    1,
    2,
    3,
  ]);
  assert.deepEqual(kinds, ["scalar", "exists", "in", "in", "array"]);
  assert.equal(compileExpr(exprOf("count(*) + 1"), scope, options).eval(row, context()), 100n);
  assert.equal(code(() => compileExpr(exprOf("sum(a)"), scope, { paramTypes: [] })), "42803");
  assert.equal(code(() => compileExpr(exprOf("(select 1)"), scope, { paramTypes: [] })), "0A000");
  assert.equal(isAggregateCall(exprOf("count(*)")), true);
  assert.equal(isAggregateCall(exprOf("row_number() over ()")), true);
  assert.equal(isAggregateCall(exprOf("lower('x')")), false);
});

Deno.test("type errors carry PostgreSQL's SQLSTATEs", () => {
  assert.equal(code(() => evaluate("1 + 'a'::text")), "42883");
  assert.equal(code(() => evaluate("case when true then 1 else 'x'::text end")), "42804");
  assert.equal(code(() => evaluate("no_such_fn(1)")), "42883");
  assert.equal(code(() => evaluate("'x'::nosuchtype")), "42704");
  assert.equal(code(() => compileCondition(exprOf("a + 1"), scope, { paramTypes: [] })), "42804");
  assert.equal(code(() => evaluate("'{\"a\":1}'::json = '{}'::json")), "42883");
});

Deno.test("compileAssignment() applies assignment casts", () => {
  const c = compileAssignment(exprOf("3000000000"), type("int4"), scope, { paramTypes: [] });
  assert.equal(code(() => c.eval(row, context())), "22003");
  const d = compileAssignment(exprOf("2.5"), type("int4"), scope, { paramTypes: [] });
  assert.equal(d.eval(row, context()), 3);
  assert.equal(
    code(() => compileAssignment(exprOf("'x'::text"), type("int4"), scope, { paramTypes: [] })),
    "42804",
  );
});

Deno.test("internal functions from the SQL frontend are understood", () => {
  const cases: [string, Value][] = [
    ["pg_catalog.__is_distinct_from(1, null)", true],
    ["pg_catalog.__is_not_distinct_from(null::int, null)", true],
    ["pg_catalog.__similar_to('abc', 'a(b|x)c')", true],
    ["pg_catalog.__not_similar_to('abc', 'a%')", false],
    ["pg_catalog.__like('a_c', 'a!_c', '!')", true],
    ["pg_catalog.__between_symmetric(1, 2, 0)", true],
    ["pg_catalog.__vector_l2_distance('[0,0]', '[3,4]')", 5],
    ["pg_catalog.__vector_cosine_distance('[1,0]', '[0,1]')", 1],
    ["pg_catalog.__vector_negative_inner_product('[1,2]', '[3,4]')", -11],
    ["pg_catalog.__collate('b', 'C') > 'a'", true],
    ["pg_catalog.__op('#>>', '{\"a\":{\"b\":5}}'::jsonb, '{a,b}')", "5"],
  ];
  for (const [sql, want] of cases) assert.equal(evaluate(sql)[0], want, sql);
});

Deno.test("timestamptz arithmetic and output follow the session time zone", () => {
  const [v, t] = evaluate(
    "'2024-03-09 12:00'::timestamptz + interval '1 day'",
    [],
    [],
    "America/New_York",
  );
  assert.equal(t.id, "timestamptz");
  // Across the DST change the wall clock stays at 12:00: 23 hours later in UTC.
  assert.equal(v, 1710086400000000n);
});

Deno.test("expression nesting is bounded by exprDepthMax", () => {
  const deep = "(".repeat(exprDepthMax + 5) + "1" + ")".repeat(exprDepthMax + 5);
  const sql = Array.from({ length: exprDepthMax + 5 }, () => "1").join(" + ");
  void deep;
  assert.equal(code(() => evaluate(sql)), "54001");
});

Deno.test("a compiled condition gives the same answers over many rows", () => {
  const c = compileCondition(exprOf("a = 1 and t <> 'x'"), scope, { paramTypes: [] });
  const ctx = context();
  const rows: Value[][] = Array.from({ length: 1000 }, (_, i) => [i % 3, null, "v" + i]);
  // Speed is measured by the benchmarks, not here.
  let hits = 0;
  for (let k = 0; k < 20; k++) for (const r of rows) if (c.eval(r, ctx) === true) hits++;
  assert.equal(hits, 20 * 333);
});
