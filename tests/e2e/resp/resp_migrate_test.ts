/**
 * MIGRATE between a real Redis 7.0 and ThunderDB, both ways: KEYS, COPY,
 * REPLACE, AUTH and AUTH2, TTLs, the destination database and the errors.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { startServer } from "./_support.ts";
import { startRedis } from "./_redis_server.ts";

const opts = { host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 };

async function connect(port: number, extra: Record<string, string> = {}): Promise<Redis> {
  const r = new Redis({ ...opts, ...extra, port });
  await r.connect();
  return r;
}

/** The error text a command replies, or its value. */
async function reply(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

Deno.test("MIGRATE from ThunderDB to Redis 7.0: KEYS, COPY, REPLACE, AUTH, AUTH2, errors", async () => {
  const real = await startRedis(["--requirepass", "secret"]);
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir);
  const redis = await connect(real.port, { password: "secret" });
  const thunder = await connect(server.port);
  const target = ["127.0.0.1", real.port] as const;
  try {
    await thunder.call("SET", "s", "v", "PX", 60_000);
    await thunder.call("RPUSH", "l", "a", "b", "c");
    await thunder.call("HSET", "h", "f", "1");
    await thunder.call("XADD", "x", "1-1", "k", "v");
    await thunder.call("XGROUP", "CREATE", "x", "g", "0");
    await thunder.call("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "x", ">");

    assert.equal(
      await reply(thunder.call("MIGRATE", ...target, "s", 0, 1000)),
      "ERR Target instance replied with error: NOAUTH Authentication required.",
    );
    assert.equal(await thunder.call("EXISTS", "s"), 1);
    assert.equal(await thunder.call("MIGRATE", ...target, "s", 0, 1000, "AUTH", "secret"), "OK");
    assert.equal(await thunder.call("EXISTS", "s"), 0);
    assert.equal(await redis.call("GET", "s"), "v");
    const ttl = Number(await redis.call("PTTL", "s"));
    assert.ok(ttl > 50_000 && ttl <= 60_000, String(ttl));

    const keys = ["", 2, 1000, "AUTH2", "default", "secret", "KEYS", "l", "h", "x", "missing"];
    assert.equal(await thunder.call("MIGRATE", ...target, ...keys), "OK");
    assert.equal(await thunder.call("EXISTS", "l", "h", "x"), 0);
    await redis.call("SELECT", 2);
    assert.deepEqual(await redis.call("LRANGE", "l", 0, -1), ["a", "b", "c"]);
    assert.deepEqual(await redis.call("HGETALL", "h"), ["f", "1"]);
    const pending = (await redis.call("XPENDING", "x", "g")) as unknown[];
    assert.equal(pending[0], 1);

    await thunder.call("RPUSH", "l", "new");
    assert.equal(
      await reply(thunder.call("MIGRATE", ...target, "l", 2, 1000, "AUTH", "secret")),
      "ERR Target instance replied with error: BUSYKEY Target key name already exists.",
    );
    assert.equal(await thunder.call("EXISTS", "l"), 1);
    const copy = ["l", 2, 1000, "COPY", "REPLACE", "AUTH", "secret"];
    assert.equal(await thunder.call("MIGRATE", ...target, ...copy), "OK");
    assert.equal(await thunder.call("EXISTS", "l"), 1);
    assert.deepEqual(await redis.call("LRANGE", "l", 0, -1), ["new"]);

    // A large value: 200,000 elements, several MB of payload.
    for (let i = 0; i < 200; i++) {
      const items = Array.from({ length: 1000 }, (_, j) => `item ${i * 1000 + j}`);
      await thunder.call("RPUSH", "big", ...items);
    }
    assert.equal(
      await thunder.call("MIGRATE", ...target, "big", 2, 10_000, "AUTH", "secret"),
      "OK",
    );
    assert.equal(await redis.call("LLEN", "big"), 200_000);
    assert.equal(await redis.call("LINDEX", "big", 123_456), "item 123456");
    assert.match(String(await thunder.call("INFO", "stats")), /migrate_cached_sockets:1\r\n/);
    assert.equal(await thunder.call("MIGRATE", ...target, "missing", 0, 1000), "NOKEY");
    assert.equal(
      await reply(thunder.call("MIGRATE", ...target, "l", 0, 1000, "KEYS", "l")),
      "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string",
    );
    assert.equal(
      await reply(thunder.call("MIGRATE", ...target, "l", 0, 1000, "AUTH")),
      "ERR syntax error",
    );
    const closed = await startRedis();
    const closedPort = closed.port;
    await closed.stop();
    assert.equal(
      await reply(thunder.call("MIGRATE", "127.0.0.1", closedPort, "l", 0, 200)),
      "IOERR error or timeout writing to target instance",
    );
  } finally {
    redis.disconnect();
    thunder.disconnect();
    await server.stop();
    await real.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MIGRATE from Redis 7.0 to ThunderDB: KEYS, REPLACE and AUTH", async () => {
  const real = await startRedis();
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir, ["--requirepass", "pw"]);
  const redis = await connect(real.port);
  const thunder = await connect(server.port, { password: "pw" });
  const target = ["127.0.0.1", server.port] as const;
  try {
    for (let i = 0; i < 200; i++) await redis.call("ZADD", "z", i, `m${i}`);
    await redis.call("SADD", "s", "1", "2", "3");
    await redis.call("SET", "n", "42");
    await redis.call("XADD", "x", "5-5", "a", "b");
    const migrated = await redis.call(
      "MIGRATE",
      ...target,
      "",
      1,
      2000,
      "REPLACE",
      "AUTH",
      "pw",
      "KEYS",
      "z",
      "s",
      "n",
      "x",
    );
    assert.equal(migrated, "OK");
    assert.equal(await redis.call("EXISTS", "z", "s", "n", "x"), 0);
    await thunder.call("SELECT", 1);
    assert.equal(await thunder.call("ZCARD", "z"), 200);
    assert.equal(await thunder.call("ZSCORE", "z", "m150"), "150");
    assert.deepEqual(((await thunder.call("SMEMBERS", "s")) as string[]).sort(), ["1", "2", "3"]);
    assert.equal(await thunder.call("GET", "n"), "42");
    assert.deepEqual(await thunder.call("XRANGE", "x", "-", "+"), [["5-5", ["a", "b"]]]);
    await redis.call("SET", "n", "43");
    assert.equal(
      await reply(redis.call("MIGRATE", ...target, "n", 1, 2000, "AUTH", "pw")),
      "ERR Target instance replied with error: BUSYKEY Target key name already exists.",
    );
    assert.equal(
      await redis.call("MIGRATE", ...target, "n", 1, 2000, "AUTH", "pw", "REPLACE"),
      "OK",
    );
    assert.equal(await thunder.call("GET", "n"), "43");
  } finally {
    redis.disconnect();
    thunder.disconnect();
    await server.stop();
    await real.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
