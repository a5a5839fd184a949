/**
 * The virtual pg_catalog / information_schema relations and catalog
 * functions, through an in-process engine: rows follow CREATE TABLE,
 * CREATE INDEX, constraints, views, sequences and DROP.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../../src/engine/engine.ts";
import type { Value } from "../../../src/common/types.ts";
import {
  findVirtualRelation,
  quoteIdent,
  virtualRelations,
} from "../../../src/sql/pg_catalog/mod.ts";

async function withEngine(
  body: (q: (sql: string) => Promise<Value[][]>) => Promise<void>,
): Promise<void> {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await body(async (sql) => {
      const results = await s.execute(sql);
      return results[results.length - 1]!.rows.map((r) => [...r]);
    });
  } finally {
    await s.close();
    await engine.close();
  }
}

const schema = `
  CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, email varchar(100) UNIQUE,
                      age int DEFAULT 0 CHECK (age >= 0));
  CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users(id) ON DELETE CASCADE,
                       total numeric(10,2), created timestamptz);
  CREATE INDEX orders_user_idx ON orders (user_id);
`;

Deno.test("pg_class and pg_namespace list tables, indexes and sequences", async () => {
  await withEngine(async (q) => {
    await q(schema);
    const rows = await q(`
      SELECT n.nspname, c.relname, c.relkind, c.relhasindex, c.relchecks
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' ORDER BY c.relname`);
    assert.deepEqual(rows, [
      ["public", "orders", "r", true, 0],
      ["public", "orders_pkey", "i", false, 0],
      ["public", "orders_user_idx", "i", false, 0],
      ["public", "users", "r", true, 1],
      ["public", "users_email_key", "i", false, 0],
      ["public", "users_id_seq", "S", false, 0],
      ["public", "users_pkey", "i", false, 0],
    ]);
    await q("DROP TABLE orders");
    const after = await q("SELECT relname FROM pg_class WHERE relname LIKE 'orders%'");
    assert.deepEqual(after, []);
  });
});

Deno.test("pg_attribute, pg_attrdef and format_type describe columns", async () => {
  await withEngine(async (q) => {
    await q(schema);
    const rows = await q(`
      SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
        (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d
         WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef)
      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      WHERE c.relname = 'users' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`);
    assert.deepEqual(rows, [
      ["id", "integer", true, "nextval('users_id_seq'::regclass)"],
      ["name", "text", true, null],
      ["email", "character varying(100)", false, null],
      ["age", "integer", false, "0"],
    ]);
    await q("ALTER TABLE users ADD COLUMN score float8");
    const added = await q(`SELECT format_type(atttypid, atttypmod) FROM pg_attribute
      WHERE attrelid = (SELECT oid FROM pg_class WHERE relname = 'users') AND attname = 'score'`);
    assert.deepEqual(added, [["double precision"]]);
  });
});

Deno.test("pg_index and pg_constraint with their definitions", async () => {
  await withEngine(async (q) => {
    await q(schema);
    const idx = await q(`
      SELECT c2.relname, i.indisprimary, i.indisunique, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true)
      FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
      WHERE c.relname = 'orders' AND c.oid = i.indrelid AND i.indexrelid = c2.oid
      ORDER BY i.indisprimary DESC, c2.relname`);
    assert.deepEqual(idx, [
      ["orders_pkey", true, true, "CREATE UNIQUE INDEX orders_pkey ON orders USING btree (id)"],
      [
        "orders_user_idx",
        false,
        false,
        "CREATE INDEX orders_user_idx ON orders USING btree (user_id)",
      ],
    ]);
    const cons = await q(`
      SELECT conname, contype, pg_catalog.pg_get_constraintdef(oid, true)
      FROM pg_catalog.pg_constraint ORDER BY conname`);
    assert.deepEqual(cons, [
      ["orders_pkey", "p", "PRIMARY KEY (id)"],
      ["orders_user_id_fkey", "f", "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"],
      ["users_age_check", "c", "CHECK (age >= 0)"],
      ["users_email_key", "u", "UNIQUE (email)"],
      ["users_pkey", "p", "PRIMARY KEY (id)"],
    ]);
    const def = await q(
      "SELECT pg_get_indexdef((SELECT oid FROM pg_class WHERE relname = 'users_pkey'))",
    );
    assert.deepEqual(def, [["CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)"]]);
  });
});

Deno.test("information_schema views follow DDL", async () => {
  await withEngine(async (q) => {
    await q(schema);
    await q("CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18");
    const tables = await q(`SELECT table_name, table_type FROM information_schema.tables
      WHERE table_schema = 'public' ORDER BY table_name`);
    assert.deepEqual(tables, [
      ["adults", "VIEW"],
      ["orders", "BASE TABLE"],
      ["users", "BASE TABLE"],
    ]);
    const columns = await q(`SELECT column_name, data_type, is_nullable, character_maximum_length,
        numeric_precision, numeric_scale
      FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position`);
    const email = await q(
      `SELECT data_type, character_maximum_length FROM information_schema.columns
      WHERE table_name = 'users' AND column_name = 'email'`,
    );
    assert.deepEqual(email, [["character varying", 100]]);
    assert.deepEqual(columns, [
      ["id", "bigint", "NO", null, 64, 0],
      ["user_id", "integer", "YES", null, 32, 0],
      ["total", "numeric", "YES", null, 10, 2],
      ["created", "timestamp with time zone", "YES", null, null, null],
    ]);
    const keys = await q(`SELECT tc.constraint_type, k.column_name
      FROM information_schema.table_constraints tc
      JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name
      WHERE tc.table_name = 'users' ORDER BY 1, 2`);
    assert.deepEqual(keys, [["PRIMARY KEY", "id"], ["UNIQUE", "email"]]);
    const schemata = await q(
      "SELECT schema_name FROM information_schema.schemata ORDER BY schema_name",
    );
    assert.deepEqual(schemata, [["information_schema"], ["pg_catalog"], ["public"]]);
    await q("DROP TABLE orders");
    const left = await q(`SELECT table_name FROM information_schema.tables
      WHERE table_schema = 'public' ORDER BY 1`);
    assert.deepEqual(left, [["adults"], ["users"]]);
  });
});

Deno.test("catalog functions", async () => {
  await withEngine(async (q) => {
    await q(schema);
    const rows = await q(`SELECT current_schema(), pg_get_serial_sequence('users', 'id'),
      pg_encoding_to_char(6), pg_size_pretty(123456789), array_to_string(current_schemas(true), ',')`);
    assert.deepEqual(rows, [[
      "public",
      "public.users_id_seq",
      "UTF8",
      "118 MB",
      "pg_catalog,public",
    ]]);
    const owners = await q(`SELECT nspname, pg_catalog.pg_get_userbyid(nspowner)
      FROM pg_catalog.pg_namespace WHERE nspname = 'public'`);
    assert.deepEqual(owners, [["public", "pg_database_owner"]]);
  });
});

Deno.test("pgbench's table check query runs", async () => {
  await withEngine(async (q) => {
    await q("CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int)");
    const rows = await q(`
      SELECT o.n, p.partstrat, pg_catalog.count(i.inhparent)
      FROM pg_catalog.pg_class AS c
      JOIN pg_catalog.pg_namespace AS n ON (n.oid = c.relnamespace)
      CROSS JOIN LATERAL (SELECT pg_catalog.array_position(pg_catalog.current_schemas(true),
                                                           n.nspname)) AS o(n)
      LEFT JOIN pg_catalog.pg_partitioned_table AS p ON (p.partrelid = c.oid)
      LEFT JOIN pg_catalog.pg_inherits AS i ON (c.oid = i.inhparent)
      WHERE c.relname = 'pgbench_accounts' AND o.n IS NOT NULL
      GROUP BY 1, 2 ORDER BY 1 ASC LIMIT 1`);
    assert.deepEqual(rows, [[2, null, 0n]]);
    assert.deepEqual(await q("SELECT quote_ident('Foo'), quote_ident('foo')"), [['"Foo"', "foo"]]);
  });
});

Deno.test("user tables shadow unqualified pg_catalog names only when they exist", async () => {
  await withEngine(async (q) => {
    await q("CREATE TABLE pg_am (x int)");
    await q("INSERT INTO pg_am VALUES (7)");
    assert.deepEqual(await q("SELECT x FROM pg_am"), [[7]]);
    assert.deepEqual(
      await q("SELECT amname FROM pg_catalog.pg_am WHERE amname IN ('btree', 'heap') ORDER BY 1"),
      [["btree"], ["heap"]],
    );
  });
});

Deno.test("virtual relation definitions are consistent", () => {
  for (const rel of virtualRelations) {
    assert.equal(findVirtualRelation(rel.name, rel.schema), rel);
    const names = rel.columns.map((c) => c.name);
    assert.equal(new Set(names).size, names.length, `${rel.name} has duplicate columns`);
  }
  assert.equal(quoteIdent("users"), "users");
  assert.equal(quoteIdent("User"), '"User"');
  assert.equal(quoteIdent("select"), '"select"');
});
