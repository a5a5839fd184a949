import { assertEquals, Harness } from "./_harness.ts";
import { replayRecord } from "../../src/kv/dispatch.ts";
import { KvEngine } from "../../src/kv/engine.ts";
import { defaultKvConfig } from "../../src/kv/config.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/kv/snapshot.ts";
import { Deque } from "../../src/kv/deque.ts";
import { ZSet } from "../../src/kv/zset.ts";
import { formatId, idMax, Stream } from "../../src/kv/stream.ts";
import { MemFileSystem } from "../../src/storage/os/mod.ts";
import { openKvStore } from "../../src/engine/kv_session.ts";
import type { Reply } from "../../src/kv/reply.ts";
import { RecordingReply } from "./_harness.ts";

/** A canonical, order-independent dump of every database. */
function dump(x: KvEngine): string[] {
  const out: string[] = [];
  x.dbs.forEach((db, i) => {
    for (const [k, e] of db.map) {
      const v = e.value;
      let text: string;
      if (typeof v === "string") text = v;
      else if (v instanceof Deque) text = v.toArray().join(",");
      else if (v instanceof ZSet) text = v.entries().map((z) => `${z.member}=${z.score}`).join(",");
      else if (v instanceof Stream) {
        const entries = [...v.entries(0n, idMax, false)];
        text = `${formatId(v.lastId)}/${v.entriesAdded}/${formatId(v.maxDeletedId)}:` +
          entries.map((en) => `${formatId(en.id)}=${en.fields.join(",")}`).join(";");
      } else if (v instanceof Map) {
        text = [...v].map(([f, b]) => `${f}=${b}`).sort().join(",");
      } else text = [...v].sort().join(",");
      out.push(`${i}|${k}|${e.type}|${e.expireAt}|${text}`);
    }
  });
  return out.sort();
}

function workload(h: Harness): void {
  const c = h.client();
  c.run("SET", "s", "v", "EX", 100);
  c.run("SETEX", "s2", 5, "v");
  c.run("INCRBYFLOAT", "f", "1.25");
  c.run("EXPIRE", "f", 50);
  c.run("HSET", "h", "a", "1", "b", "2");
  c.run("HINCRBYFLOAT", "h", "c", "0.5");
  c.run("SADD", "set", ...Array.from({ length: 20 }, (_, i) => `m${i}`));
  c.run("SPOP", "set", 3);
  c.run("SPOP", "set");
  c.run("RPUSH", "l", "a", "b", "c");
  c.run("LMOVE", "l", "l2", "LEFT", "RIGHT");
  c.run("ZADD", "z", 1, "a", 2, "b", 3, "c");
  c.run("ZPOPMIN", "z");
  for (let i = 0; i < 30; i++) c.run("XADD", "st", "MAXLEN", "~", 120, "*", "n", i);
  c.run("XADD", "st", "MAXLEN", "=", 25, "*", "n", "last");
  c.run("XDEL", "st", `${h.nowMs}-3`);
  c.run("XSETID", "st", `${h.nowMs + 5}-0`);
  c.run("MULTI");
  c.run("INCR", "n");
  c.run("SELECT", 3);
  c.run("SET", "in3", "x");
  c.run("EXEC");
  c.run("SELECT", 0);
  c.run("SET", "gone", "v", "PX", 10);
  h.nowMs += 20;
  c.run("GET", "gone");
  c.run("SWAPDB", 0, 5);
  c.run("SELECT", 5);
  c.run("RENAME", "s", "s-renamed");
  c.run("GETEX", "s-renamed", "PX", 7777);
  c.run("FLUSHDB");
  c.run("SELECT", 0);
  c.run("SET", "after", "1");
}

Deno.test("replaying the WAL records rebuilds exactly the same state", () => {
  const h = new Harness();
  const b = h.client();
  const waiting = b.start("BLPOP", "q", 0);
  workload(h);
  h.client().run("RPUSH", "q", "x", "y");
  assertEquals(waiting !== undefined, true);
  const copy = new KvEngine({ ...defaultKvConfig }, () => h.nowMs);
  for (const r of h.wal.records) replayRecord(copy, r.payload);
  assertEquals(dump(copy), dump(h.engine));
  assertEquals(dump(copy).some((l) => l.startsWith("0|q|list|0|y")), true);
});

