/**
 * Every benchmark script answers `--help` with its usage and exits 0 without
 * starting any work (no servers, no data).
 */
import assert from "node:assert/strict";

const scripts = ["pgbench", "resp", "run", "sql", "sql_parse", "storage", "wal_commit"];

Deno.test("bench scripts print their usage on --help and exit 0", async () => {
  for (const name of scripts) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--unstable-ffi",
        new URL(`../bench/${name}.ts`, import.meta.url).pathname,
        "--help",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, `${name}: ${new TextDecoder().decode(out.stderr)}`);
    assert.match(stdout, /^usage: /i, `${name} prints its usage first`);
    assert.match(stdout, new RegExp(`bench/${name}\\.ts|deno task bench`), name);
  }
});
