/**
 * Expression indexes end to end through the embedded API (mod.ts): the
 * planner picks them for `lower(email) = $1` and for ranges, they survive a
 * reopen, and the fallback scan (SERIALIZABLE reads skip the B+tree) agrees.
 */
import assert from "node:assert/strict";
import { open } from "../../../mod.ts";

async function explain(db: Awaited<ReturnType<typeof open>>, sql: string, params: unknown[] = []) {
  const r = await db.query(`EXPLAIN ${sql}`, params, { rowMode: "array" });
  return r.rows.map((row) => row[0]).join("\n");
}

async function ids(db: Awaited<ReturnType<typeof open>>, sql: string, params: unknown[] = []) {
  const r = await db.query(sql, params, { rowMode: "array" });
  return r.rows.map((row) => row[0]);
}

Deno.test("planner uses an expression index for equality and ranges on its expression", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("CREATE TABLE users (id int PRIMARY KEY, email text, a int, b int)");
    await db.query("CREATE UNIQUE INDEX users_email_lower ON users (lower(email))");
    await db.query("CREATE INDEX users_sum ON users ((a + b))");
    await db.query(
      "INSERT INTO users SELECT g, 'User' || g || '@Example.com', g % 7, g % 5 FROM generate_series(1, 200) g",
    );
    const eq = await explain(db, "SELECT id FROM users WHERE lower(email) = $1", [
      "user7@example.com",
    ]);
    assert.match(
      eq,
      /^Index Scan using users_email_lower on users\n\s+Index Cond: \(lower\(email\) = \$1\)/,
    );
    assert.deepEqual(
      await ids(db, "SELECT id FROM users WHERE lower(email) = $1", ["user7@example.com"]),
      [7],
    );
    assert.match(
      await explain(db, "SELECT id FROM users WHERE 'user9@example.com' = lower(email)"),
      /Index Scan using users_email_lower on users/,
    );
    // Another expression over the same column is not the index's key.
    assert.match(
      await explain(db, "SELECT id FROM users WHERE upper(email) = 'X'"),
      /^Seq Scan on users/,
    );
    assert.match(
      await explain(db, "SELECT id FROM users WHERE a + b >= 9"),
      /Index Scan using users_sum on users\n\s+Index Cond: \(\(a \+ b\) >= 9\)/,
    );
    const ranged = await ids(db, "SELECT id FROM users WHERE a + b >= 9 ORDER BY id");
    const expected: number[] = [];
    for (let g = 1; g <= 200; g++) if ((g % 7) + (g % 5) >= 9) expected.push(g);
    assert.deepEqual(ranged, expected);
  } finally {
    await db.close();
  }
});

Deno.test("a unique expression index is enforced after a reopen and under SERIALIZABLE", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_index_expr_" });
  try {
    let db = await open({ path: dir });
    await db.query("CREATE TABLE users (id int PRIMARY KEY, email text)");
    await db.query("CREATE UNIQUE INDEX ON users (lower(email))");
    await db.query("INSERT INTO users VALUES (1, 'Ann@x.org'), (2, 'bob@x.org')");
    await db.close();
    db = await open({ path: dir });
    try {
      await assert.rejects(
        db.query("INSERT INTO users VALUES (3, 'ANN@X.ORG')"),
        (e: Error & { sqlstate?: string; detail?: string }) => {
          assert.equal(e.sqlstate, "23505");
          assert.equal(
            e.message,
            'duplicate key value violates unique constraint "users_lower_idx"',
          );
          assert.equal(e.detail, "Key (lower(email))=(ann@x.org) already exists.");
          return true;
        },
      );
      const r = await db.query(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'users_lower_idx'",
      );
      assert.deepEqual(r.rows, [{
        indexdef: "CREATE UNIQUE INDEX users_lower_idx ON public.users USING btree (lower(email))",
      }]);
      await db.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
      assert.deepEqual(
        await ids(db, "SELECT id FROM users WHERE lower(email) = 'bob@x.org'"),
        [2],
      );
      await db.query("COMMIT");
    } finally {
      await db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
