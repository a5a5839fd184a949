import { assertEquals, err, Harness, type TestClient } from "./_harness.ts";
import { defaultKvConfig } from "../../src/kv/config.ts";
import { MemFileSystem } from "../../src/storage/os/mod.ts";
import { openKvStore } from "../../src/engine/kv_session.ts";
import { RecordingReply } from "./_harness.ts";
import { fromLatin1 } from "../../src/kv/bytes.ts";
import type { KvSession } from "../../src/engine/kv_session.ts";
import { activeExpireCycle } from "../../src/kv/expiry.ts";

function debugClient(): TestClient {
  return new Harness({ enableDebugCommand: "yes" }).client();
}

Deno.test("DEBUG is refused unless enable-debug-command allows it, as in Redis 7", () => {
  const off = new Harness().client();
  const refused = off.run("DEBUG", "HELP") as { error: string };
  assertEquals(refused.error.startsWith("ERR DEBUG command not allowed."), true);
  // The harness's clients connect from 127.0.0.1: "local" lets them in.
  const local = new Harness({ enableDebugCommand: "local" }).client();
  assertEquals(Array.isArray(local.run("DEBUG", "HELP")), true);
  assertEquals(
    debugClient().run("DEBUG", "NOPE"),
    { error: "ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG HELP." },
  );
});

Deno.test("DEBUG DIGEST depends on content only: 40 zeros when empty, key order does not matter", () => {
  const a = debugClient();
  assertEquals(a.run("DEBUG", "DIGEST"), "0".repeat(40));
  a.run("SADD", "s", "x", "y", "z");
  a.run("HSET", "h", "f1", "v1", "f2", "v2");
  a.run("RPUSH", "l", "1", "2");
  a.run("SET", "k", "v");
  const b = debugClient();
  b.run("SET", "k", "v");
  b.run("RPUSH", "l", "1", "2");
  b.run("HSET", "h", "f2", "v2", "f1", "v1");
  b.run("SADD", "s", "z", "x", "y");
  const digest = a.run("DEBUG", "DIGEST") as string;
  assertEquals(/^[0-9a-f]{40}$/.test(digest), true);
  assertEquals(b.run("DEBUG", "DIGEST"), digest);
  // A list's order counts; an expiry counts.
  b.run("DEL", "l");
  b.run("RPUSH", "l", "2", "1");
  assertEquals(b.run("DEBUG", "DIGEST") === digest, false);
  a.run("EXPIRE", "k", 100);
  assertEquals(a.run("DEBUG", "DIGEST") === digest, false);
  // DIGEST-VALUE: same for equal values under other names, zeros for a missing key.
  a.run("COPY", "s", "s2");
  const [s, s2, none] = a.run("DEBUG", "DIGEST-VALUE", "s", "s2", "nokey") as string[];
  assertEquals(s, s2);
  assertEquals(none, "0".repeat(40));
  assertEquals(s === a.run("DEBUG", "DIGEST-VALUE", "h"), false);
});

Deno.test("DEBUG PROTOCOL answers each RESP3 type, as RESP2 frames it for a RESP2 client", () => {
  const c = debugClient();
  assertEquals(c.run("DEBUG", "PROTOCOL", "bignum"), "1234567999999999999999999999999999999");
  assertEquals(c.run("DEBUG", "PROTOCOL", "null"), null);
  // (The recording reply keeps booleans as booleans; the wire's RESP2 integers are tested end to end.)
  assertEquals(c.run("DEBUG", "PROTOCOL", "map"), [0, false, 1, true, 2, false]);
  assertEquals(c.run("DEBUG", "PROTOCOL", "attrib"), "Some real reply following the attribute");
  assertEquals(c.reply.attributes.length, 0);
  assertEquals(c.run("DEBUG", "PROTOCOL", "push"), {
    error: "ERR RESP2 is not supported by this command",
  });
  c.run("HELLO", 3);
  assertEquals(c.run("DEBUG", "PROTOCOL", "bignum"), 1234567999999999999999999999999999999n);
  assertEquals(c.run("DEBUG", "PROTOCOL", "double"), 3.141);
  assertEquals(c.run("DEBUG", "PROTOCOL", "false"), false);
  assertEquals(c.run("DEBUG", "PROTOCOL", "attrib"), "Some real reply following the attribute");
  assertEquals(c.reply.attributes, [["key-popularity", ["key:123", 90]]]);
  assertEquals(c.run("DEBUG", "PROTOCOL", "push"), [
    ["server-cpu-usage", 42],
    "Some real reply following the push reply",
  ]);
  const wrong = c.run("DEBUG", "PROTOCOL", "nope") as { error: string };
  assertEquals(wrong.error.startsWith("ERR Wrong protocol type name."), true);
});

