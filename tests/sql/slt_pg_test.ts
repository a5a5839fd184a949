/**
 * Runs every `tests/sql/slt/*.slt` file against a real PostgreSQL 15 started
 * for this test, one fresh database per file. PostgreSQL is the source of
 * truth: every expectation in the slt files must hold there too.
 */
import assert from "node:assert/strict";
import { startPostgres } from "../_support/postgres.ts";
import { parseSlt, PostgresTarget, runSlt } from "./slt_runner.ts";

/**
 * Files excluded from the PostgreSQL run, each with the reason. Only files
 * whose expectations are known to disagree with PostgreSQL belong here.
 */
export const PG_EXCLUDED_FILES: ReadonlyMap<string, string> = new Map<string, string>([]);

const dir = new URL("./slt/", import.meta.url);
const files = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".slt")).map((e) => e.name)
  .filter((name) => !PG_EXCLUDED_FILES.has(name)).sort();

Deno.test("slt files pass on PostgreSQL 15", async (t) => {
  const server = await startPostgres({ fsync: false });
  try {
    const admin = await PostgresTarget.connect(server.url);
    try {
      for (const [i, file] of files.entries()) {
        await t.step(file, async () => {
          const db = `slt_${i}`;
          const created = await admin.run(`CREATE DATABASE ${db}`);
          assert.ok(created.ok, `CREATE DATABASE ${db} failed`);
          const target = await PostgresTarget.connect(
            server.url.replace(/\/postgres$/, `/${db}`),
          );
          try {
            const records = parseSlt(Deno.readTextFileSync(new URL(file, dir)));
            const failures = await runSlt(records, target, file);
            assert.deepEqual(failures, [], failures.join("\n\n"));
          } finally {
            await target.close();
          }
        });
      }
    } finally {
      await admin.close();
    }
  } finally {
    await server.stop();
  }
});
