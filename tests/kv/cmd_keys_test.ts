import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("EXPIRE options NX/XX/GT/LT and TTL, PTTL, EXPIRETIME, PERSIST", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SET", "k", "v");
  assertEquals(c.run("EXPIRE", "k", 100, "XX"), 0);
  assertEquals(c.run("EXPIRE", "k", 100, "NX"), 1);
  assertEquals(c.run("EXPIRE", "k", 200, "NX"), 0);
  assertEquals(c.run("EXPIRE", "k", 50, "GT"), 0);
  assertEquals(c.run("EXPIRE", "k", 200, "GT"), 1);
  assertEquals(c.run("EXPIRE", "k", 300, "LT"), 0);
  assertEquals(c.run("EXPIRE", "k", 10, "LT"), 1);
  assertEquals(c.run("TTL", "k"), 10);
  assertEquals(c.run("PTTL", "k"), 10000);
  assertEquals(c.run("EXPIRETIME", "k"), Math.floor((h.nowMs + 10000) / 1000));
  assertEquals(
    c.run("EXPIRE", "k", 10, "NX", "XX"),
    err("ERR NX and XX, GT or LT options at the same time are not compatible"),
  );
  assertEquals(c.run("PERSIST", "k"), 1);
  assertEquals(c.run("TTL", "k"), -1);
  assertEquals(c.run("TTL", "nope"), -2);
  assertEquals(c.run("EXPIRE", "k", -1), 1);
  assertEquals(c.run("EXISTS", "k"), 0);
  c.run("SET", "p", "v");
  assertEquals(c.run("PEXPIREAT", "p", h.nowMs + 500), 1);
  h.nowMs += 500;
  assertEquals(c.run("GET", "p"), null);
});

Deno.test("DEL, EXISTS, TYPE, RENAME, RENAMENX, COPY", () => {
  const c = new Harness().client();
  c.run("SET", "a", "1");
  c.run("RPUSH", "l", "x");
  assertEquals(c.run("EXISTS", "a", "a", "l", "zz"), 3);
  assertEquals(c.run("TYPE", "l"), "list");
  assertEquals(c.run("TYPE", "zz"), "none");
  assertEquals(c.run("RENAME", "zz", "b"), err("ERR no such key"));
  assertEquals(c.run("RENAME", "a", "b"), "OK");
  assertEquals(c.run("RENAMENX", "b", "l"), 0);
  assertEquals(c.run("COPY", "l", "l2"), 1);
  assertEquals(c.run("COPY", "l", "l2"), 0);
  c.run("RPUSH", "l", "y");
  assertEquals(c.run("LRANGE", "l2", 0, -1), ["x"]);
  assertEquals(c.run("COPY", "b", "l2", "REPLACE"), 1);
  assertEquals(c.run("GET", "l2"), "1");
  assertEquals(c.run("COPY", "b", "b"), err("ERR source and destination objects are the same"));
  assertEquals(c.run("COPY", "b", "b", "DB", 1), 1);
  assertEquals(c.run("DEL", "b", "l", "nothing"), 2);
  c.run("SELECT", 1);
  assertEquals(c.run("GET", "b"), "1");
});

Deno.test("KEYS globs and SCAN visit every key exactly once across pages", () => {
  const c = new Harness().client();
  for (let i = 0; i < 250; i++) c.run("SET", `key:${i}`, i);
  c.run("SADD", "aset", "m");
  assertEquals(
    (c.run("KEYS", "key:1?") as string[]).sort(),
    Array.from({ length: 10 }, (_, i) => `key:1${i}`).sort(),
  );
  assertEquals(c.run("KEYS", "a[s]e?"), ["aset"]);
  const seen = new Set<string>();
  let cursor = "0";
  let pages = 0;
  do {
    const [next, keys] = c.run("SCAN", cursor, "COUNT", 20) as [string, string[]];
    for (const k of keys) seen.add(k);
    cursor = next;
    pages++;
    if (pages === 3) { for (let i = 0; i < 50; i++) c.run("SET", `new:${i}`, i); }
  } while (cursor !== "0");
  for (let i = 0; i < 250; i++) assertEquals(seen.has(`key:${i}`), true);
  const [, sets] = c.run("SCAN", 0, "COUNT", 1000, "TYPE", "set") as [string, string[]];
  assertEquals(sets, ["aset"]);
  const [, matched] = c.run("SCAN", 0, "COUNT", 1000, "MATCH", "key:24*") as [string, string[]];
  assertEquals(matched.sort(), [
    "key:24",
    "key:240",
    "key:241",
    "key:242",
    "key:243",
    "key:244",
    "key:245",
    "key:246",
    "key:247",
    "key:248",
    "key:249",
  ]);
  assertEquals(c.run("SCAN", "abc"), err("ERR invalid cursor"));
});

Deno.test("OBJECT ENCODING reports Redis's encodings", () => {
  const c = new Harness().client();
  c.run("SET", "i", "123");
  c.run("SET", "e", "hello");
  c.run("SET", "r", "x".repeat(45));
  c.run("SADD", "is", 1, 2, 3);
  c.run("HSET", "h", "f", "v");
  assertEquals(c.run("OBJECT", "ENCODING", "i"), "int");
  assertEquals(c.run("OBJECT", "ENCODING", "e"), "embstr");
  assertEquals(c.run("OBJECT", "ENCODING", "r"), "raw");
  assertEquals(c.run("OBJECT", "ENCODING", "is"), "intset");
  assertEquals(c.run("OBJECT", "ENCODING", "h"), "listpack");
  assertEquals(c.run("OBJECT", "REFCOUNT", "h"), 1);
  assertEquals(c.run("OBJECT", "IDLETIME", "h"), 0);
  assertEquals(c.run("OBJECT", "ENCODING", "none"), null);
});

Deno.test("active expiry removes expired keys without access and logs DELs", async () => {
  const { activeExpireCycle } = await import("../../src/kv/expiry.ts");
  const h = new Harness();
  const c = h.client();
  for (let i = 0; i < 100; i++) c.run("SET", `k${i}`, "v", "PX", 100);
  c.run("SET", "keep", "v");
  h.nowMs += 200;
  activeExpireCycle(h.engine);
  assertEquals(c.run("DBSIZE"), 1);
  assertEquals(h.engine.stats.expired, 100);
});