Deno.test("DEBUG OBJECT prints Redis's fields; the address stays while the value changes in place", () => {
  const c = debugClient();
  assertEquals(c.run("DEBUG", "OBJECT", "nokey"), { error: "ERR no such key" });
  c.run("SET", "n", "20000");
  const before = c.run("DEBUG", "OBJECT", "n") as string;
  c.run("INCR", "n");
  const after = c.run("DEBUG", "OBJECT", "n") as string;
  assertEquals(
    /^Value at:0x[0-9a-f]+ refcount:1 encoding:int serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+$/
      .test(after),
    true,
  );
  assertEquals(before.split(" ")[1], after.split(" ")[1]);
  c.run("RPUSH", "l", "a", "b", "c");
  const list = c.run("DEBUG", "OBJECT", "l") as string;
  assertEquals(/ encoding:quicklist .* ql_nodes:1 ql_avg_node:3\.00 /.test(list), true);
  c.run("HSET", "h", "f", "x".repeat(100));
  assertEquals((c.run("DEBUG", "OBJECT", "h") as string).includes("encoding:hashtable"), true);
});

Deno.test("DEBUG SET-ACTIVE-EXPIRE 0 stops the expire cycle; lazy expiry still runs", () => {
  const h = new Harness({ enableDebugCommand: "yes" });
  const c = h.client();
  c.run("SET", "k", "v", "PX", 1);
  c.run("DEBUG", "SET-ACTIVE-EXPIRE", 0);
  h.nowMs += 10;
  for (let i = 0; i < 5; i++) activeExpireCycle(h.engine);
  assertEquals(c.run("DBSIZE"), 1);
  c.run("DEBUG", "SET-ACTIVE-EXPIRE", 1);
  activeExpireCycle(h.engine);
  assertEquals(c.run("DBSIZE"), 0);
  c.run("SET", "k", "v", "PX", 1);
  c.run("DEBUG", "SET-ACTIVE-EXPIRE", 0);
  h.nowMs += 10;
  assertEquals(c.run("EXISTS", "k"), 0);
});

Deno.test("DEBUG POPULATE creates string keys, skipping existing ones", () => {
  const c = debugClient();
  c.run("SET", "key:1", "mine");
  assertEquals(c.run("DEBUG", "POPULATE", 3), "OK");
  assertEquals(c.run("MGET", "key:0", "key:1", "key:2"), ["value:0", "mine", "value:2"]);
  c.run("DEBUG", "POPULATE", 2, "p", 10);
  assertEquals(c.run("GET", "p:1"), "value:1\u0000\u0000\u0000");
  assertEquals(c.run("DEBUG", "POPULATE", 1, "q", 3), "OK");
  assertEquals(c.run("GET", "q:0"), "val");
});

/** Runs one command on a store session and waits for it. */
async function exec(s: KvSession, ...args: string[]): Promise<void> {
  const wait = s.execute(args.map(fromLatin1));
  s.commit();
  if (wait !== undefined) await wait;
}

