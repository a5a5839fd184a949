/**
 * DUMP and RESTORE between a real Redis 7.0 and ThunderDB, both ways, for
 * every type in its compact and its plain encoding.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { startServer } from "./_support.ts";
import { startRedis } from "./_redis_server.ts";

type Args = (string | number)[];

/** Commands that build one key of each type and size on a server. */
function populate(): Args[] {
  const cmds: Args[] = [
    ["SET", "str", "hello"],
    ["SET", "int", "12345"],
    ["SET", "negint", "-7"],
    ["SET", "bigint", "9223372036854775807"],
    ["SET", "long", "abc".repeat(400)],
    ["SET", "bin", "\u0000\u0001\u0002\u00ff".repeat(3)],
    ["PFADD", "hll", "a", "b", "c"],
    ["RPUSH", "list_small", "a", "1", "-300", "70000", "b"],
    ["SADD", "set_ints", "1", "2", "300", "-70000"],
    ["SADD", "set_small", "a", "b", "c"],
    ["ZADD", "zset_small", "1.5", "a", "-2", "b", "inf", "c", "3", "d"],
    ["HSET", "hash_small", "f1", "v1", "f2", "2"],
    ["XADD", "stream", "1-1", "a", "1", "b", "2"],
    ["XADD", "stream", "1-2", "a", "3", "b", "4"],
    ["XADD", "stream", "2-0", "c", "5"],
    ["XADD", "stream", "3-0", "a", "6", "b", "7"],
    ["XDEL", "stream", "1-2"],
    ["XGROUP", "CREATE", "stream", "g1", "0"],
    ["XGROUP", "CREATE", "stream", "g2", "$"],
    ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "stream", ">"],
    ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "1", "STREAMS", "stream", ">"],
    ["XGROUP", "CREATECONSUMER", "stream", "g1", "carol"],
  ];
  const big = (i: number) => `member-${i}-${"x".repeat(i % 50)}`;
  for (let i = 0; i < 300; i++) {
    cmds.push(["RPUSH", "list_big", big(i)]);
    cmds.push(["SADD", "set_big", big(i)]);
    cmds.push(["SADD", "set_bigints", i * 1000]);
    cmds.push(["ZADD", "zset_big", i / 3, big(i)]);
    cmds.push(["HSET", "hash_big", big(i), i]);
    cmds.push(["XADD", "stream_big", "*", "n", i, ...(i % 7 === 0 ? ["extra", "y"] : [])]);
  }
  cmds.push(["RPUSH", "list_huge_item", "z".repeat(10_000), "small"]);
  return cmds;
}

/** What a key holds, read the same way on both servers. */
async function read(r: Redis, k: string): Promise<unknown> {
  const type = await r.type(k);
  const sorted = (v: unknown) => (v as string[]).slice().sort();
  switch (type) {
    case "string":
      return [type, await r.call("GET", k)];
    case "list":
      return [type, await r.call("LRANGE", k, 0, -1)];
    case "set":
      return [type, sorted(await r.call("SMEMBERS", k))];
    case "zset":
      return [type, await r.call("ZRANGE", k, 0, -1, "WITHSCORES")];
    case "hash": {
      const flat = (await r.call("HGETALL", k)) as string[];
      const pairs: string[] = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
      return [type, pairs.sort()];
    }
    case "stream":
      return [type, await streamState(r, k)];
    default:
      return [type];
  }
}

/** A stream's entries, counters, groups and pending entries (without idle times). */
async function streamState(r: Redis, k: string): Promise<unknown> {
  const info = (await r.call("XINFO", "STREAM", k)) as unknown[];
  const pick = (names: string[]) => names.map((n) => info[info.indexOf(n) + 1]);
  const groups = (await r.call("XINFO", "GROUPS", k)) as unknown[][];
  const pending: unknown[] = [];
  for (const g of groups) {
    const name = g[1] as string;
    const list = (await r.call("XPENDING", k, name, "-", "+", 100)) as unknown[][];
    pending.push(list.map((p) => [p[0], p[1], p[3]]));
    const consumers = (await r.call("XINFO", "CONSUMERS", k, name)) as unknown[][];
    pending.push(consumers.map((c) => [c[1], c[3]]));
  }
  return {
    entries: await r.call("XRANGE", k, "-", "+"),
    counters: pick(["length", "last-generated-id", "max-deleted-entry-id", "entries-added"]),
    groups,
    pending,
  };
}

async function withBoth(fn: (redis: Redis, thunder: Redis) => Promise<void>): Promise<void> {
  // DEBUG sets the element size from which Redis 7.0 stores list elements in plain nodes.
  const real = await startRedis(["--enable-debug-command", "yes"]);
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir);
  const opts = { host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 };
  const redis = new Redis({ ...opts, port: real.port });
  const thunder = new Redis({ ...opts, port: server.port });
  try {
    await Promise.all([redis.connect(), thunder.connect()]);
    await fn(redis, thunder);
  } finally {
    redis.disconnect();
    thunder.disconnect();
    await server.stop();
    await real.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(r: Redis, cmds: Args[]): Promise<void> {
  const p = r.pipeline();
  for (const [name, ...args] of cmds) p.call(String(name), ...args);
  for (const [e] of (await p.exec())!) assert.equal(e, null);
}

/** DUMPs every key from `from` and RESTOREs it into `to`; both must then read the same. */
async function moveAll(from: Redis, to: Redis): Promise<void> {
  const keys = ((await from.call("KEYS", "*")) as string[]).sort();
  assert.ok(keys.length >= 20);
  for (const k of keys) {
    const payload = await from.dumpBuffer(k);
    assert.ok(payload !== null, k);
    assert.equal(await to.call("RESTORE", k, 0, payload), "OK", k);
    assert.deepEqual(await read(to, k), await read(from, k), k);
  }
  assert.equal(await to.call("PFCOUNT", "hll"), 3);
}

Deno.test("DUMP from Redis 7.0 RESTOREs into ThunderDB for every type and encoding", async () => {
  await withBoth(async (redis, thunder) => {
    await run(redis, populate());
    await redis.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100");
    await redis.call("RPUSH", "list_plain_nodes", "p".repeat(150), "small", "q".repeat(300));
    await moveAll(redis, thunder);
    // A group's consumer keeps its pending entries: XACK works on the restored copy.
    assert.equal(await thunder.call("XACK", "stream", "g1", "1-1"), 1);
  });
});

Deno.test("DUMP from ThunderDB RESTOREs into Redis 7.0 for every type and encoding", async () => {
  await withBoth(async (redis, thunder) => {
    await run(thunder, populate());
    await moveAll(thunder, redis);
    assert.equal(await redis.call("OBJECT", "ENCODING", "list_small"), "quicklist");
    assert.equal(await redis.call("OBJECT", "ENCODING", "set_ints"), "intset");
    assert.equal(await redis.call("OBJECT", "ENCODING", "hash_small"), "listpack");
    assert.equal(await redis.call("OBJECT", "ENCODING", "zset_big"), "skiplist");
    assert.equal(await redis.call("XACK", "stream", "g1", "1-1"), 1);
  });
});
