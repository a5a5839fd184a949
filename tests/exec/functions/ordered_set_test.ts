import assert from "node:assert/strict";
import { DbError } from "../../../src/common/errors.ts";
import { Interval, type, type Value } from "../../../src/common/types.ts";
import { formatTypeName } from "../../../src/common/value_text.ts";
import {
  hypothetical,
  modeOf,
  orderedSetTypes,
  percentile,
} from "../../../src/exec/functions/ordered_set.ts";

const cmp = (a: Value, b: Value) =>
  a === null ? (b === null ? 0 : 1) : b === null ? -1 : Number(a) - Number(b);

Deno.test("percentile_cont interpolates between neighbours; percentile_disc picks a row", () => {
  const xs = [1, 2, 3, 4];
  assert.equal(percentile("cont", xs, 0.5), 2.5);
  assert.equal(percentile("cont", xs, 0), 1);
  assert.equal(percentile("cont", xs, 1), 4);
  assert.equal(percentile("disc", xs, 0.5), 2);
  assert.equal(percentile("disc", xs, 0), 1);
  assert.equal(percentile("disc", xs, 0.51), 3);
  assert.deepEqual(percentile("cont", xs, [0.25, null, 0.75]), [1.75, null, 3.25]);
  assert.equal(percentile("cont", [], 0.5), null);
  assert.equal(percentile("cont", xs, null), null);
});

Deno.test("percentile_cont over intervals interpolates the interval", () => {
  const lo = new Interval(0, 1, 0n);
  const hi = new Interval(0, 2, 0n);
  const mid = percentile("cont", [lo, hi], 0.5) as Interval;
  assert.equal(mid.days, 1);
  assert.equal(mid.micros, 12n * 3600n * 1000000n);
});

Deno.test("a fraction outside [0, 1] is 22003", () => {
  assert.throws(
    () => percentile("cont", [1], 1.5),
    (e: unknown) =>
      e instanceof DbError && e.sqlstate === "22003" &&
      e.message === "percentile value 1.5 is not between 0 and 1",
  );
});

Deno.test("mode takes the most frequent value, the first in sort order on ties", () => {
  const eq = (a: Value, b: Value) => a === b;
  assert.equal(modeOf([1, 2, 2, 3, 3], eq), 2);
  assert.equal(modeOf([1, 3, 3, 3], eq), 3);
  assert.equal(modeOf([], eq), null);
});

Deno.test("hypothetical-set aggregates place the value among the sorted rows", () => {
  const xs = [1, 2, 2, 4];
  assert.equal(hypothetical("rank", xs, 3, cmp), 4n);
  assert.equal(hypothetical("rank", xs, 2, cmp), 2n);
  assert.equal(hypothetical("dense_rank", xs, 3, cmp), 3n);
  assert.equal(hypothetical("percent_rank", xs, 2, cmp), 0.25);
  assert.equal(hypothetical("cume_dist", xs, 2, cmp), 4 / 5);
  assert.equal(hypothetical("rank", [], 2, cmp), 1n);
  assert.equal(hypothetical("percent_rank", [], 2, cmp), 0);
});

Deno.test("ordered-set types follow PostgreSQL's signatures", () => {
  const t = orderedSetTypes("percentile_cont", [type("numeric")], type("int4"));
  assert.equal(formatTypeName(t.result), "double precision");
  assert.equal(
    formatTypeName(orderedSetTypes("percentile_cont", [type("numeric")], type("interval")).result),
    "interval",
  );
  assert.equal(
    formatTypeName(orderedSetTypes("percentile_disc", [type("float8")], type("text")).result),
    "text",
  );
  assert.equal(orderedSetTypes("rank", [type("int4")], type("int4")).result.id, "int8");
  assert.throws(
    () => orderedSetTypes("percentile_cont", [type("numeric")], type("text")),
    (e: unknown) =>
      e instanceof DbError && e.sqlstate === "42883" &&
      e.message === "function percentile_cont(numeric, text) does not exist",
  );
});
