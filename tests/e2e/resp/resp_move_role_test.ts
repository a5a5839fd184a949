/**
 * End-to-end through redis-cli against server.ts: MOVE survives a restart
 * (SIGTERM, and SIGKILL with appendfsync always: the WAL replays the MOVE);
 * ROLE, WAIT and REPLICAOF answer as a Redis master with no replicas.
 */
import assert from "node:assert/strict";
import { redisCli, startServer } from "./_support.ts";

Deno.test("MOVE over the wire survives SIGTERM and SIGKILL restarts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let server = await startServer(dir, ["--appendfsync", "always"]);
    let p = server.port;
    assert.equal(await redisCli(p, ["SET", "k", "v", "EX", "1000"]), "OK\n");
    assert.equal(await redisCli(p, ["MOVE", "k", "4"]), "1\n");
    assert.equal(await redisCli(p, ["MOVE", "k", "4"]), "0\n");
    assert.equal(
      await redisCli(p, ["MOVE", "k", "x"]),
      "ERR value is not an integer or out of range\n\n",
    );
    await server.stop();
    server = await startServer(dir, ["--appendfsync", "always"]);
    p = server.port;
    assert.equal(await redisCli(p, ["EXISTS", "k"]), "0\n");
    assert.equal(await redisCli(p, ["-n", "4", "GET", "k"]), "v\n");
    const ttl = Number(await redisCli(p, ["-n", "4", "TTL", "k"]));
    assert.ok(ttl > 900 && ttl <= 1000, `ttl ${ttl}`);
    // Moved back, then the process is killed: the WAL record of the MOVE is replayed.
    assert.equal(await redisCli(p, ["-n", "4", "MOVE", "k", "0"]), "1\n");
    await server.kill();
    server = await startServer(dir, ["--appendfsync", "always"]);
    p = server.port;
    assert.equal(await redisCli(p, ["GET", "k"]), "v\n");
    assert.equal(await redisCli(p, ["-n", "4", "EXISTS", "k"]), "0\n");
    await server.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ROLE, WAIT and REPLICAOF over the wire", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const server = await startServer(dir);
    const p = server.port;
    assert.equal(await redisCli(p, ["ROLE"]), "master\n0\n\n");
    assert.equal(await redisCli(p, ["WAIT", "0", "0"]), "0\n");
    const started = Date.now();
    assert.equal(await redisCli(p, ["WAIT", "1", "200"]), "0\n");
    assert.ok(Date.now() - started >= 200);
    assert.equal(await redisCli(p, ["WAIT", "0", "-1"]), "ERR timeout is negative\n\n");
    assert.equal(await redisCli(p, ["REPLICAOF", "NO", "ONE"]), "OK\n");
    assert.match(await redisCli(p, ["REPLICAOF", "127.0.0.1", "6379"]), /^ERR ThunderDB cannot/);
    assert.equal(await redisCli(p, ["LOLWUT"]), "Redis ver. 7.0.15\n");
    await server.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
