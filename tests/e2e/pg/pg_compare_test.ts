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
import { binary, type BinaryParam, binaryQuery } from "./_binary_compare.ts";
import { preparePostgres } from "./_psql_compare.ts";
import { startThunder, type Target, thunderTarget } from "./_support.ts";

/** One step: a statement with optional parameters. */
interface Step {
  readonly sql: string;
  readonly values?: readonly unknown[];
}

/** One value of every type the binary format covers, and an array of each. */
const everyType = "SELECT true AS bool, 2::int2 AS int2, -3::int4 AS int4, " +
  "9007199254740993::int8 AS int8, 1.5::float4 AS float4, '-2.25e-10'::float8 AS float8, " +
  "-1234.5678::numeric AS numeric, 0::numeric AS zero, 'NaN'::numeric AS nan, " +
  "'\\x00ff10'::bytea AS bytea, '2024-02-29'::date AS date, " +
  "'2024-02-29 13:14:15.123456'::timestamp AS ts, " +
  "'2024-02-29 13:14:15.5+00'::timestamptz AS tstz, " +
  "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS uuid, 'héllo'::text AS text, " +
  `'{"a": [1, null]}'::jsonb AS jsonb, ` +
  "ARRAY[true, NULL] AS bools, ARRAY[1, NULL, -3]::int2[] AS int2s, ARRAY[1, 2]::int4[] AS " +
  "int4s, ARRAY[1, 2]::int8[] AS int8s, ARRAY[1.5]::float4[] AS float4s, " +
  "ARRAY[2.5]::float8[] AS float8s, ARRAY[1.25, NULL]::numeric[] AS numerics, " +
  "ARRAY['\\x01'::bytea] AS byteas, ARRAY['2024-01-02'::date] AS dates, " +
  "ARRAY['2024-01-02 03:04:05'::timestamp] AS tss, " +
  "ARRAY['2024-01-02 03:04:05+00'::timestamptz] AS tstzs, " +
  "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid] AS uuids, " +
  `ARRAY['a', 'b c', NULL, '"q"'] AS texts, ARRAY['{"k": 1}'::jsonb] AS jsonbs`;

const schema = [
  "CREATE TABLE t (a int PRIMARY KEY, b varchar(10), c numeric(10,2), d char(3), f int[])",
  "CREATE INDEX t_b_idx ON t (b)",
  "INSERT INTO t VALUES (1, 'x', 1.5, 'ab', '{1,2}')",
  "CREATE TABLE tm (ts timestamp(3), tz timestamptz(0), tt time(2), n numeric(5,2), " +
  "v varchar(4)[], c char(2))",
  "INSERT INTO tm VALUES ('2024-02-29 13:14:15.123456', '2024-02-29 13:14:15.5+00', " +
  "'13:14:15.125', 1.005, '{ab}', 'x')",
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
    { sql: "SELECT * FROM tm" },
    { sql: "SELECT ts::timestamp(1), n::numeric(4,1), v::varchar(1)[], c::char(1) FROM tm" },
    {
      sql: "SELECT pg_typeof(ts)::text, pg_typeof(tz)::text, pg_typeof(n)::text, " +
        "pg_typeof(v)::text, pg_typeof(c)::text FROM tm",
    },
    { sql: "SELECT ts + interval '1 s', n + 1, c || 'y', tt FROM tm" },
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
  "every type in text": [
    { sql: everyType },
  ],
  "row values and whole rows": [
    { sql: "SELECT row(1, 'a b', NULL), (1, 2) = (1, 2) AS eq, (t).a, (t).b FROM t" },
    { sql: "SELECT t::text, row_to_json(t), to_jsonb(t), to_json(row(a, f)) FROM t" },
    { sql: "SELECT array_agg(row(a, b)), json_agg(t), count(DISTINCT (a, b)) FROM t" },
    { sql: "SELECT (a, b) IN ((1, 'x')), (a, d) < (1, 'zz'), row(a, NULL) = row(a, 1) FROM t" },
    { sql: "SELECT row_to_json(n), n IS NULL FROM (SELECT 1 AS k) o LEFT JOIN t n ON false" },
    { sql: "SELECT (row(1, 'x'::text)).f2, (row(1, 2)).f3" },
  ],
  "bind error fails the transaction block": [
    { sql: "BEGIN" },
    { sql: "SELECT $1::int4 AS v", values: ["abc"] },
    { sql: "SELECT 1" },
    { sql: "ROLLBACK" },
    { sql: "SELECT 2 AS v" },
  ],
  "constraint violation details": [
    { sql: "CREATE TEMP TABLE cv_p (id int PRIMARY KEY, note text)" },
    {
      sql: "CREATE TEMP TABLE cv_c (id int NOT NULL, pid int REFERENCES cv_p, " +
        "s text CHECK (s <> 'bad'), at timestamptz, ok bool)",
    },
    { sql: "INSERT INTO cv_p VALUES (1, 'one')" },
    { sql: "INSERT INTO cv_p VALUES (1, 'again')" },
    { sql: "INSERT INTO cv_c VALUES (NULL, 1, 'x', '2024-01-02 03:04:05+00', true)" },
    { sql: "INSERT INTO cv_c VALUES (1, 1, 'bad', NULL, false)" },
    { sql: "INSERT INTO cv_c VALUES (1, 7, 'x', NULL, NULL)" },
    { sql: "INSERT INTO cv_c VALUES (1, 1, 'x', NULL, NULL)" },
    { sql: "DELETE FROM cv_p WHERE id = 1" },
    { sql: "UPDATE cv_p SET id = 2" },
  ],
};

