import { assertEquals, err, Harness } from "./_harness.ts";
import { KvEngine } from "../../src/kv/engine.ts";
import { defaultKvConfig } from "../../src/kv/config.ts";
import { replayRecord } from "../../src/kv/dispatch.ts";
import { typeCodes, Writer, writeValue } from "../../src/kv/snapshot.ts";
import { Deque } from "../../src/kv/deque.ts";
import { concatBytes, latin1 } from "../../src/kv/bytes.ts";
import { crc32cUpdate } from "../../src/common/crc32c.ts";

Deno.test("DUMP/RESTORE round-trip every type, with TTL, ABSTTL and IDLETIME", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SET", "s", String.fromCharCode(0, 255, 10));
  c.run("RPUSH", "l", "a", "b", "c");
  c.run("HSET", "h", "f1", "v1", "f2", "v2");
  c.run("SADD", "set", "x", "y");
  c.run("ZADD", "z", 1.5, "m1", -2, "m2");
  c.run("PFADD", "hll", "a", "b", "c");
  for (const k of ["s", "l", "h", "set", "z", "hll"]) {
    const before = c.run("DUMP", k) as string;
    const reads: Record<string, string[]> = {
      s: ["GET", k],
      l: ["LRANGE", k, "0", "-1"],
      h: ["HGETALL", k],
      set: ["SMEMBERS", k],
      z: ["ZRANGE", k, "0", "-1", "WITHSCORES"],
      hll: ["PFCOUNT", k],
    };
    const value = c.run(...reads[k]!);
    assertEquals(c.run("RESTORE", k, 0, before), err("BUSYKEY Target key name already exists."));
    assertEquals(c.run("RESTORE", k + "2", 0, before), "OK");
    assertEquals(c.run(...reads[k]!.map((a) => (a === k ? k + "2" : a))), value);
    assertEquals(c.run("TYPE", k + "2"), c.run("TYPE", k));
  }
  const payload = c.run("DUMP", "s") as string;
  assertEquals(c.run("RESTORE", "s", 5000, payload, "REPLACE"), "OK");
  assertEquals(c.run("PTTL", "s"), 5000);
  assertEquals(c.run("RESTORE", "s", h.nowMs + 7000, payload, "REPLACE", "ABSTTL"), "OK");
  assertEquals(c.run("PTTL", "s"), 7000);
  assertEquals(c.run("RESTORE", "s", h.nowMs - 1, payload, "REPLACE", "ABSTTL"), "OK");
  assertEquals(c.run("EXISTS", "s"), 0);
  assertEquals(c.run("RESTORE", "s", 0, payload, "IDLETIME", 100), "OK");
  assertEquals(c.run("OBJECT", "IDLETIME", "s"), 100);
  assertEquals(c.run("DUMP", "nosuchkey"), null);
});

Deno.test("RESTORE refuses bad options, TTLs and damaged payloads", () => {
  const c = new Harness().client();
  c.run("SET", "k", "v");
  const payload = c.run("DUMP", "k") as string;
  assertEquals(c.run("RESTORE", "n", 0, payload, "BOGUS"), err("ERR syntax error"));
  assertEquals(c.run("RESTORE", "n", -1, payload), err("ERR Invalid TTL value, must be >= 0"));
  assertEquals(
    c.run("RESTORE", "n", 0, payload, "IDLETIME", -1),
    err("ERR Invalid IDLETIME value, must be >= 0"),
  );
  assertEquals(
    c.run("RESTORE", "n", 0, payload, "FREQ", 256),
    err("ERR Invalid FREQ value, must be >= 0 and <= 255"),
  );
  assertEquals(
    c.run("RESTORE", "n", 0, payload, "IDLETIME", 1, "FREQ", 1),
    err("ERR syntax error"),
  );
  const damaged = payload.slice(0, 2) + String.fromCharCode(payload.charCodeAt(2) ^ 1) +
    payload.slice(3);
  assertEquals(
    c.run("RESTORE", "n", 0, damaged),
    err("ERR DUMP payload version or checksum are wrong"),
  );
  assertEquals(
    c.run("RESTORE", "n", 0, "..."),
    err("ERR DUMP payload version or checksum are wrong"),
  );
  assertEquals(c.run("EXISTS", "n"), 0);
});

Deno.test("RESTORE is logged with an absolute expiry, so replay keeps the deadline", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SET", "k", "v");
  const payload = c.run("DUMP", "k") as string;
  c.run("RESTORE", "r", 60_000, payload);
  const deadline = c.run("PEXPIRETIME", "r");
  h.nowMs += 10_000;
  const copy = new KvEngine({ ...defaultKvConfig }, () => h.nowMs);
  for (const r of h.wal.records) replayRecord(copy, r.payload);
  const e = copy.dbs[0]!.map.get("r")!;
  assertEquals([e.value, e.expireAt], ["v", deadline]);
});

Deno.test("RESTORE FREQ sets the LFU counter under an LFU policy; OBJECT FREQ reads it", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SET", "k", "v");
  const payload = c.run("DUMP", "k") as string;
  c.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
  assertEquals(c.run("RESTORE", "f", 0, payload, "FREQ", 100), "OK");
  assertEquals(c.run("OBJECT", "FREQ", "f"), 100);
  assertEquals(c.run("OBJECT", "FREQ", "k"), 5); // a fresh counter after the policy switch
  h.nowMs += 3 * 60_000; // one point of decay per idle minute
  assertEquals(c.run("OBJECT", "FREQ", "f"), 97);
  assertEquals(
    (c.run("OBJECT", "IDLETIME", "f") as { error: string }).error.startsWith(
      "ERR An LFU maxmemory policy is selected",
    ),
    true,
  );
  c.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
  assertEquals(c.run("RESTORE", "i", 0, payload, "IDLETIME", 50, "REPLACE"), "OK");
  assertEquals(c.run("OBJECT", "IDLETIME", "i"), 50);
});

Deno.test("WAL replay still loads a RESTORE payload of the format older builds logged", () => {
  const h = new Harness();
  const c = h.client();
  // The older format: the snapshot's value encoding, version 0x5401 and a CRC32C.
  const chunks: Uint8Array[] = [];
  const w = new Writer((chunk) => chunks.push(chunk));
  w.u8(typeCodes.indexOf("list"));
  const d = new Deque();
  d.pushBack("a");
  d.pushBack("b");
  writeValue(w, d);
  w.drain();
  const body = chunks.reduce((a, b) => concatBytes(a, b), new Uint8Array(0));
  const out = new Uint8Array(body.length + 6);
  out.set(body);
  const view = new DataView(out.buffer);
  view.setUint16(body.length, 0x5401, true);
  view.setUint32(body.length + 2, crc32cUpdate(0, out.subarray(0, body.length + 2)), true);
  const payload = latin1(out);
  assertEquals(
    c.run("RESTORE", "l", 0, payload),
    err("ERR DUMP payload version or checksum are wrong"),
  );
  h.engine.loading = true;
  assertEquals(c.run("RESTORE", "l", 0, payload), "OK");
  h.engine.loading = false;
  assertEquals(c.run("LRANGE", "l", 0, -1), ["a", "b"]);
});
