/**
 * The grammar psql 15's catalog queries need: `COLLATE pg_catalog.default`,
 * `OPERATOR(pg_catalog.~)`, `E''` strings, `IS [NOT] DISTINCT FROM`. The
 * queries in `psql/psql15_catalog.sql` were captured with `psql -E` against
 * PostgreSQL 15; each must parse and plan on the embedded engine.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";
import { parseSql } from "../../src/sql/parser_port.ts";

interface Captured {
  readonly command: string;
  readonly sql: string;
}

function loadCaptured(): Captured[] {
  const text = Deno.readTextFileSync(new URL("./psql/psql15_catalog.sql", import.meta.url));
  const out: Captured[] = [];
  for (const part of text.split(/^-- psql: /m).slice(1)) {
    const nl = part.indexOf("\n");
    out.push({ command: part.slice(0, nl), sql: part.slice(nl + 1).trim() });
  }
  return out;
}

async function session() {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  await s.execute(
    "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2) DEFAULT 0)",
  );
  await s.execute("CREATE INDEX items_name ON items (name)");
  await s.execute("CREATE VIEW v AS SELECT id FROM items");
  const oid = async (name: string) =>
    String(
      (await s.execute(`SELECT oid FROM pg_catalog.pg_class WHERE relname = '${name}'`))[0]!
        .rows[0]![0],
    );
  return { engine, s, items: await oid("items"), view: await oid("v") };
}

const captured = loadCaptured();

Deno.test("psql 15 catalog queries parse", () => {
  assert.ok(captured.length >= 30, `only ${captured.length} captured queries`);
  for (const q of captured) {
    assert.equal(parseSql(q.sql).length, 1, `${q.command}: ${q.sql.slice(0, 80)}`);
  }
});

Deno.test("psql 15 catalog queries run without grammar errors", async () => {
  const { engine, s, items, view } = await session();
  try {
    const failures: string[] = [];
    let ran = 0;
    for (const q of captured) {
      const sql = q.sql.replaceAll("'16384'", `'${items}'`).replaceAll("'16385'", `'${view}'`);
      try {
        await s.execute(sql);
        ran++;
      } catch (e) {
        const code = (e as { sqlstate?: string }).sqlstate ?? "XX000";
        // Missing catalog columns or types (42703, 42704) belong to the catalog, not the grammar.
        if (code === "42601" || code === "0A000" || code === "XX000" || code === "42883") {
          failures.push(`${q.command} [${code}] ${(e as Error).message}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(ran >= captured.length - 6, `only ${ran} of ${captured.length} ran`);
    const [r] = await s.execute(
      "SELECT c.relname FROM pg_catalog.pg_class c " +
        "WHERE c.relname OPERATOR(pg_catalog.~) '^(it.*)$' COLLATE pg_catalog.default " +
        "AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1",
    );
    assert.deepEqual(r!.rows, [["items"], ["items_name"], ["items_pkey"]]);
  } finally {
    await engine.close();
  }
});

Deno.test("COLLATE accepts the known collations and rejects others with 42704", async () => {
  const { engine, s } = await session();
  try {
    const [r] = await s.execute(
      `SELECT 'b' COLLATE "C" < 'a' COLLATE "C", name COLLATE pg_catalog.default, ` +
        `'x' COLLATE "POSIX" FROM items LIMIT 1`,
    );
    assert.deepEqual(r!.rows, []);
    const [one] = await s.execute(`SELECT 'b' COLLATE "C" > 'a', 'abc' COLLATE "default"`);
    assert.deepEqual(one!.rows, [[true, "abc"]]);
    await assert.rejects(s.execute(`SELECT 'a' COLLATE "xx_YY"`), (e: unknown) => {
      const err = e as { sqlstate?: string; message?: string };
      assert.equal(err.sqlstate, "42704");
      assert.equal(err.message, 'collation "xx_YY" for encoding "UTF8" does not exist');
      return true;
    });
    await assert.rejects(s.execute(`SELECT 1 COLLATE "C"`), (e: unknown) => {
      assert.equal((e as { sqlstate?: string }).sqlstate, "42804");
      return true;
    });
  } finally {
    await engine.close();
  }
});

Deno.test("E'' strings, IS [NOT] DISTINCT FROM and OPERATOR(pg_catalog.op)", async () => {
  const { engine, s } = await session();
  try {
    const [r] = await s.execute(
      `SELECT CASE WHEN 1 = 2 THEN 'x' ELSE E'' END, E'a\\tb', e'it''s', ` +
        `NULL IS DISTINCT FROM NULL, 1 IS DISTINCT FROM NULL, ` +
        `NULL IS NOT DISTINCT FROM NULL, 2 IS NOT DISTINCT FROM 3, ` +
        `'abc' OPERATOR(pg_catalog.~) '^a', 3 OPERATOR(pg_catalog.=) 3`,
    );
    assert.deepEqual(r!.rows, [["", "a\tb", "it's", false, true, true, false, true, true]]);
    await s.execute("INSERT INTO items VALUES (1, 'a', NULL), (2, 'b', 5)");
    const [d] = await s.execute(
      "SELECT id FROM items WHERE price IS DISTINCT FROM 5 ORDER BY id",
    );
    assert.deepEqual(d!.rows, [[1]]);
  } finally {
    await engine.close();
  }
});
