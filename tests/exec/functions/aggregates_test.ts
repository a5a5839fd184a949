import assert from "node:assert/strict";
import { DbError } from "../../../src/common/errors.ts";
import { arrayOf, Jsonb, type SqlType, type, type Value } from "../../../src/common/types.ts";
import { createAggregate } from "../../../src/exec/functions/mod.ts";
import { formatValue } from "../../../src/common/value_text.ts";
import { numericFromString } from "../../../src/common/numeric.ts";

function run(name: string, types: SqlType[], rows: Value[][]): string {
  const agg = createAggregate(name, types);
  const state = agg.init();
  for (const r of rows) agg.step(state, r);
  const v = agg.final(state);
  return v === null ? "NULL" : `${formatValue(v, agg.resultType)}::${agg.resultType.id}`;
}

const int4 = type("int4");

Deno.test("count, sum and avg have PostgreSQL's result types", () => {
  const ints = [[1], [2], [null], [4]];
  assert.equal(run("count", [], ints), "4::int8");
  assert.equal(run("count", [int4], ints), "3::int8");
  assert.equal(run("sum", [int4], ints), "7::int8");
  assert.equal(
    run("sum", [type("int8")], [[9223372036854775807n], [1n]]),
    "9223372036854775808::numeric",
  );
  assert.equal(run("avg", [int4], [[1], [2]]), "1.5000000000000000::numeric");
  assert.equal(run("avg", [type("float8")], [[1], [2]]), "1.5::float8");
  const nums = [[numericFromString("1.10")], [numericFromString("2.205")]];
  assert.equal(run("sum", [type("numeric")], nums), "3.305::numeric");
  assert.equal(run("sum", [int4], []), "NULL");
  assert.equal(run("count", [int4], []), "0::int8");
});

Deno.test("min, max, bool_and, bool_or skip NULLs", () => {
  assert.equal(run("min", [type("text")], [["b"], [null], ["a"]]), "a::text");
  assert.equal(run("max", [int4], [[3], [7], [null]]), "7::int4");
  assert.equal(run("bool_and", [type("bool")], [[true], [null], [false]]), "f::bool");
  assert.equal(run("bool_or", [type("bool")], [[false], [null], [true]]), "t::bool");
  assert.equal(run("every", [type("bool")], [[true]]), "t::bool");
});

Deno.test("string_agg, array_agg and jsonb_agg build collections", () => {
  const text = type("text");
  assert.equal(run("string_agg", [text, text], [["a", ","], [null, ","], ["b", ";"]]), "a;b::text");
  assert.equal(run("array_agg", [int4], [[1], [null], [3]]), "{1,NULL,3}::array");
  const j = createAggregate("jsonb_agg", [int4]);
  const s = j.init();
  j.step(s, [1]);
  j.step(s, [null]);
  assert.equal(formatValue(j.final(s) as Jsonb, type("jsonb")), "[1, null]");
  assert.equal(
    run("jsonb_object_agg", [text, int4], [["b", 1], ["a", 2]]),
    '{"a": 2, "b": 1}::jsonb',
  );
  assert.deepEqual(createAggregate("array_agg", [arrayOf(int4)]).resultType, arrayOf(int4));
});

Deno.test("variance and stddev match PostgreSQL for floats", () => {
  const xs = [[2], [4], [4], [4], [5], [5], [7], [9]];
  assert.equal(run("stddev_pop", [type("float8")], xs), "2::float8");
  assert.equal(run("var_pop", [type("float8")], xs), "4::float8");
  assert.equal(run("var_samp", [type("float8")], [[1]]), "NULL");
});

Deno.test("unknown aggregates and argument types fail with 42883", () => {
  assert.throws(
    () => createAggregate("sum", [type("text")]),
    (e) => e instanceof DbError && e.sqlstate === "42883",
  );
  assert.throws(
    () => createAggregate("median", [int4]),
    (e) => e instanceof DbError && e.sqlstate === "42883",
  );
});
