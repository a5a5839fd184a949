import assert from "node:assert/strict";
import { startServer } from "./_server.ts";

const cliPath = new URL("../../cli.ts", import.meta.url).pathname;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", cliPath, ...args],
    stdin: "null",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("cli: --help prints usage, unknown options exit 2", async () => {
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: thunder-cli/);
  const bad = await cli(["--frobnicate"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Unknown option --frobnicate/);
});

Deno.test("cli: health and ready report on a running server", async () => {
  const server = await startServer();
  try {
    const health = await cli(["health", "--http-port", String(server.ports.http)]);
    assert.equal(health.code, 0, health.stderr);
    assert.equal(JSON.parse(health.stdout).status, "ok");
    const ready = await cli(["ready", "--http-port", String(server.ports.http)]);
    assert.equal(ready.code, 0);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const down = await cli(["ready", "--http-port", String(server.ports.http)]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach/);
});
