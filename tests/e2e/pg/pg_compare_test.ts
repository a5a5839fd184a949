/**
 * The same statements through node `pg` against ThunderDB and a real
 * PostgreSQL 15: result columns (type OIDs and type modifiers as
 * RowDescription reports them), values and SQLSTATEs must be equal. Covers
 * reg* types, the session's user and database names, settings, and the
 * failed transaction state after a Bind that cannot decode its parameter,
 * and pg_stat_activity as another session sees it.
 */
import assert from "node:assert/strict";
import pg from "pg";
import { preparePostgres } from "./_psql_compare.ts";
import { startThunder, type Target, thunderTarget } from "./_support.ts";

/** One step: a statement with optional parameters. */
interface Step {
  readonly sql: string;
  readonly values?: readonly unknown[];
}

const schema = [
  "CREATE TABLE t (a int PRIMARY KEY, b varchar(10), c numeric(10,2), d char(3), f int[])",
  "CREATE INDEX t_b_idx ON t (b)",
  "INSERT INTO t VALUES (1, 'x', 1.5, 'ab', '{1,2}')",
];

/** Statements whose outcome is compared; each list runs on one connection. */
const scripts: Readonly<Record<string, readonly Step[]>> = {
  "row description type modifiers": [
    { sql: "SELECT * FROM t" },
    { sql: "SELECT b, c FROM t WHERE a = $1", values: [1] },
    {
      sql: "SELECT a.attname, a.atttypmod, format_type(a.atttypid, a.atttypmod) " +
        "FROM pg_attribute a WHERE a.attrelid = 't'::regclass AND a.attnum > 0 ORDER BY a.attnum",
    },
  ],
  "reg* types": [
    {
      sql:
        "SELECT 't'::regclass, 't'::regclass::oid = (SELECT oid FROM pg_class WHERE relname = 't')",
    },
    { sql: "SELECT 1259::regclass, 'pg_class'::regclass::oid, 1259::oid::regclass::text" },
    { sql: "SELECT relname FROM pg_class c WHERE c.oid = 't'::regclass" },
    { sql: "SELECT 'pg_class'::regclass = 1259, 1::oid, 'int4'::regtype, 23::regtype" },
    { sql: "SELECT 'int4'::regtype::oid, 'varchar'::regtype, 1043::regtype::text" },
    { sql: "SELECT 'public'::regnamespace, 'pg_catalog'::regnamespace::oid, 11::regnamespace" },
    {
      sql: "SELECT c.oid::regclass FROM pg_class c WHERE c.relname IN ('t', 't_b_idx') ORDER BY 1",
    },
    {
      sql:
        "SELECT indexrelid::regclass, indrelid::regclass FROM pg_index WHERE indrelid = 't'::regclass ORDER BY 1",
    },
    { sql: "SELECT $1::regclass::oid = 't'::regclass", values: ["t"] },
    { sql: "SELECT 'nosuch'::regclass" },
    { sql: "SELECT 'nosuch'::regtype" },
    { sql: "SELECT 0::regclass, 99999::regclass" },
  ],
  "user and database names": [
    { sql: "SELECT current_user, session_user, user, current_database(), current_catalog" },
    { sql: "SELECT datname FROM pg_database WHERE datname = current_database()" },
    { sql: "SELECT rolname FROM pg_roles WHERE rolname = current_user" },
    { sql: "SELECT catalog_name FROM information_schema.schemata WHERE schema_name = 'public'" },
  ],
  "settings": [
    { sql: "SELECT set_config('application_name', 'cmp', false)" },
    { sql: "SHOW application_name" },
    { sql: "SELECT current_setting('application_name')" },
    { sql: "BEGIN" },
    { sql: "SELECT set_config('search_path', 'pg_catalog', true)" },
    { sql: "SHOW search_path" },
    { sql: "COMMIT" },
    { sql: "SHOW search_path" },
    { sql: "SET application_name = 'other'" },
    { sql: "RESET application_name" },
    { sql: "SHOW application_name" },
  ],
  "bind error fails the transaction block": [
    { sql: "BEGIN" },
    { sql: "SELECT $1::int4 AS v", values: ["abc"] },
    { sql: "SELECT 1" },
    { sql: "ROLLBACK" },
    { sql: "SELECT 2 AS v" },
  ],
};