Deno.test("DEBUG RELOAD and LOADAOF rebuild every type and TTL from storage", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/data");
  const transport = { setProtocol() {}, closeAfterReply() {}, flushSoon() {} };
  const config = { ...defaultKvConfig, enableDebugCommand: "yes" as const };
  const store = await openKvStore({ dataDir: "/data", fs, config });
  const reply = new RecordingReply();
  const s = store.openSession(reply, transport, "127.0.0.1:1", "127.0.0.1:2")!;
  try {
    await exec(s, "SET", "str", "v", "EX", "1000");
    await exec(s, "RPUSH", "l", "a", "b");
    await exec(s, "HSET", "h", "f", "v");
    await exec(s, "SADD", "set", "m");
    await exec(s, "ZADD", "z", "1.5", "m");
    await exec(s, "XADD", "st", "1-1", "f", "v");
    await exec(s, "XGROUP", "CREATE", "st", "g", "0");
    await exec(s, "DEBUG", "DIGEST");
    const digest = reply.values.pop();
    await exec(s, "DEBUG", "RELOAD");
    await exec(s, "DEBUG", "DIGEST");
    await exec(s, "PTTL", "str");
    const [ok, after, pttl] = reply.values.splice(-3);
    assertEquals([ok, after], ["OK", digest]);
    assertEquals(typeof pttl === "number" && pttl > 990_000 && pttl <= 1_000_000, true);
    // Written after the snapshot: only the WAL has it, and LOADAOF replays it.
    await exec(s, "SET", "late", "1");
    await exec(s, "DEBUG", "LOADAOF");
    await exec(s, "GET", "late");
    await exec(s, "XINFO", "GROUPS", "st");
    const [loaded, late, groups] = reply.values.splice(-3);
    assertEquals([loaded, late, (groups as unknown[]).length], ["OK", "1", 1]);
    // NOFLUSH without MERGE fails on keys both sides hold; with MERGE it replaces them.
    await exec(s, "DEBUG", "RELOAD", "NOFLUSH");
    await exec(s, "DEBUG", "RELOAD", "NOFLUSH", "MERGE");
    assertEquals(reply.values.splice(-2), [
      { error: "ERR Error trying to load the RDB dump, check server logs." },
      "OK",
    ]);
    // NOSAVE loads the snapshot on disk, which predates this key.
    await exec(s, "SET", "unsaved", "1");
    await exec(s, "DEBUG", "RELOAD", "NOSAVE");
    await exec(s, "EXISTS", "unsaved", "late", "str");
    assertEquals(reply.values.splice(-2), ["OK", 2]);
  } finally {
    s.close();
    await store.close();
  }
  // What the reloads left is what a restart finds.
  const again = await openKvStore({ dataDir: "/data", fs, config });
  const r2 = new RecordingReply();
  const s2 = again.openSession(r2, transport, "127.0.0.1:1", "127.0.0.1:2")!;
  await exec(s2, "EXISTS", "unsaved", "late", "str", "l", "h", "set", "z", "st");
  assertEquals(r2.values, [7]);
  s2.close();
  await again.close();
});

Deno.test("DEBUG LISTPACK and QUICKLIST check the key's encoding", () => {
  const c = new Harness({ enableDebugCommand: "yes" }).client();
  c.run("HSET", "h", "f", "v");
  c.run("RPUSH", "l", "a");
  c.run("SET", "s", "x");
  assertEquals(c.run("DEBUG", "LISTPACK", "h"), "Listpack structure printed on stdout");
  assertEquals(c.run("DEBUG", "LISTPACK", "l"), err("ERR Not a listpack encoded object."));
  assertEquals(c.run("DEBUG", "LISTPACK", "nope"), err("ERR no such key"));
  assertEquals(c.run("DEBUG", "QUICKLIST", "l"), "Quicklist structure printed on stdout");
  assertEquals(c.run("DEBUG", "QUICKLIST", "l", 1), "Quicklist structure printed on stdout");
  assertEquals(c.run("DEBUG", "QUICKLIST", "s"), err("ERR Not a quicklist encoded object."));
});
