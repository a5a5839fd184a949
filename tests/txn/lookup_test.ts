import assert from "node:assert/strict";
import { type } from "../../src/common/types.ts";
import type { RelationDef, Txn } from "../../src/txn/mod.ts";
import { createTable, type Env, inTxn, openEnv } from "./_env.ts";

function owners(env: Env): RelationDef {
  return createTable(env, "owners", [["id", type("int4")], ["owner", type("text")], [
    "balance",
    type("int8"),
  ]], [
    { name: "owners_pkey", columns: [0], unique: true },
    { name: "owners_owner_idx", columns: [1, 2] },
  ]);
}

/** What an index range cursor returns for `key`, sorted by row id. */
function viaCursor(env: Env, txn: Txn, rel: RelationDef, indexNo: number, key: unknown[]) {
  const b = env.tables.indexScan(txn, rel, indexNo, { lower: key as never, upper: key as never })
    .all();
  return b.rowIds.map((id, i) => [id, b.rows[i]]).sort((x, y) => Number(x[0]) - Number(y[0]));
}

function viaLookup(
  env: Env,
  txn: Txn,
  rel: RelationDef,
  indexNo: number,
  key: unknown[],
  batchRows?: number,
) {
  const b = env.tables.lookupAll(
    txn,
    rel,
    indexNo,
    key as never,
    batchRows === undefined ? {} : { batchRows },
  );
  return b.rowIds.map((id, i) => [id, b.rows[i]]).sort((x, y) => Number(x[0]) - Number(y[0]));
}

Deno.test("Tables.lookupAll() returns what an index range scan returns, past the fast path's limits", async () => {
  const env = await openEnv();
  const rel = owners(env);
  await inTxn(env, async (t) => {
    // 150 versions under "ann" (more than one point-lookup view reads), and keys sharing its bytes.
    for (let i = 0; i < 150; i++) await env.tables.insertRow(t, rel, [i, "ann", BigInt(i % 7)]);
    await env.tables.insertRow(t, rel, [1000, "an", 1n]);
    await env.tables.insertRow(t, rel, [1001, "anna", 1n]);
    await env.tables.insertRow(t, rel, [1002, "bob", 2n]);
    await env.tables.insertRow(t, rel, [1003, null, 2n]);
  });
  // Old versions of updated rows stay in the indexes and must be filtered by visibility.
  await inTxn(env, async (t) => {
    const row = env.tables.lookup(t, rel, 0, [1002])!;
    await env.tables.updateRow(t, rel, row.rowId, (v) => [v[0]!, v[1]!, 9n]);
  });
  for (const isolation of ["read committed", "serializable"] as const) {
    await inTxn(env, (t) => {
      const keys: [number, unknown[]][] = [
        [0, [5]],
        [0, [1002]],
        [0, [4242]],
        [1, ["ann"]],
        [1, ["ann", 3n]],
        [1, ["an"]],
        [1, ["anna"]],
        [1, ["bob"]],
        [1, [null]],
        [1, ["zed"]],
      ];
      for (const [indexNo, key] of keys) {
        const expected = viaCursor(env, t, rel, indexNo, key);
        assert.deepStrictEqual(viaLookup(env, t, rel, indexNo, key), expected, `${key}`);
        assert.deepStrictEqual(viaLookup(env, t, rel, indexNo, key, 8), expected, `${key} by 8`);
      }
      assert.equal(viaLookup(env, t, rel, 1, ["ann"]).length, 150);
      assert.deepStrictEqual(viaLookup(env, t, rel, 0, [1002]).map((r) => r[1]), [[
        1002,
        "bob",
        9n,
      ]]);
      assert.deepStrictEqual(env.tables.lookup(t, rel, 0, [7])?.values, [7, "ann", 0n]);
      assert.equal(env.tables.lookup(t, rel, 0, [4242]), null);
    }, isolation);
  }
  // An uncommitted insert is invisible to others and visible to its own later statements.
  const writer = env.txns.begin();
  env.txns.startStatement(writer);
  await env.tables.insertRow(writer, rel, [2000, "cy", 1n]);
  await inTxn(env, (t) => assert.deepStrictEqual(viaLookup(env, t, rel, 0, [2000]), []));
  env.txns.startStatement(writer);
  assert.equal(viaLookup(env, writer, rel, 0, [2000]).length, 1);
  env.txns.abort(writer);
});
