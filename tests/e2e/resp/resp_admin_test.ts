/**
 * End-to-end with ioredis against server.ts: the slow log, the latency
 * monitor and histograms, DUMP/RESTORE (surviving a restart), INFO
 * errorstats and commandstats, CONFIG SET's all-or-nothing rule, CLIENT PAUSE.
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { startServer } from "./_support.ts";

function connect(port: number): Redis {
  return new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1 });
}

/** INFO `section` as a map of its fields. */
async function info(r: Redis, section: string): Promise<Map<string, string>> {
  const text = await r.info(section);
  const out = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) out.set(line.slice(0, at), line.slice(at + 1));
  }
  return out;
}

Deno.test("ioredis: SLOWLOG, LATENCY, errorstats and commandstats through server.ts", async () => {
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir);
  const r = connect(server.port);
  try {
    await r.connect();
    await r.client("SETNAME", "e2e");
    await r.config("SET", "slowlog-log-slower-than", "0");
    await r.slowlog("RESET");
    await r.set("k", "v");
    const entries = await r.slowlog("GET", 2) as unknown[][];
    assert.deepEqual(entries[0]![3], ["set", "k", "v"]);
    assert.deepEqual(entries[1]![3], ["slowlog", "RESET"]);
    const addr = /addr=(\S+)/.exec(await r.client("INFO") as string)![1];
    assert.deepEqual(entries[0]!.slice(4), [addr, "e2e"]);
    assert.equal(typeof entries[0]![2], "number");
    await r.config("SET", "slowlog-log-slower-than", "-1");
    await r.slowlog("RESET");
    await r.get("k");
    assert.equal(await r.slowlog("LEN"), 0);

    // A 100,000-member SADD takes well over a millisecond: a latency monitor event.
    await r.config("SET", "latency-monitor-threshold", "1");
    await r.sadd("big", ...Array.from({ length: 100_000 }, (_, i) => `member:${i}`));
    const latest = await r.call("LATENCY", "LATEST") as unknown[][];
    assert.equal(latest[0]![0], "command");
    assert.equal((latest[0]![3] as number) >= 1, true);
    // Monitoring off first: on a loaded machine any later command may take a millisecond too.
    await r.config("SET", "latency-monitor-threshold", "0");
    assert.equal(await r.call("LATENCY", "RESET"), 1);
    assert.deepEqual(await r.call("LATENCY", "LATEST"), []);
    const histogram = await r.call("LATENCY", "HISTOGRAM", "sadd") as unknown[];
    assert.equal(histogram[0], "sadd");
    assert.deepEqual((histogram[1] as unknown[]).slice(0, 2), ["calls", 1]);

    await r.config("RESETSTAT");
    await assert.rejects(r.lpush("k", "x"), /WRONGTYPE/);
    await assert.rejects(r.call("NOSUCHCOMMAND"), /ERR unknown command/);
    const errors = await info(r, "errorstats");
    assert.equal(errors.get("errorstat_WRONGTYPE"), "count=1");
    assert.equal(errors.get("errorstat_ERR"), "count=1");
    assert.equal((await info(r, "stats")).get("total_error_replies"), "2");
    const lpush = (await info(r, "commandstats")).get("cmdstat_lpush")!;
    assert.match(lpush, /^calls=1,usec=\d+,usec_per_call=[\d.]+,rejected_calls=0,failed_calls=1$/);

    await assert.rejects(
      r.config("SET", "maxmemory", "1000000", "maxmemory-clients", "200%"),
      /percentage argument must be less or equal to 100/,
    );
    assert.deepEqual(await r.config("GET", "maxmemory"), ["maxmemory", "0"]);

    // CLIENT PAUSE WRITE: another client's SET waits for CLIENT UNPAUSE, its GET does not.
    const other = connect(server.port);
    try {
      await other.connect();
      assert.equal(await r.client("PAUSE", 60_000, "WRITE"), "OK");
      let done = false;
      const set = other.set("paused", "1").then((v) => (done = true, v));
      assert.equal(await r.get("paused"), null);
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(done, false);
      assert.match(await r.info("clients"), /blocked_clients:1/);
      assert.equal(await r.client("UNPAUSE"), "OK");
      assert.equal(await set, "OK");
      assert.equal(await r.get("paused"), "1");
    } finally {
      other.disconnect();
    }
  } finally {
    r.disconnect();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ioredis: DUMP/RESTORE of binary values keep their TTL across a restart", async () => {
  const dir = await Deno.makeTempDir();
  let server = await startServer(dir);
  let r = connect(server.port);
  try {
    await r.connect();
    const binary = new Uint8Array([0, 255, 13, 10, 128, 7]);
    await r.set("s", Buffer.from(binary));
    await r.rpush("l", "a", "b");
    await r.zadd("z", 1.5, "m");
    for (const k of ["s", "l", "z"]) {
      const payload = await r.dumpBuffer(k);
      assert.equal(await r.restore(`${k}:copy`, 600_000, payload), "OK");
      await assert.rejects(r.restore(`${k}:copy`, 0, payload), /BUSYKEY/);
    }
    const damaged = Buffer.from(await r.dumpBuffer("s"));
    damaged[1] = damaged[1]! ^ 0xff;
    await assert.rejects(r.restore("bad", 0, damaged), /DUMP payload version or checksum/);
    r.disconnect();
    await server.stop();
    server = await startServer(dir);
    r = connect(server.port);
    await r.connect();
    assert.deepEqual(new Uint8Array(await r.getBuffer("s:copy") ?? []), binary);
    assert.deepEqual(await r.lrange("l:copy", 0, -1), ["a", "b"]);
    assert.deepEqual(await r.zrange("z:copy", 0, -1, "WITHSCORES"), ["m", "1.5"]);
    const ttl = await r.pttl("s:copy");
    assert.equal(ttl > 500_000 && ttl <= 600_000, true, `pttl ${ttl}`);
  } finally {
    r.disconnect();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
