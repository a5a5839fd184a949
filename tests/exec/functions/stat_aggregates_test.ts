import assert from "node:assert/strict";
import { type, type Value } from "../../../src/common/types.ts";
import { createAggregate } from "../../../src/exec/functions/mod.ts";

const f8 = type("float8");

function run(name: string, rows: Value[][]): Value {
  const agg = createAggregate(name, [f8, f8]);
  const state = agg.init();
  for (const r of rows) agg.step(state, r);
  return agg.final(state);
}

// y = 2x + 1 exactly, plus pairs with a NULL (skipped).
const line: Value[][] = [[3, 1], [5, 2], [7, 3], [null, 4], [9, null], [9, 4]];

Deno.test("regression aggregates fit a straight line and skip NULL pairs", () => {
  assert.equal(run("regr_count", line), 4n);
  assert.equal(run("regr_slope", line), 2);
  assert.equal(run("regr_intercept", line), 1);
  assert.equal(run("regr_r2", line), 1);
  assert.equal(run("corr", line), 1);
  assert.equal(run("regr_avgx", line), 2.5);
  assert.equal(run("regr_avgy", line), 6);
  assert.equal(run("regr_sxx", line), 5);
  assert.equal(run("regr_syy", line), 20);
  assert.equal(run("regr_sxy", line), 10);
  assert.equal(run("covar_pop", line), 2.5);
  assert.equal(run("covar_samp", line), 10 / 3);
});

Deno.test("degenerate inputs give NULL as PostgreSQL does", () => {
  assert.equal(run("corr", []), null);
  assert.equal(run("regr_count", []), 0n);
  assert.equal(run("covar_samp", [[1, 1]]), null);
  assert.equal(run("covar_pop", [[1, 1]]), 0);
  // Constant x: no slope; constant y: r2 is 1.
  assert.equal(run("regr_slope", [[1, 2], [3, 2]]), null);
  assert.equal(run("regr_r2", [[2, 1], [2, 3]]), 1);
  assert.equal(run("corr", [[2, 1], [2, 3]]), null);
});

Deno.test("statistical aggregates reject non-numeric arguments", () => {
  assert.throws(() => createAggregate("corr", [type("text"), type("text")]), /does not exist/);
});
