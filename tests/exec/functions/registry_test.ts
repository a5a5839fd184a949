import assert from "node:assert/strict";
import { DbError } from "../../../src/common/errors.ts";
import { arrayOf, type SqlType, type, type Value } from "../../../src/common/types.ts";
import { resolveFunction } from "../../../src/exec/functions/mod.ts";
import { compileExpr, type EvalContext } from "../../../src/exec/expr/mod.ts";
import { exprOf, row, scope } from "../expr/_harness.ts";

function ret(name: string, ...args: SqlType[]): string {
  return resolveFunction(name, args).ret.id;
}

Deno.test("resolveFunction() prefers exact matches, then PostgreSQL's preferred types", () => {
  assert.equal(ret("abs", type("int4")), "int4");
  assert.equal(ret("abs", type("numeric")), "numeric");
  assert.equal(ret("round", type("int4")), "float8");
  assert.equal(ret("round", type("numeric"), type("int4")), "numeric");
  assert.equal(ret("sqrt", type("int8")), "float8");
  assert.equal(ret("date_trunc", type("unknown"), type("date")), "timestamptz");
  assert.equal(ret("date_trunc", type("text"), type("timestamp")), "timestamp");
  assert.equal(ret("substring", type("text"), type("unknown")), "text");
  assert.equal(ret("array_append", arrayOf(type("int4")), type("int4")), "array");
  assert.throws(
    () => resolveFunction("lower", [type("int4")]),
    (e) => e instanceof DbError && e.sqlstate === "42883" && /lower\(integer\)/.test(e.message),
  );
});

function run(sql: string, session: Partial<EvalContext["session"]> = {}): Value {
  const c = compileExpr(exprOf(sql), scope, { paramTypes: [] });
  const ctx: EvalContext = {
    params: [],
    outerRows: [],
    session: { timeZone: "UTC", now: 1_706_702_400_000_000n, ...session },
  };
  return c.eval(row, ctx);
}

Deno.test("session-dependent functions read the EvalContext, not the clock", () => {
  assert.equal(run("now()"), 1_706_702_400_000_000n);
  assert.equal(run("now()", { transactionNow: 5n }), 5n);
  assert.equal(run("statement_timestamp()", { transactionNow: 5n }), 1_706_702_400_000_000n);
  assert.equal(run("clock_timestamp()", { clock: () => 42n }), 42n);
  assert.equal(run("random()", { random: () => 0.25 }), 0.25);
  assert.equal(run("current_date", { timeZone: "Pacific/Auckland" }), 19754);
  assert.equal(run("current_user", { user: "alice" }), "alice");
  const uuid = run("gen_random_uuid()", { random: () => 0.5 });
  assert.equal(uuid, "80808080-8080-4080-8080-808080808080");
  const r = run("random()") as number;
  assert.ok(r >= 0 && r < 1);
});

Deno.test("stable functions are not folded at compile time", () => {
  const c = compileExpr(exprOf("now() + interval '1 hour'"), scope, { paramTypes: [] });
  const at = (now: bigint): Value =>
    c.eval(row, { params: [], outerRows: [], session: { timeZone: "UTC", now } });
  assert.equal(at(0n), 3_600_000_000n);
  assert.equal(at(1n), 3_600_000_001n);
});