/** Binary parameters in, binary results out: the DataRow bytes must be PostgreSQL's. */
function binaryCases(): { readonly sql: string; readonly params: readonly BinaryParam[] }[] {
  return [
    { sql: everyType, params: [] },
    { sql: "SELECT row(1, 'a'::text, NULL::int), ARRAY[row(2, 'b'::text)]", params: [] },
    {
      sql: "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16",
      params: [
        binary.bool(true),
        binary.int2(-2),
        binary.int4(2147483647),
        binary.int8(-9007199254740993n),
        binary.float4(1.5),
        binary.float8(-2.25e-10),
        binary.numeric([1234, 5678], 0, true, 4),
        binary.bytea([0, 1, 254, 255]),
        binary.date(8825),
        binary.timestamp(762_484_455_123_456n),
        binary.timestamp(-1_000_000n, 1184),
        binary.uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        binary.text("héllo"),
        binary.jsonb('{"b": 1, "a": [true, null]}'),
        binary.int4Array([1, -2, 3]),
        binary.numeric([], 0, false, 2),
      ],
    },
  ];
}

type Outcome =
  | { readonly fields: readonly (readonly [string, number, number])[]; readonly rows: unknown[][] }
  | {
    readonly error: string | undefined;
    readonly message?: string;
    readonly detail?: string | undefined;
  };

async function runStep(client: pg.Client, step: Step): Promise<Outcome> {
  try {
    const query: pg.QueryArrayConfig = { text: step.sql, rowMode: "array" };
    if (step.values !== undefined) query.values = [...step.values];
    const r = await client.query(query);
    const fields = (r.fields ?? []).map((f) => [f.name, f.dataTypeID, f.dataTypeModifier] as const);
    return { fields, rows: r.rows };
  } catch (error) {
    const e = error as { code?: string; message: string; detail?: string };
    return { error: e.code, message: e.message, detail: e.detail };
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
  const binaryOutcomes: Outcome[] = [];
  for (const c of binaryCases()) {
    const r = await binaryQuery(target, c.sql, c.params);
    binaryOutcomes.push("error" in r ? r : { fields: [], rows: [r.types, r.rows] });
  }
  out.set("binary parameters and results", binaryOutcomes);
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