type Outcome =
  | { readonly fields: readonly (readonly [string, number, number])[]; readonly rows: unknown[][] }
  | { readonly error: string | undefined };

async function runStep(client: pg.Client, step: Step): Promise<Outcome> {
  try {
    const query: pg.QueryArrayConfig = { text: step.sql, rowMode: "array" };
    if (step.values !== undefined) query.values = [...step.values];
    const r = await client.query(query);
    const fields = (r.fields ?? []).map((f) => [f.name, f.dataTypeID, f.dataTypeModifier] as const);
    return { fields, rows: r.rows };
  } catch (error) {
    return { error: (error as { code?: string }).code };
  }
}

/** pg_stat_activity as another session sees an idle-in-transaction one. */
async function activity(target: Target): Promise<Outcome[]> {
  const other = new pg.Client({ ...target, application_name: "cmp_other" });
  const self = new pg.Client({ ...target, application_name: "cmp_self" });
  await other.connect();
  await self.connect();
  try {
    await other.query("BEGIN");
    await other.query("SELECT 42");
    const outcomes = [
      await runStep(self, {
        sql: "SELECT datname, usename, application_name, client_addr IS NOT NULL, " +
          "client_port > 0, state, query, backend_type, backend_start <= now(), " +
          "xact_start IS NOT NULL FROM pg_stat_activity WHERE application_name = 'cmp_other'",
      }),
      await runStep(self, {
        sql: "SELECT state, query, pid = pg_backend_pid() FROM pg_stat_activity " +
          "WHERE application_name = 'cmp_self'",
      }),
      await runStep(self, { sql: "SHOW application_name" }),
    ];
    await other.query("SELECT nosuch");
    outcomes.push(
      await runStep(self, {
        sql: "SELECT state FROM pg_stat_activity WHERE application_name = 'cmp_other'",
      }),
    );
    return outcomes;
  } catch (error) {
    return [{ error: String(error) }];
  } finally {
    await other.end();
    await self.end();
  }
}

async function runScripts(target: Target): Promise<Map<string, Outcome[]>> {
  const out = new Map<string, Outcome[]>();
  const setup = new pg.Client({ ...target });
  await setup.connect();
  try {
    for (const sql of schema) await setup.query(sql);
  } finally {
    await setup.end();
  }
  for (const [name, steps] of Object.entries(scripts)) {
    const client = new pg.Client({ ...target });
    await client.connect();
    try {
      const outcomes: Outcome[] = [];
      for (const step of steps) outcomes.push(await runStep(client, step));
      out.set(name, outcomes);
    } finally {
      await client.end();
    }
  }
  out.set("pg_stat_activity", await activity(target));
  return out;
}

/** Replaces OIDs that only have to be consistent within one server. */
function normalise(outcomes: Outcome[], userOid: (v: unknown) => unknown): Outcome[] {
  return outcomes.map((o) =>
    "rows" in o ? { fields: o.fields, rows: o.rows.map((r) => r.map(userOid)) } : o
  );
}

Deno.test("node pg sees the same columns, values and errors as with PostgreSQL 15", async () => {
  const postgres = await preparePostgres();
  const thunder = await startThunder();
  try {
    const actual = await runScripts(thunderTarget(thunder));
    const expected = await runScripts(postgres.target);
    // User-object OIDs differ between servers; only reg* outputs show them as numbers.
    const keep = (v: unknown) => v;
    const failures: string[] = [];
    for (const [name, want] of expected) {
      const got = actual.get(name) ?? [];
      want.forEach((w, i) => {
        const g = normalise([got[i] ?? { error: "missing" }], keep)[0];
        try {
          assert.deepStrictEqual(g, normalise([w], keep)[0]);
        } catch {
          const sql = scripts[name]?.[i]?.sql ?? `step ${i + 1}`;
          failures.push(
            `${name} / ${sql}\n  expected ${Deno.inspect(w)}\n  actual   ${Deno.inspect(g)}`,
          );
        }
      });
    }
    assert.equal(failures.length, 0, failures.join("\n"));
  } finally {
    assert.equal(await thunder.stop("SIGTERM"), 0);
    await postgres.stop();
  }
});
