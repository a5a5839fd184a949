/**
 * Regression tests for engine bugs found by end-to-end client tests:
 * parameter types carry no typmod (numeric(p,s) parameters keep their digits),
 * a Parse error inside a transaction block fails the block, and the regtype
 * and regproc type names resolve.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";
import { numericToString } from "../../src/common/numeric.ts";
import { Numeric } from "../../src/common/types.ts";

Deno.test("prepare: numeric(p,s) and varchar(n) parameters are described without typmod", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await s.execute("CREATE TABLE t (n numeric(20,6), v varchar(10))");
    const p = await s.prepare("INSERT INTO t VALUES ($1, $2)");
    assert.deepEqual(p.paramTypes, [{ id: "numeric" }, { id: "varchar" }]);
    const c = await s.open(p, ["-1234.5678", "abcdefgh"]);
    await c.fetch(0);
    c.close();
    const [r] = await s.execute("SELECT n, v FROM t");
    const n = r?.rows[0]?.[0];
    assert.ok(n instanceof Numeric);
    assert.equal(numericToString(n), "-1234.567800");
    assert.equal(r?.rows[0]?.[1], "abcdefgh");
  } finally {
    await s.close();
    await engine.close();
  }
});

Deno.test("prepare: an error at Parse inside a block fails the block (25P02)", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await s.execute("BEGIN");
    await assert.rejects(
      s.prepare("SELECT * FROM missing_t WHERE 1 = $1"),
      (e: unknown) => (e as { sqlstate?: string }).sqlstate === "42P01",
    );
    assert.equal(s.txStatus, "E");
    await assert.rejects(
      s.execute("SELECT 1"),
      (e: unknown) => (e as { sqlstate?: string }).sqlstate === "25P02",
    );
    await s.execute("ROLLBACK");
    assert.equal(s.txStatus, "I");
    // Outside a block a Parse error leaves the session usable.
    await assert.rejects(s.prepare("SELECT * FROM missing_t"));
    assert.equal(s.txStatus, "I");
    const [r] = await s.execute("SELECT 1");
    assert.equal(r?.rows.length, 1);
  } finally {
    await s.close();
    await engine.close();
  }
});

Deno.test("type names regtype and regproc resolve in casts", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    const [r] = await s.execute("SELECT 'int4'::regtype AS t, 'now'::regproc AS p");
    assert.deepEqual(r?.fields?.map((f) => f.type.id), ["regtype", "regproc"]);
    assert.equal(r?.rows.length, 1);
  } finally {
    await s.close();
    await engine.close();
  }
});
