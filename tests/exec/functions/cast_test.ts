import assert from "node:assert/strict";
import { DbError } from "../../../src/common/errors.ts";
import {
  arrayOf,
  Numeric,
  type SqlType,
  type TypeId,
  type Value,
} from "../../../src/common/types.ts";
import { type } from "../../../src/common/types.ts";
import { castValue, findCast } from "../../../src/exec/functions/cast.ts";
import { charTypmod } from "../../../src/common/value_text.ts";
import { numericFromString, numericToString, numericTypmod } from "../../../src/common/numeric.ts";

const t = (id: TypeId, typmod?: number): SqlType => type(id, typmod);

function code(fn: () => unknown): string {
  try {
    fn();
    return "";
  } catch (e) {
    assert.ok(e instanceof DbError, String(e));
    return e.sqlstate;
  }
}

Deno.test("implicit casts follow pg_cast: widening only", () => {
  assert.ok(findCast(t("int2"), t("int4"), "implicit"));
  assert.ok(findCast(t("int4"), t("int8"), "implicit"));
  assert.ok(findCast(t("int8"), t("numeric"), "implicit"));
  assert.ok(findCast(t("numeric"), t("float8"), "implicit"));
  assert.ok(findCast(t("text"), t("varchar"), "implicit"));
  assert.ok(findCast(t("date"), t("timestamptz"), "implicit"));
  assert.equal(findCast(t("int8"), t("int4"), "implicit"), undefined);
  assert.equal(findCast(t("float8"), t("numeric"), "implicit"), undefined);
  assert.equal(findCast(t("text"), t("int4"), "implicit"), undefined);
  assert.equal(findCast(t("int4"), t("text"), "implicit"), undefined);
  assert.ok(findCast(t("int4"), t("text"), "assignment"));
  assert.equal(findCast(t("text"), t("int4"), "assignment"), undefined);
  assert.ok(findCast(t("text"), t("int4"), "explicit"));
});

Deno.test("assignment casts check ranges and round like PostgreSQL", () => {
  assert.equal(castValue(5n, t("int8"), t("int4"), "assignment"), 5);
  assert.equal(code(() => castValue(3000000000n, t("int8"), t("int4"), "assignment")), "22003");
  assert.throws(() => castValue(40000, t("int4"), t("int2"), "assignment"), {
    message: "smallint out of range",
  });
  assert.equal(castValue(numericFromString("2.5"), t("numeric"), t("int4"), "assignment"), 3);
  assert.equal(castValue(numericFromString("-2.5"), t("numeric"), t("int4"), "assignment"), -3);
  // float → int uses rint(): ties go to the even neighbour.
  assert.equal(castValue(2.5, t("float8"), t("int4"), "assignment"), 2);
  assert.equal(castValue(3.5, t("float8"), t("int4"), "assignment"), 4);
  assert.equal(castValue(-2.5, t("float8"), t("int4"), "assignment"), -2);
  assert.equal(code(() => castValue(NaN, t("float8"), t("int4"), "assignment")), "22003");
  assert.equal(
    code(() => castValue(new Numeric(0n, 0, true), t("numeric"), t("int8"), "assignment")),
    "22003",
  );
  assert.equal(
    code(() => castValue("abcd", t("text"), t("varchar", charTypmod(3)), "assignment")),
    "22001",
  );
  assert.equal(castValue("abcd", t("text"), t("varchar", charTypmod(3)), "explicit"), "abc");
  assert.equal(code(() => castValue("x", t("text"), t("int4"), "assignment")), "42804");
});

Deno.test("explicit casts go through text I/O", () => {
  assert.equal(castValue("42", t("text"), t("int4")), 42);
  assert.equal(castValue(42, t("int4"), t("text")), "42");
  assert.equal(castValue(true, t("bool"), t("text")), "true");
  assert.equal(castValue(1, t("int4"), t("bool")), true);
  assert.equal(castValue(false, t("bool"), t("int4")), 0);
  assert.equal(castValue(1.5, t("float8"), t("text")), "1.5");
  assert.equal(castValue("{1,2}", t("text"), arrayOf(t("int4"))) instanceof Array, true);
  assert.deepEqual(castValue([1, null], arrayOf(t("int4")), arrayOf(t("text"))), ["1", null]);
  assert.equal(code(() => castValue("x", t("text"), t("int4"))), "22P02");
  assert.equal(code(() => castValue(new Uint8Array(1), t("bytea"), t("int4"))), "42846");
});

Deno.test("numeric casts apply typmods and float digits", () => {
  const n = castValue(0.1, t("float8"), t("numeric")) as Numeric;
  assert.equal(numericToString(n), "0.1");
  const r = castValue(
    numericFromString("123.456"),
    t("numeric"),
    t("numeric", numericTypmod(5, 1)),
  ) as Numeric;
  assert.equal(numericToString(r), "123.5");
  assert.equal(code(() => castValue(1e300, t("float8"), t("float4"))), "22003");
});

Deno.test("date/time casts use the session zone", () => {
  const day = 19753; // 2024-01-31
  const midnight = BigInt(day) * 86_400_000_000n;
  assert.equal(castValue(day, t("date"), t("timestamp")), midnight);
  assert.equal(
    castValue(day, t("date"), t("timestamptz"), "implicit", "Asia/Tokyo"),
    midnight - 9n * 3_600_000_000n,
  );
  assert.equal(
    castValue(midnight, t("timestamptz"), t("date"), "assignment", "America/New_York"),
    day - 1,
  );
  const jsonb = castValue('{"a": 1}', t("json"), t("jsonb"), "assignment");
  assert.equal(castValue(jsonb, t("jsonb"), t("json"), "assignment"), '{"a": 1}');
  assert.equal(
    code(() => castValue(castValue('"x"', t("text"), t("jsonb")), t("jsonb"), t("int4"))),
    "22023",
  );
  assert.equal(castValue(castValue("12", t("text"), t("jsonb")), t("jsonb"), t("int4")), 12);
});

Deno.test("vectors cast from numeric arrays", () => {
  const v = castValue([1, 2, 3] as Value[], arrayOf(t("int4")), t("vector"), "assignment");
  assert.deepEqual(Array.from(v as Float32Array), [1, 2, 3]);
  assert.equal(
    code(() => castValue([1, 2] as Value[], arrayOf(t("int4")), t("vector", 3), "assignment")),
    "22000",
  );
});
