/**
 * DROP and dependent objects: views (also views on views) and foreign keys
 * block DROP with PostgreSQL's 2BP01, DETAIL and HINT; CASCADE drops the
 * views and removes the foreign keys.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../../src/engine/engine.ts";
import { viewReferences } from "../../../src/sql/catalog/dependencies.ts";

async function setup() {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  await s.execute("CREATE TABLE products (id int PRIMARY KEY, price int)");
  await s.execute("CREATE VIEW cheap AS SELECT id FROM products WHERE price < 5");
  await s.execute("CREATE VIEW cheap_ids AS SELECT id FROM cheap");
  await s.execute("CREATE TABLE orders (pid int REFERENCES products (id))");
  return { engine, s };
}

function dbError(
  e: unknown,
): { sqlstate?: string; message?: string; detail?: string; hint?: string } {
  return e as { sqlstate?: string; message?: string; detail?: string; hint?: string };
}

Deno.test("views name the relations of their query, at any depth", () => {
  assert.deepEqual(
    viewReferences(
      "SELECT a.id FROM a JOIN s.b ON true WHERE EXISTS (SELECT 1 FROM c) " +
        "UNION SELECT 1 FROM d",
    ).map((r) => (r.schema ? `${r.schema}.${r.name}` : r.name)).sort(),
    ["a", "c", "d", "s.b"],
  );
  assert.deepEqual(viewReferences("not sql at all"), []);
});

Deno.test("DROP TABLE with dependents is 2BP01 with DETAIL and HINT", async () => {
  const { engine, s } = await setup();
  try {
    await assert.rejects(s.execute("DROP TABLE products"), (e: unknown) => {
      const err = dbError(e);
      assert.equal(err.sqlstate, "2BP01");
      assert.equal(err.message, "cannot drop table products because other objects depend on it");
      assert.equal(
        err.detail,
        "view cheap depends on table products\nview cheap_ids depends on view cheap\n" +
          "constraint orders_pid_fkey on table orders depends on table products",
      );
      assert.equal(err.hint, "Use DROP ... CASCADE to drop the dependent objects too.");
      return true;
    });
    await assert.rejects(s.execute("DROP VIEW cheap"), (e: unknown) => {
      assert.equal(dbError(e).detail, "view cheap_ids depends on view cheap");
      return true;
    });
  } finally {
    await engine.close();
  }
});

Deno.test("DROP ... CASCADE drops dependent views and foreign keys", async () => {
  const { engine, s } = await setup();
  try {
    const [dropped] = await s.execute("DROP VIEW cheap CASCADE");
    assert.equal(dropped!.command, "DROP VIEW");
    await assert.rejects(s.execute("SELECT * FROM cheap_ids"), /does not exist/);
    await s.execute("CREATE VIEW again AS SELECT price FROM products");
    await s.execute("DROP TABLE products CASCADE");
    await assert.rejects(s.execute("SELECT * FROM again"), /does not exist/);
    await s.execute("INSERT INTO orders VALUES (42)");
    const [r] = await s.execute("SELECT pid FROM orders");
    assert.deepEqual(r!.rows, [[42]]);
  } finally {
    await engine.close();
  }
});
