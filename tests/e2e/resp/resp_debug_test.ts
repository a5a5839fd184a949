/**
 * End-to-end: DEBUG through server.ts and redis-cli. RELOAD and LOADAOF
 * rebuild every type and TTL from storage (and a restart after them finds
 * the same data), SET-ACTIVE-EXPIRE stops and restarts the expire cycle,
 * SLEEP holds every client, and enable-debug-command gates it all.
 */
import assert from "node:assert/strict";
import { redisCli, startServer } from "./_support.ts";

/** One redis-cli command's output without the trailing newline. */
async function cli(port: number, ...args: string[]): Promise<string> {
  return (await redisCli(port, args)).trimEnd();
}

/** Polls `probe` every 50 ms until it returns true or `ms` pass. */
async function eventually(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

Deno.test("DEBUG is refused by a server started without enable-debug-command", async () => {
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir);
  try {
    assert.match(await cli(server.port, "DEBUG", "HELP"), /^ERR DEBUG command not allowed\./);
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("redis-cli: DEBUG RELOAD / LOADAOF keep every type and TTL, and a restart agrees", async () => {
  const dir = await Deno.makeTempDir();
  let server = await startServer(dir, ["--enable-debug-command", "yes"]);
  try {
    let p = server.port;
    await cli(p, "SET", "s", "v", "EX", "1000");
    await cli(p, "RPUSH", "l", "a", "b", "c");
    await cli(p, "HSET", "h", "f1", "v1", "f2", "v2");
    await cli(p, "SADD", "set", "1", "2", "x");
    await cli(p, "ZADD", "z", "1.5", "a", "2", "b");
    await cli(p, "PEXPIRE", "z", "5000000");
    await cli(p, "XADD", "st", "1-1", "f", "v");
    await cli(p, "XGROUP", "CREATE", "st", "g", "0");
    await cli(
      p,
      "FUNCTION",
      "LOAD",
      "#!lua name=lib\nredis.register_function('f', function() return 1 end)",
    );
    const digest = await cli(p, "DEBUG", "DIGEST");
    assert.match(digest, /^[0-9a-f]{40}$/);
    assert.notEqual(digest, "0".repeat(40));
    assert.equal(await cli(p, "DEBUG", "RELOAD"), "OK");
    assert.equal(await cli(p, "DEBUG", "DIGEST"), digest);
    const ttl = Number(await cli(p, "TTL", "s"));
    assert.ok(ttl > 990 && ttl <= 1000, `TTL ${ttl}`);
    assert.equal(await cli(p, "LRANGE", "l", "0", "-1"), "a\nb\nc");
    assert.equal(await cli(p, "FCALL", "f", "0"), "1");
    // A write after the snapshot lives in the WAL only: LOADAOF replays it.
    await cli(p, "HSET", "h", "f3", "v3");
    const withF3 = await cli(p, "DEBUG", "DIGEST");
    assert.equal(await cli(p, "DEBUG", "LOADAOF"), "OK");
    assert.equal(await cli(p, "DEBUG", "DIGEST"), withF3);
    assert.equal(await cli(p, "HGET", "h", "f3"), "v3");
    // BGREWRITEAOF compacts the log into a snapshot; recovery from it gives the same data.
    assert.equal(
      await cli(p, "BGREWRITEAOF"),
      "Background append only file rewriting started",
    );
    assert.equal(await cli(p, "DEBUG", "LOADAOF"), "OK");
    assert.equal(await cli(p, "DEBUG", "DIGEST"), withF3);
    // No shutdown work: the restart recovers from what RELOAD and LOADAOF left on disk.
    await server.kill();
    server = await startServer(dir, ["--enable-debug-command", "yes"]);
    p = server.port;
    assert.equal(await cli(p, "DEBUG", "DIGEST"), withF3);
    assert.equal(await cli(p, "XINFO", "GROUPS", "st").then((t) => t.split("\n")[1]), "g");
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("redis-cli: DEBUG SET-ACTIVE-EXPIRE and DEBUG SLEEP", async () => {
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir, ["--enable-debug-command", "yes"]);
  try {
    const p = server.port;
    assert.equal(await cli(p, "DEBUG", "SET-ACTIVE-EXPIRE", "0"), "OK");
    await cli(p, "SET", "k", "v", "PX", "20");
    // The expire cycle runs ten times a second: with it off, the expired key stays counted.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await cli(p, "DBSIZE"), "1");
    assert.equal(await cli(p, "DEBUG", "SET-ACTIVE-EXPIRE", "1"), "OK");
    assert.ok(await eventually(5000, async () => await cli(p, "DBSIZE") === "0"));

    // While one client sleeps, another is not answered.
    const started = Date.now();
    const sleeping = cli(p, "DEBUG", "SLEEP", "0.6");
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await cli(p, "PING"), "PONG");
    assert.ok(Date.now() - started >= 550, `PING answered after ${Date.now() - started} ms`);
    assert.equal(await sleeping, "OK");
    assert.equal(await cli(p, "DEBUG", "SLEEP", "0"), "OK");
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