Deno.test("a snapshot round-trips every type and TTL", () => {
  const h = new Harness();
  workload(h);
  h.client().run("SET", String.fromCharCode(0, 200), String.fromCharCode(255, 0, 10));
  const chunks: Uint8Array[] = [];
  encodeSnapshot(h.engine, 1234, (c) => chunks.push(c));
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) (bytes.set(c, off), off += c.length);
  const copy = new KvEngine({ ...defaultKvConfig }, () => h.nowMs);
  assertEquals(decodeSnapshot(copy, bytes), 1234);
  assertEquals(dump(copy), dump(h.engine));
  bytes[20] = bytes[20]! ^ 1;
  let threw = false;
  try {
    decodeSnapshot(new KvEngine({ ...defaultKvConfig }), bytes);
  } catch (e) {
    threw = e instanceof Error && e.message.includes("CRC32C");
  }
  assertEquals(threw, true);
});

function exec(
  session: { execute(argv: Uint8Array[]): unknown; commit(): void },
  ...args: string[]
): void {
  session.execute(args.map((a) => new TextEncoder().encode(a)));
  session.commit();
}

Deno.test("openKvStore recovers from the WAL after a crash and from a snapshot after a clean close", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/data");
  const transport = { setProtocol() {}, closeAfterReply() {}, flushSoon() {} };
  let store = await openKvStore({ dataDir: "/data", fs, config: { ...defaultKvConfig } });
  let reply: Reply = new RecordingReply();
  let s = store.openSession(reply, transport, "a", "b")!;
  exec(s, "SET", "a", "1");
  exec(s, "RPUSH", "l", "x", "y");
  exec(s, "EXPIRE", "l", "1000");
  await store.wal.flush(store.wal.endLsn);
  exec(s, "SET", "unflushed", "lost");
  store.abandon();

  store = await openKvStore({ dataDir: "/data", fs, config: { ...defaultKvConfig } });
  reply = new RecordingReply();
  s = store.openSession(reply, transport, "a", "b")!;
  exec(s, "GET", "a");
  exec(s, "LRANGE", "l", "0", "-1");
  exec(s, "TTL", "l");
  exec(s, "EXISTS", "unflushed");
  exec(s, "HSET", "h", "f", "v");
  const values = (reply as RecordingReply).values;
  assertEquals(values.slice(0, 2), ["1", ["x", "y"]]);
  assertEquals(values[2] === 1000 || values[2] === 999, true);
  assertEquals(values[3], 0);
  await store.close();
  assertEquals(fs.exists("/data/kv.snapshot"), true);

  store = await openKvStore({ dataDir: "/data", fs, config: { ...defaultKvConfig } });
  reply = new RecordingReply();
  s = store.openSession(reply, transport, "a", "b")!;
  exec(s, "HGET", "h", "f");
  exec(s, "DBSIZE");
  assertEquals((reply as RecordingReply).values, ["v", 3]);
  await store.close();
});

Deno.test("a listener turn logs its sessions' writes once at its end; a snapshot inside it covers them", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/data");
  const transport = { setProtocol() {}, closeAfterReply() {}, flushSoon() {} };
  let store = await openKvStore({ dataDir: "/data", fs, config: { ...defaultKvConfig } });
  const a = store.openSession(new RecordingReply(), transport, "a", "b")!;
  const b = store.openSession(new RecordingReply(), transport, "a", "b")!;
  const start = store.wal.endLsn;
  store.turn(true);
  exec(a, "INCR", "n");
  exec(b, "INCR", "n");
  assertEquals(store.wal.endLsn, start);
  exec(b, "INCR", "m");
  // The snapshot first writes the turn's pending record, so its LSN is past both INCRs.
  const saved = store.save();
  const afterSnapshot = store.wal.endLsn;
  assertEquals(afterSnapshot > start, true);
  exec(a, "INCR", "n");
  assertEquals(store.wal.endLsn, afterSnapshot);
  store.turn(false);
  assertEquals(store.wal.endLsn > afterSnapshot, true);
  // Outside a turn, a session's commit writes its record at once.
  const outside = store.wal.endLsn;
  exec(b, "INCR", "m");
  assertEquals(store.wal.endLsn > outside, true);
  await saved;
  await store.wal.flush(store.wal.endLsn);
  store.abandon();

  store = await openKvStore({ dataDir: "/data", fs, config: { ...defaultKvConfig } });
  const reply = new RecordingReply();
  const s = store.openSession(reply, transport, "a", "b")!;
  exec(s, "GET", "n");
  exec(s, "GET", "m");
  assertEquals(reply.values, ["3", "2"]);
  await store.close();
});
