/**
 * End-to-end streams: redis-cli and ioredis against server.ts. XADD/XRANGE
 * from both clients, a blocked XREAD and XREADGROUP woken by another
 * client's XADD, and streams with their consumer groups surviving a clean
 * restart and a SIGKILL.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { redisCli, startServer } from "./_support.ts";

function client(port: number): Redis {
  return new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1 });
}

Deno.test("streams over the wire: redis-cli, ioredis, blocking XREAD, restarts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let server = await startServer(dir);
    const cli = (...args: string[]) => redisCli(server.port, args);
    assert.equal((await cli("XADD", "s", "1-1", "f", "v")).trim(), "1-1");
    assert.equal((await cli("XADD", "s", "1-*", "g", "w")).trim(), "1-2");
    assert.equal((await cli("TYPE", "s")).trim(), "stream");
    assert.match(await cli("XADD", "s", "1-0", "f", "v"), /equal or smaller than the target/);

    const reader = client(server.port);
    const writer = client(server.port);
    await reader.connect();
    await writer.connect();
    try {
      assert.deepEqual(await reader.xrange("s", "-", "+"), [
        ["1-1", ["f", "v"]],
        ["1-2", ["g", "w"]],
      ]);
      // A blocked XREAD on `$` is served by the next XADD of another client.
      const blocked = reader.xread("BLOCK", 5000, "STREAMS", "s", "$");
      await waitBlocked(writer);
      const id = await writer.xadd("s", "*", "new", "entry");
      assert.deepEqual(await blocked, [["s", [[id, ["new", "entry"]]]]]);
      // A short BLOCK with nothing new times out with a null reply.
      assert.equal(await reader.xread("BLOCK", 50, "STREAMS", "s", "$"), null);
      // Consumer groups: a blocked XREADGROUP is served by XADD; the entry stays pending.
      assert.equal(await writer.xgroup("CREATE", "s", "g", "$"), "OK");
      const grouped = reader.xreadgroup("GROUP", "g", "alice", "BLOCK", 5000, "STREAMS", "s", ">");
      await waitBlocked(writer);
      const id2 = await writer.xadd("s", "*", "job", "1");
      assert.deepEqual(await grouped, [["s", [[id2, ["job", "1"]]]]]);
      const id3 = await writer.xadd("s", "*", "job", "2");
      await reader.xreadgroup("GROUP", "g", "bob", "STREAMS", "s", ">");
      assert.equal(await writer.xack("s", "g", id2!), 1);
      assert.deepEqual(await writer.xpending("s", "g"), [1, id3, id3, [["bob", "1"]]]);
      await writer.xadd("t", "MAXLEN", "2", "*", "n", "1");
      await writer.xadd("t", "MAXLEN", "2", "*", "n", "2");
      await writer.xadd("t", "MAXLEN", "2", "*", "n", "3");
      assert.equal(await writer.xlen("t"), 2);
    } finally {
      reader.disconnect();
      await writer.quit();
    }
    const before = await cli("XRANGE", "s", "-", "+");
    const pending = await cli("XPENDING", "s", "g", "-", "+", "10");
    const groups = await cli("XINFO", "GROUPS", "s");
    const trimmed = await cli("XRANGE", "t", "-", "+");
    await server.stop();
    server = await startServer(dir);
    assert.equal(await redisCli(server.port, ["XRANGE", "s", "-", "+"]), before);
    assert.equal(await redisCli(server.port, ["XRANGE", "t", "-", "+"]), trimmed);
    assert.equal(await redisCli(server.port, ["XINFO", "GROUPS", "s"]), groups);
    // The idle time counts on across the restart: compare IDs, owners and delivery counts.
    const withoutIdle = (text: string) => text.split("\n").filter((_, i) => i % 4 !== 2).join("\n");
    assert.equal(
      withoutIdle(await redisCli(server.port, ["XPENDING", "s", "g", "-", "+", "10"])),
      withoutIdle(pending),
    );

    await redisCli(server.port, ["XADD", "k", "5-0", "after", "restart"]);
    await redisCli(server.port, ["XDEL", "s", "1-1"]);
    // appendfsync everysec: wait past one flush before the SIGKILL.
    await new Promise((r) => setTimeout(r, 1500));
    await server.kill();
    server = await startServer(dir);
    assert.equal(
      (await redisCli(server.port, ["XRANGE", "k", "-", "+"])).trim(),
      "5-0\nafter\nrestart",
    );
    assert.equal((await redisCli(server.port, ["XLEN", "s"])).trim(), "4");
    assert.equal((await redisCli(server.port, ["XPENDING", "s", "g"])).split("\n")[0], "1");
    await server.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Waits (bounded) until the server reports a blocked client. */
async function waitBlocked(r: Redis): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const info = await r.info("clients");
    if (/blocked_clients:1/.test(info)) return;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error("XREAD did not block");
}
