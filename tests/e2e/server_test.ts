import assert from "node:assert/strict";
import { runServerOnce, startServer } from "./_server.ts";

Deno.test("server: serves the health endpoints and stops cleanly on SIGTERM", async () => {
  const server = await startServer();
  try {
    const base = `http://127.0.0.1:${server.ports.http}`;
    for (const path of ["/admin/live", "/admin/ready", "/admin/health", "/api/v1/health"]) {
      const response = await fetch(base + path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get("content-type") ?? "", /application\/json/);
      const body = await response.json();
      assert.equal(typeof body, "object");
    }
    const health = await (await fetch(`${base}/api/v1/health`)).json();
    assert.equal(health.status, "ok");
    assert.equal(health.nodeId, 1);
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^thunderdb_up 1$/m);
  } finally {
    assert.equal(await server.stop("SIGTERM"), 0);
  }
  assert.match(server.logText(), /Shutdown complete/);
});

Deno.test("server: SIGINT also shuts down with exit code 0", async () => {
  const server = await startServer();
  assert.equal(await server.stop("SIGINT"), 0);
});

Deno.test("server: a second server on the same data directory refuses to start", async () => {
  const first = await startServer();
  try {
    const second = await runServerOnce([
      "--data-dir",
      first.dataDir,
      "--http-port=0",
      "--pg-port=0",
      "--resp-port=0",
    ]);
    assert.equal(second.code, 1);
    assert.match(second.output, /is in use by another ThunderDB server \(pid \d+\)/);
    const still = await fetch(`http://127.0.0.1:${first.ports.http}/admin/ready`);
    assert.equal(still.status, 200);
    await still.body?.cancel();
  } finally {
    assert.equal(await first.stop(), 0);
  }
});

Deno.test("server: a crashed server's lock does not block a restart", async () => {
  const first = await startServer();
  await first.stop("SIGKILL");
  const again = await startServer({ dataDir: first.dataDir });
  assert.equal(await again.stop(), 0);
});

Deno.test("server: invalid configuration exits 2 naming the key and the expected form", async () => {
  const flag = await runServerOnce(["--page-size", "17KB"]);
  assert.equal(flag.code, 2);
  assert.match(flag.output, /storage\.page_size.*"17KB".*power of two/);
  const env = await runServerOnce([], { THUNDERDB_SERVER_PG_PORT: "99999" });
  assert.equal(env.code, 2);
  assert.match(
    env.output,
    /server\.pg_port \(from environment variable THUNDERDB_SERVER_PG_PORT\)/,
  );
  const dir = await Deno.makeTempDir();
  const file = `${dir}/bad.toml`;
  await Deno.writeTextFile(file, '[storage]\nbuffer_pool_size = "lots"\n');
  const fromFile = await runServerOnce(["--config", file]);
  assert.equal(fromFile.code, 2);
  assert.match(fromFile.output, /storage\.buffer_pool_size.*expected a size like "128MB"/);
  const unknown = await runServerOnce(["--frobnicate"]);
  assert.equal(unknown.code, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("server: --help describes flags and keys", async () => {
  const help = await runServerOnce(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.output, /--data-dir VALUE/);
  assert.match(help.output, /THUNDERDB_<SECTION>_<KEY>/);
  assert.match(help.output, /storage\.buffer_pool_size/);
});
