import assert from "node:assert/strict";
import { DbError } from "../../../src/common/errors.ts";
import { formatJsonData, type JsonObject, parseJsonData } from "../../../src/common/jsonb.ts";
import { parseJsonPath } from "../../../src/exec/functions/jsonpath_parse.ts";
import { evalJsonPath } from "../../../src/exec/functions/jsonpath_eval.ts";

function run(doc: string, path: string, vars = "{}"): string {
  const items = evalJsonPath(
    parseJsonPath(path),
    parseJsonData(doc),
    parseJsonData(vars) as JsonObject,
  );
  return items.map(formatJsonData).join(" | ");
}

function fails(doc: string, path: string, code: string, message?: string): void {
  assert.throws(
    () => run(doc, path),
    (e: unknown) =>
      e instanceof DbError && e.sqlstate === code &&
      (message === undefined || e.message === message),
  );
}

Deno.test("jsonpath parser: modes, accessors, filters and methods", () => {
  assert.equal(parseJsonPath("strict $.a").strict, true);
  assert.equal(parseJsonPath("lax $.a").strict, false);
  assert.equal(parseJsonPath("$.a").strict, false);
  const p = parseJsonPath('$.a[*] ? (@.b > 1 && @.c like_regex "^x" flag "i").size()');
  assert.equal(p.expr.kind, "path");
  assert.deepEqual(parseJsonPath("$").expr, { kind: "root" });
  assert.equal(parseJsonPath("$.a == 1").expr.kind, "compare");
  assert.equal(parseJsonPath("exists($.a)").expr.kind, "exists");
  assert.equal(parseJsonPath("($.a > 1) is unknown").expr.kind, "is_unknown");
});

Deno.test("jsonpath parser: syntax errors are 42601 as PostgreSQL words them", () => {
  const bad = (text: string, message: string) =>
    assert.throws(
      () => parseJsonPath(text),
      (e: unknown) => e instanceof DbError && e.sqlstate === "42601" && e.message === message,
    );
  bad("$.a +", "syntax error at end of jsonpath input");
  bad("$.a[", "syntax error at end of jsonpath input");
  bad("$ ]", 'syntax error at or near "]" of jsonpath input');
  bad("$.a.nosuch()", 'syntax error at or near "(" of jsonpath input');
});

Deno.test("member, wildcard and subscript accessors (lax)", () => {
  const doc = '{"a": [1, 2, {"b": 3}], "c": {"d": 4, "e": 5}}';
  assert.equal(run(doc, "$.a[*]"), '1 | 2 | {"b": 3}');
  assert.equal(run(doc, "$.a[0 to 1]"), "1 | 2");
  assert.equal(run(doc, "$.a[last].b"), "3");
  assert.equal(run(doc, "$.a[last - 1]"), "2");
  assert.equal(run(doc, "$.c.*"), "4 | 5");
  assert.equal(run(doc, "$.a.b"), "3");
  assert.equal(run(doc, "$.missing"), "");
  assert.equal(run(doc, "$.c[0].d"), "4");
  assert.equal(run(doc, "$.a[9]"), "");
  // Lax .b unwraps the array .** also visits: PostgreSQL finds b twice too.
  assert.equal(run(doc, "$.**.b"), "3 | 3");
  assert.equal(run(doc, "strict $.**.b"), "3");
  assert.equal(run('{"a": {"b": {"c": 1}}}', "$.**{2}"), '{"c": 1}');
});

Deno.test("strict mode raises structural errors", () => {
  fails('{"a": 1}', "strict $.b", "2203A", 'JSON object does not contain key "b"');
  fails("[1]", "strict $.a", "2203A", "jsonpath member accessor can only be applied to an object");
  fails("[1]", "strict $[3]", "22033", "jsonpath array subscript is out of bounds");
  fails('{"a": 1}', "strict $[0]", "22039");
  fails("1", "strict $.size()", "22039");
});

Deno.test("filters, predicates and variables", () => {
  const doc = '[{"n": "ann", "v": 1}, {"n": "bob", "v": 5}, {"n": "amy", "v": "x"}]';
  assert.equal(run(doc, "$[*] ? (@.v > $min).n", '{"min": 2}'), '"bob"');
  assert.equal(run(doc, '$[*] ? (@.n like_regex "^a").v'), '1 | "x"');
  assert.equal(run(doc, '$[*] ? (@.n starts with "b").n'), '"bob"');
  assert.equal(run(doc, "$[*] ? ((@.v > 0) is unknown).n"), '"amy"');
  // "x" == 1 is unknown, and so is its negation.
  assert.equal(run(doc, "$[*] ? (!(@.v == 1) && exists(@.n)).n"), '"bob"');
  assert.equal(run(doc, "$[*].v > 4"), "true");
  // 1 == "y" is unknown (no true pair): the comparison is unknown, JSON null.
  assert.equal(run(doc, '$[*].v == "y"'), "null");
  assert.equal(run(doc, '$[*].n == "bob"'), "true");
  assert.equal(run("[1]", "$[0] == null"), "false");
  assert.equal(run("[null]", "$[0] != 1"), "true");
  assert.equal(run('"a"', "$ > 1"), "null");
  fails("1", "$ == $nope", "42704", 'could not find jsonpath variable "nope"');
});

Deno.test("arithmetic and item methods", () => {
  assert.equal(run('{"a": 10}', "$.a / 4"), "2.5000000000000000");
  assert.equal(run('{"a": 10}', "-$.a + 2 * 3"), "-4");
  assert.equal(run('{"a": 10}', "$.a % 3"), "1");
  assert.equal(run("[1.5, -2.5]", "$.floor()"), "1 | -3");
  assert.equal(run("[1.5, -2.5]", "$.ceiling()"), "2 | -2");
  assert.equal(run("[1.5, -2.5]", "$.abs()"), "1.5 | 2.5");
  assert.equal(run('["1.25", 3]', "$.double()"), "1.25 | 3");
  assert.equal(
    run('[1, "a", null, [], {}]', "$[*].type()"),
    '"number" | "string" | "null" | "array" | "object"',
  );
  assert.equal(run("[[1, 2], 3]", "$[*].size()"), "2 | 1");
  assert.equal(run('{"b": 2, "a": 1}', "$.keyvalue().key"), '"a" | "b"');
  fails(
    '"x"',
    "$ + 1",
    "22038",
    "left operand of jsonpath operator + is not a single numeric value",
  );
  fails("1", "$ / 0", "22012");
  fails('"x"', "$.abs()", "22038");
  fails("true", "$.double()", "22038");
});
