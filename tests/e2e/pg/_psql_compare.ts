/**
 * Runs the same psql scripts against ThunderDB and a real PostgreSQL 15 and
 * compares what psql prints. PostgreSQL gets a `thunder` superuser and a
 * `thunder` database so owner and database names match; only table widths
 * and timings are normalised.
 * @module
 */
import assert from "node:assert/strict";
import { startPostgres } from "../../_support/postgres.ts";
import {
  normaliseTable,
  normaliseTiming,
  psql,
  startThunder,
  type Target,
  thunderDb,
  thunderTarget,
  thunderUser,
} from "./_support.ts";

/** One psql script whose output is compared; `prepare` writes input files. */
export interface PsqlCase {
  readonly name: string;
  readonly script: (dir: string) => string;
  /** Extra normalisation, e.g. for files written by `\copy ... TO`. */
  readonly after?: (dir: string, output: string) => Promise<string>;
}

/** The schema both servers get before the cases run. */
export const schemaScript = `
CREATE TABLE items (
  id integer PRIMARY KEY,
  name text NOT NULL,
  price numeric(10,2),
  qty bigint DEFAULT 0
);
CREATE INDEX items_name_idx ON items (name);
CREATE TABLE notes (id bigint, body text);
INSERT INTO items VALUES (1, 'apple', 1.50, 3), (2, 'pear', 2.25, 5), (3, 'fig', NULL, 0);
`;

async function runCase(target: Target, dir: string, c: PsqlCase): Promise<string> {
  const result = await psql(target, c.script(dir));
  const text = c.after ? await c.after(dir, result.stdout) : result.stdout;
  return normaliseTable(normaliseTiming(text));
}

/** Starts a real PostgreSQL 15 with a `thunder` superuser and database. */
export async function preparePostgres(): Promise<{ target: Target; stop(): Promise<void> }> {
  const pg = await startPostgres();
  const admin: Target = { host: pg.host, port: pg.port, user: pg.user, database: pg.database };
  const setup = await psql(
    admin,
    `CREATE ROLE ${thunderUser} SUPERUSER LOGIN CREATEDB CREATEROLE REPLICATION BYPASSRLS;
CREATE DATABASE ${thunderDb} OWNER ${thunderUser};`,
  );
  assert.doesNotMatch(setup.stdout, /ERROR/);
  return {
    target: { host: pg.host, port: pg.port, user: thunderUser, database: thunderDb },
    stop: () => pg.stop(),
  };
}

/** Runs `cases` on both servers (fresh ones) and asserts equal psql output. */
export async function comparePsqlCases(cases: readonly PsqlCase[]): Promise<void> {
  const pg = await preparePostgres();
  const thunder = await startThunder();
  const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir()] as const;
  try {
    const targets = [thunderTarget(thunder), pg.target] as const;
    for (const t of targets) {
      const setup = await psql(t, schemaScript);
      assert.doesNotMatch(setup.stdout, /ERROR/, `schema setup on port ${t.port}`);
    }
    const failures: string[] = [];
    for (const c of cases) {
      const actual = await runCase(targets[0], dirs[0], c);
      const expected = await runCase(targets[1], dirs[1], c);
      if (actual !== expected) {
        failures.push(`--- ${c.name}\nexpected (PostgreSQL 15):\n${expected}\nactual:\n${actual}`);
      }
    }
    assert.equal(failures.length, 0, failures.join("\n"));
  } finally {
    assert.equal(await thunder.stop("SIGTERM"), 0);
    await pg.stop();
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
}
