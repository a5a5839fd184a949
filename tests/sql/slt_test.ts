/**
 * Runs every `tests/sql/slt/*.slt` file against the embedded engine, and
 * also against PostgreSQL when `THUNDERDB_SLT_PG_URL` names a server.
 */
import assert from "node:assert/strict";
import { EmbeddedTarget, parseSlt, PostgresTarget, runSlt, type SltTarget } from "./slt_runner.ts";

const dir = new URL("./slt/", import.meta.url);
const files = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".slt")).map((e) => e.name)
  .sort();
const pgUrl = Deno.env.get("THUNDERDB_SLT_PG_URL");

for (const file of files) {
  Deno.test(`slt ${file}`, async () => {
    const records = parseSlt(Deno.readTextFileSync(new URL(file, dir)));
    const targets: (() => Promise<SltTarget>)[] = [() => EmbeddedTarget.create()];
    if (pgUrl) targets.push(() => PostgresTarget.connect(pgUrl));
    for (const make of targets) {
      const target = await make();
      try {
        const failures = await runSlt(records, target, file);
        assert.deepEqual(failures, [], failures.join("\n\n"));
      } finally {
        await target.close();
      }
    }
  });
}

Deno.test("slt files hold many cases", () => {
  let count = 0;
  for (const file of files) count += parseSlt(Deno.readTextFileSync(new URL(file, dir))).length;
  assert.ok(count >= 600, `only ${count} slt records`);
});
