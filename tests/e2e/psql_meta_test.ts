/**
 * psql meta-commands against a real server.ts, compared with the output of
 * the same commands against a real PostgreSQL holding the same schema.
 * Owner and database names are normalised (they differ by design), and so is
 * column padding, which follows from those names' lengths.
 */
import assert from "node:assert/strict";
import { type PostgresServer, startPostgres } from "../_support/postgres.ts";
import { type ServerProcess, startServer } from "./_server.ts";

const schema = `
CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL, email varchar(100) UNIQUE,
                    age int DEFAULT 0 CHECK (age >= 0));
CREATE TABLE orders (id bigint PRIMARY KEY, user_id int REFERENCES users(id),
                     total numeric(10,2), created timestamptz);
CREATE INDEX orders_user_idx ON orders (user_id);
CREATE UNIQUE INDEX users_name_lower_idx ON users (lower(name));
CREATE INDEX orders_expr_idx ON orders ((user_id * 2), abs(user_id) DESC);
CREATE VIEW adults AS SELECT id, name FROM users WHERE age >= 18;
COMMENT ON TABLE orders IS 'Orders placed';
COMMENT ON COLUMN orders.total IS 'Sum in EUR';
`;

interface Target {
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

async function psql(
  t: Target,
  args: readonly string[],
): Promise<{ code: number; out: string; err: string }> {
  const result = await new Deno.Command("psql", {
    args: ["-X", "-h", "127.0.0.1", "-p", String(t.port), "-U", t.user, "-d", t.database, ...args],
    env: { PGCONNECT_TIMEOUT: "10" },
    stdin: "null",
  }).output();
  const d = new TextDecoder();
  return { code: result.code, out: d.decode(result.stdout), err: d.decode(result.stderr) };
}

/** Replaces owner/database names and collapses padding and rule lines. */
function normalise(text: string, names: readonly string[]): string {
  let s = text;
  for (const n of names) s = s.replace(new RegExp(`\\b${n}\\b`, "g"), "NAME");
  return s.split("\n")
    .map((line) => line.replace(/-{2,}/g, "-").replace(/ {2,}/g, " ").trimEnd())
    .join("\n");
}

let pg: PostgresServer | undefined;
let server: ServerProcess | undefined;
let pgTarget: Target;
let thTarget: Target;

async function both(args: readonly string[]): Promise<[string, string]> {
  const [a, b] = await Promise.all([psql(pgTarget, args), psql(thTarget, args)]);
  assert.equal(b.err, a.err);
  assert.equal(b.code, a.code);
  return [
    normalise(a.out, ["postgres"]),
    normalise(b.out, ["thunderdb", "thunder"]),
  ];
}

Deno.test({
  name: "psql meta-commands print what PostgreSQL prints",
  sanitizeResources: true,
  sanitizeOps: true,
  async fn(t) {
    try {
      [pg, server] = await Promise.all([
        startPostgres({ fsync: false }),
        startServer({ waitFor: ["http", "postgresql"] }),
      ]);
      pgTarget = { port: pg.port, user: pg.user, database: pg.database };
      thTarget = { port: server.ports.postgresql!, user: "thunder", database: "thunder" };
      for (const target of [pgTarget, thTarget]) {
        const r = await psql(target, ["-v", "ON_ERROR_STOP=1", "-q", "-c", schema]);
        assert.equal(r.code, 0, r.err);
      }

      const commands = [
        ...["\\dt", "\\di", "\\dn", "\\dn+", "\\d", "\\du", "\\dg", "\\dv", "\\ds", "\\dm"],
        ...["\\df", "\\dT", "\\dD", "\\db", "\\dc", "\\dO", "\\dE", "\\des", "\\deu"],
        ...["\\ddp", "\\drds"],
      ];
      for (const cmd of commands) {
        await t.step(cmd, async () => {
          const [expected, actual] = await both(["-c", cmd]);
          assert.equal(actual, expected);
        });
      }

      await t.step("\\d+ shows column comments like PostgreSQL", async () => {
        const [expected, actual] = await both(["-c", "\\d+ orders"]);
        assert.match(actual, /Sum in EUR/);
        assert.equal(actual, expected);
      });

      await t.step("\\d prints expression indexes like PostgreSQL", async () => {
        const [expected, actual] = await both(["-c", "\\d users"]);
        assert.match(actual, /"users_name_lower_idx" UNIQUE, btree \(lower\(name\)\)/);
        assert.equal(actual, expected);
        for (const index of ["users_name_lower_idx", "orders_expr_idx"]) {
          const [want, got] = await both(["-c", `\\d ${index}`]);
          assert.equal(got, want);
        }
      });

      await t.step("\\l lists the database like PostgreSQL lists its own", async () => {
        const [expected, actual] = await both(["-c", "\\l"]);
        const ownRow = (s: string) => s.split("\n").find((l) => l.startsWith(" NAME |"));
        assert.ok(ownRow(expected));
        assert.equal(ownRow(actual), ownRow(expected));
        assert.equal(actual.split("\n")[2], expected.split("\n")[2], "header");
      });

      await t.step("the catalog queries of \\d NAME give PostgreSQL's answers", async () => {
        // The queries psql itself sends for \d users, captured with -E from PostgreSQL.
        const echoed = await psql(pgTarget, ["-E", "-c", "\\d users"]);
        const queries = [...echoed.out.matchAll(/\*+ QUERY \*+\n([\s\S]*?)\n\*+\n/g)]
          .map((m) => m[1]!.trim().replace(/;$/, ""));
        const pgOid = /c\.oid = '(\d+)'/.exec(queries.join("\n"))?.[1];
        assert.ok(pgOid, "psql's describe queries name the table by OID");
        const wanted = [
          /FROM pg_catalog\.pg_attribute a/,
          /FROM pg_catalog\.pg_class c, pg_catalog\.pg_class c2, pg_catalog\.pg_index i/,
          /r\.contype = 'c'/,
        ];
        for (const pattern of wanted) {
          const q = queries.find((x) => pattern.test(x));
          assert.ok(q, `psql sends a query matching ${pattern}`);
          const portable = q.replaceAll(
            `'${pgOid}'`,
            "(SELECT oid FROM pg_catalog.pg_class WHERE relname = 'users')",
          );
          const [expected, actual] = await both(["-t", "-c", portable]);
          assert.equal(actual, expected, q);
        }
      });
    } finally {
      await server?.stop();
      await pg?.stop();
    }
  },
});
