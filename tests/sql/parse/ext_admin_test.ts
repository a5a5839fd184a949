import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseSql } from "../../../src/sql/parse/parse_sql.ts";

const ast = (sql: string) => parseSql(sql)[0]!.ast;

Deno.test("GRANT and REVOKE of privileges", () => {
  assertEquals(
    ast("GRANT SELECT, UPDATE (a, b) ON TABLE s.t, u TO alice, PUBLIC WITH GRANT OPTION"),
    {
      kind: "ext.grant",
      privileges: [{ name: "select", columns: [] }, { name: "update", columns: ["a", "b"] }],
      objectType: "table",
      allInSchema: false,
      objects: [{ schema: "s", name: "t" }, { name: "u" }],
      grantees: ["alice", "public"],
      grantOption: true,
      cascade: false,
    },
  );
  assertEquals(
    ast(
      "REVOKE GRANT OPTION FOR ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA app FROM GROUP staff CASCADE",
    ),
    {
      kind: "ext.revoke",
      privileges: [{ name: "all", columns: [] }],
      objectType: "sequence",
      allInSchema: true,
      objects: [{ name: "app" }],
      grantees: ["staff"],
      grantOption: true,
      cascade: true,
    },
  );
  assertEquals(
    (ast("GRANT CONNECT, TEMP ON DATABASE db TO bob") as { privileges: unknown }).privileges,
    [
      { name: "connect", columns: [] },
      { name: "temporary", columns: [] },
    ],
  );
});

Deno.test("GRANT and REVOKE of role membership", () => {
  assertEquals(ast("GRANT admins, ops TO carol WITH ADMIN OPTION"), {
    kind: "ext.grant_role",
    roles: ["admins", "ops"],
    grantees: ["carol"],
    adminOption: true,
    cascade: false,
  });
  assertEquals(ast("REVOKE ADMIN OPTION FOR admins FROM carol"), {
    kind: "ext.revoke_role",
    roles: ["admins"],
    grantees: ["carol"],
    adminOption: true,
    cascade: false,
  });
});

Deno.test("CREATE / ALTER / DROP USER and ROLE", () => {
  assertEquals(ast("CREATE USER alice WITH PASSWORD 'pw' SUPERUSER CONNECTION LIMIT 5"), {
    kind: "ext.create_role",
    name: "alice",
    options: { flags: { login: true, superuser: true }, password: "pw", connectionLimit: 5 },
  });
  assertEquals(ast("CREATE ROLE r NOLOGIN NOINHERIT IN ROLE a, b VALID UNTIL 'infinity'"), {
    kind: "ext.create_role",
    name: "r",
    options: {
      flags: { login: false, inherit: false },
      inRole: ["a", "b"],
      validUntil: "infinity",
    },
  });
  assertEquals(ast("ALTER ROLE alice WITH NOSUPERUSER PASSWORD NULL"), {
    kind: "ext.alter_role",
    name: "alice",
    renameTo: null,
    set: null,
    options: { flags: { superuser: false }, password: null },
  });
  assertEquals(ast("ALTER USER alice RENAME TO alicia"), {
    kind: "ext.alter_role",
    name: "alice",
    renameTo: "alicia",
    set: null,
    options: { flags: {} },
  });
  assertEquals(ast("ALTER USER alice SET work_mem = '64MB'"), {
    kind: "ext.alter_role",
    name: "alice",
    renameTo: null,
    set: { kind: "ext.set", name: "work_mem", local: false, values: ["64MB"] },
    options: { flags: {} },
  });
  assertEquals(ast("DROP ROLE IF EXISTS a, b"), {
    kind: "ext.drop_role",
    names: ["a", "b"],
    ifExists: true,
  });
});

Deno.test("foreign-data statements are parsed", () => {
  assertEquals(
    ast(
      "CREATE SERVER s TYPE 'pg' VERSION '15' FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'h', port '5432')",
    ),
    {
      kind: "ext.create_server",
      name: "s",
      ifNotExists: false,
      serverType: "pg",
      version: "15",
      wrapper: "postgres_fdw",
      options: [{ name: "host", value: "h" }, { name: "port", value: "5432" }],
    },
  );
  assertEquals(ast("CREATE USER MAPPING IF NOT EXISTS FOR bob SERVER s OPTIONS (user 'u')"), {
    kind: "ext.create_user_mapping",
    user: "bob",
    server: "s",
    ifNotExists: true,
    options: [{ name: "user", value: "u" }],
  });
  assertEquals(ast("IMPORT FOREIGN SCHEMA remote LIMIT TO (a, b) FROM SERVER s INTO local"), {
    kind: "ext.import_foreign_schema",
    remoteSchema: "remote",
    restriction: { kind: "limit to", tables: ["a", "b"] },
    server: "s",
    localSchema: "local",
    options: [],
  });
  const ft = ast(
    "CREATE FOREIGN TABLE ft (a int NOT NULL OPTIONS (column_name 'x'), b text) SERVER s OPTIONS (table_name 't')",
  );
  assertEquals(ft, {
    kind: "ext.create_foreign_table",
    table: {
      type: "create table",
      name: { name: "ft" },
      columns: [
        {
          kind: "column",
          name: { name: "a" },
          dataType: { name: "int" },
          constraints: [{ type: "not null" }],
        },
        { kind: "column", name: { name: "b" }, dataType: { name: "text" } },
      ],
    },
    server: "s",
    options: [{ name: "table_name", value: "t" }],
  });
});

Deno.test("VACUUM and ANALYZE", () => {
  assertEquals(ast("VACUUM"), { kind: "ext.vacuum", options: [], tables: [] });
  assertEquals(ast("VACUUM FULL ANALYZE t1, s.t2 (a, b)"), {
    kind: "ext.vacuum",
    options: [{ name: "full", value: null }, { name: "analyze", value: null }],
    tables: [{ table: { name: "t1" }, columns: [] }, {
      table: { schema: "s", name: "t2" },
      columns: ["a", "b"],
    }],
  });
  assertEquals(ast("VACUUM (VERBOSE, PARALLEL 4) t"), {
    kind: "ext.vacuum",
    options: [{ name: "verbose", value: null }, { name: "parallel", value: "4" }],
    tables: [{ table: { name: "t" }, columns: [] }],
  });
  assertEquals(ast("ANALYSE VERBOSE t"), {
    kind: "ext.analyze",
    options: [{ name: "verbose", value: null }],
    tables: [{ table: { name: "t" }, columns: [] }],
  });
});

Deno.test("DROP of objects the grammar lacks", () => {
  assertEquals(ast("DROP MATERIALIZED VIEW IF EXISTS a.v, w CASCADE"), {
    kind: "ext.drop",
    objectType: "materialized view",
    names: [{ schema: "a", name: "v" }, { name: "w" }],
    ifExists: true,
    cascade: true,
  });
  assertEquals(ast("DROP FUNCTION f(int, text)"), {
    kind: "ext.drop",
    objectType: "function",
    names: [{ name: "f" }],
    ifExists: false,
    cascade: false,
  });
  assertEquals((ast("DROP TABLE t") as { type: string }).type, "drop table");
});
