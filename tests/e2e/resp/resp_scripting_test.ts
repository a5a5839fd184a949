/**
 * End-to-end Lua scripting through server.ts: redis-cli (EVAL, --eval,
 * SCRIPT, FUNCTION, FCALL), ioredis (defineCommand, which tries EVALSHA and
 * falls back to EVAL), and a script's writes and a function library
 * surviving SIGKILL (WAL replay) and a clean restart (snapshot).
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { redisCli, startServer } from "./_support.ts";

/** A token-bucket rate limiter, the kind of script users bring along. */
const limiter = `
local tokens = tonumber(redis.call('get', KEYS[1]) or ARGV[1])
if tokens <= 0 then return 0 end
redis.call('set', KEYS[1], tokens - 1)
redis.call('expire', KEYS[1], 60)
return tokens
`;

Deno.test("Lua scripts run over the wire and their writes survive restarts", async () => {
  const dir = await Deno.makeTempDir();
  const scriptFile = `${dir}/incr.lua`;
  await Deno.writeTextFile(
    scriptFile,
    "redis.call('rpush', KEYS[1], ARGV[1]) return redis.call('llen', KEYS[1])",
  );
  try {
    let server = await startServer(dir, ["--appendfsync", "always"]);
    const port = server.port;
    assert.equal(await redisCli(port, ["EVAL", "return {1, 'two', {3}}", "0"]), "1\ntwo\n3\n");
    assert.equal(await redisCli(port, ["--eval", scriptFile, "cli:list", ",", "a"]), "1\n");
    assert.equal(await redisCli(port, ["--eval", scriptFile, "cli:list", ",", "b"]), "2\n");
    const sha = (await redisCli(port, ["SCRIPT", "LOAD", "return ARGV[1]"])).trim();
    assert.equal(sha.length, 40);
    assert.equal(await redisCli(port, ["EVALSHA", sha, "0", "hi"]), "hi\n");
    assert.match(await redisCli(port, ["EVAL", "return x", "0"]), /nonexistent global variable/);
    const lib = "#!lua name=jobs\nredis.register_function('enqueue', function(keys, args) " +
      "return redis.call('lpush', keys[1], args[1]) end)";
    assert.equal(await redisCli(port, ["FUNCTION", "LOAD", lib]), "jobs\n");
    assert.equal(await redisCli(port, ["FCALL", "enqueue", "1", "q", "job1"]), "1\n");

    const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    try {
      r.defineCommand("take", { numberOfKeys: 1, lua: limiter });
      const take = (key: string, n: number) =>
        (r as unknown as { take(k: string, n: number): Promise<number> }).take(key, n);
      // The first call finds no cached script (NOSCRIPT) and ioredis falls back to EVAL.
      assert.deepEqual([await take("bucket", 3), await take("bucket", 3)], [3, 2]);
      assert.deepEqual([await take("bucket", 3), await take("bucket", 3)], [1, 0]);
      const results = await r.multi().eval("return redis.call('incr', KEYS[1])", 1, "ctr")
        .get("ctr").exec();
      assert.deepEqual(results, [[null, 1], [null, "1"]]);
    } finally {
      await r.quit();
    }
    await server.kill();

    server = await startServer(dir);
    assert.equal(await redisCli(server.port, ["LRANGE", "cli:list", "0", "-1"]), "a\nb\n");
    assert.equal(await redisCli(server.port, ["GET", "bucket"]), "0\n");
    assert.equal(await redisCli(server.port, ["GET", "ctr"]), "1\n");
    assert.equal(await redisCli(server.port, ["SCRIPT", "EXISTS", sha]), "0\n");
    assert.equal(await redisCli(server.port, ["FCALL", "enqueue", "1", "q", "job2"]), "2\n");
    await redisCli(server.port, ["EVAL", "redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"]);
    await server.stop();
    server = await startServer(dir);
    assert.equal(await redisCli(server.port, ["GET", "k"]), "v\n");
    assert.equal(await redisCli(server.port, ["FCALL", "enqueue", "1", "q", "job3"]), "3\n");
    assert.equal(await redisCli(server.port, ["LRANGE", "q", "0", "-1"]), "job3\njob2\njob1\n");
    await server.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
