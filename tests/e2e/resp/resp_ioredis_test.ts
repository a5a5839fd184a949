/**
 * End-to-end with the ioredis client: pipelines, MULTI/EXEC with WATCH,
 * pub/sub, blocking pops, binary values.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { startServer } from "./_support.ts";

for (const transport of ["native", "deno"]) {
  Deno.test({
    name: `ioredis: pipelines, transactions, pub/sub and blocking pops (${transport} transport)`,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      const server = await startServer(dir, ["--transport", transport]);
      const opts = {
        host: "127.0.0.1",
        port: server.port,
        lazyConnect: true,
        maxRetriesPerRequest: 1,
      };
      const a = new Redis(opts);
      const b = new Redis(opts);
      const sub = new Redis(opts);
      try {
        await Promise.all([a.connect(), b.connect(), sub.connect()]);
        const pipe = a.pipeline();
        for (let i = 0; i < 1000; i++) pipe.set(`p:${i}`, String(i));
        pipe.incrby("p:1", 10);
        pipe.lpush("p:2", "x");
        pipe.mget("p:0", "p:999", "nope");
        const results = await pipe.exec();
        assert.equal(results!.length, 1002 + 1);
        assert.deepEqual(results![1000], [null, 11]);
        assert.equal(
          (results![1001]![0] as Error).message,
          "WRONGTYPE Operation against a key holding the wrong kind of value",
        );
        assert.deepEqual(results![1002], [null, ["0", "999", null]]);

        assert.deepEqual(await a.multi().set("t", "1").incr("t").hset("th", "f", "v").exec(), [
          [null, "OK"],
          [null, 2],
          [null, 1],
        ]);
        await a.watch("t");
        await b.set("t", "changed");
        assert.equal(await a.multi().set("t", "mine").exec(), null);
        assert.equal(await a.get("t"), "changed");
        await assert.rejects(a.multi().set("x", "1").call("NOSUCH").exec(), /EXECABORT/);

        const got: string[] = [];
        const delivered = new Promise<void>((resolve) => {
          sub.on("message", (channel: string, message: string) => {
            got.push(`${channel}:${message}`);
            if (got.length === 2) resolve();
          });
          sub.on("pmessage", (_p: string, channel: string, message: string) => {
            got.push(`p ${channel}:${message}`);
            if (got.length === 2) resolve();
          });
        });
        await sub.subscribe("news");
        await sub.psubscribe("ne*");
        assert.equal(await a.publish("news", "hi"), 2);
        await delivered;
        assert.deepEqual(got.sort(), ["news:hi", "p news:hi"]);
        assert.deepEqual(await a.pubsub("NUMSUB", "news"), ["news", 1]);

        const popped = b.blpop("queue", 5);
        await new Promise((r) => setTimeout(r, 100));
        await a.rpush("queue", "job1");
        assert.deepEqual(await popped, ["queue", "job1"]);
        const zpopped = b.bzpopmax("zq", 5);
        await new Promise((r) => setTimeout(r, 50));
        await a.zadd("zq", 3, "high", 1, "low");
        assert.deepEqual(await zpopped, ["zq", "high", "3"]);
        assert.equal(await b.blpop("empty", 0.1), null);

        const binary = new Uint8Array([0, 255, 13, 10, 128]);
        await a.set("bin", Buffer.from(binary));
        assert.deepEqual([...(await a.getBuffer("bin"))!], [...binary]);
        const large = new Uint8Array(1024 * 1024);
        for (let i = 0; i < large.length; i++) large[i] = (i * 131) & 255;
        await a.set("large", Buffer.from(large));
        await a.append("large", Buffer.from([7]));
        const largeBack = (await a.getBuffer("large"))!;
        assert.equal(largeBack.length, large.length + 1);
        assert.equal(largeBack.subarray(0, large.length).equals(Buffer.from(large)), true);
        assert.equal(await a.call("HELLO", "2").then((r) => Array.isArray(r)), true);
      } finally {
        await Promise.all([a.quit(), b.quit(), sub.quit()]);
        await server.stop();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
