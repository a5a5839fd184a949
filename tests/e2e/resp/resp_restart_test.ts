/**
 * End-to-end durability: data of every type and TTLs survive a clean restart
 * (SIGTERM) and a SIGKILL (within the appendfsync window).
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { startServer } from "./_support.ts";

async function withClient<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await r.connect();
  try {
    return await fn(r);
  } finally {
    await r.quit();
  }
}

async function writeAll(r: Redis, tag: string): Promise<void> {
  writtenAt.set(tag, Date.now());
  await r.set(`${tag}:s`, "string", "EX", 1000);
  await r.set(`${tag}:short`, "gone soon", "PX", 300);
  await r.incrbyfloat(`${tag}:f`, "2.5");
  await r.rpush(`${tag}:l`, "a", "b", "c");
  await r.lpop(`${tag}:l`);
  await r.hset(`${tag}:h`, { f1: "v1", f2: "v2" });
  await r.sadd(`${tag}:set`, "x", "y", "z");
  await r.spop(`${tag}:set`);
  await r.zadd(`${tag}:z`, 1, "one", 2, "two");
  await r.zincrby(`${tag}:z`, 5, "one");
  await r.select(7);
  await r.set(`${tag}:db7`, "seven");
  await r.select(0);
}

/** When each tag's keys were written: a TTL counts down from then, across restarts. */
const writtenAt = new Map<string, number>();

async function checkAll(r: Redis, tag: string): Promise<void> {
  assert.equal(await r.get(`${tag}:s`), "string");
  const ttl = await r.ttl(`${tag}:s`);
  const elapsed = Math.ceil((Date.now() - writtenAt.get(tag)!) / 1000);
  // The TTL kept counting while the server was down, and was not reset.
  assert.ok(ttl >= 1000 - elapsed - 1 && ttl <= 1000, `ttl ${ttl} after ${elapsed} s`);
  assert.equal(await r.exists(`${tag}:short`), 0);
  assert.equal(await r.get(`${tag}:f`), "2.5");
  assert.deepEqual(await r.lrange(`${tag}:l`, 0, -1), ["b", "c"]);
  assert.deepEqual(await r.hgetall(`${tag}:h`), { f1: "v1", f2: "v2" });
  assert.equal(await r.scard(`${tag}:set`), 2);
  assert.deepEqual(await r.zrange(`${tag}:z`, 0, -1, "WITHSCORES"), ["two", "2", "one", "6"]);
  await r.select(7);
  assert.equal(await r.get(`${tag}:db7`), "seven");
  await r.select(0);
}

Deno.test("data and TTLs survive SIGTERM and SIGKILL restarts", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let server = await startServer(dir);
    await withClient(server.port, (r) => writeAll(r, "clean"));
    await server.stop();
    await new Promise((r) => setTimeout(r, 400));
    server = await startServer(dir);
    await withClient(server.port, (r) => checkAll(r, "clean"));

    await withClient(server.port, (r) => writeAll(r, "kill"));
    await new Promise((r) => setTimeout(r, 1500));
    await server.kill();
    server = await startServer(dir);
    await withClient(server.port, async (r) => {
      await checkAll(r, "kill");
      await checkAll(r, "clean");
    });
    await server.kill();

    server = await startServer(dir, ["--appendfsync", "always"]);
    await withClient(server.port, async (r) => {
      await r.set("always", "durable");
      await r.rpush("always:l", "1", "2");
    });
    await server.kill();
    server = await startServer(dir);
    await withClient(server.port, async (r) => {
      assert.equal(await r.get("always"), "durable");
      assert.deepEqual(await r.lrange("always:l", 0, -1), ["1", "2"]);
      await checkAll(r, "clean");
    });
    await server.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
