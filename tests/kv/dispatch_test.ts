import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("MULTI/EXEC runs queued commands; runtime errors stay per command", () => {
  const c = new Harness().client();
  assertEquals(c.run("MULTI"), "OK");
  assertEquals(c.run("SET", "a", "1"), "QUEUED");
  assertEquals(c.run("LPUSH", "a", "x"), "QUEUED");
  assertEquals(c.run("INCR", "a"), "QUEUED");
  assertEquals(c.run("MULTI"), err("ERR MULTI calls can not be nested"));
  assertEquals(c.run("EXEC"), [
    "OK",
    err("WRONGTYPE Operation against a key holding the wrong kind of value"),
    2,
  ]);
  assertEquals(c.run("EXEC"), err("ERR EXEC without MULTI"));
  assertEquals(c.run("DISCARD"), err("ERR DISCARD without MULTI"));
});

Deno.test("queue-time errors abort EXEC with EXECABORT", () => {
  const c = new Harness().client();
  c.run("MULTI");
  c.run("SET", "a", "1");
  assertEquals(
    c.run("NOSUCHCMD", "x"),
    err("ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' "),
  );
  assertEquals(c.run("GET"), err("ERR wrong number of arguments for 'get' command"));
  assertEquals(c.run("EXEC"), err("EXECABORT Transaction discarded because of previous errors."));
  assertEquals(c.run("EXISTS", "a"), 0);
});

Deno.test("WATCH aborts EXEC when another client changes the key", () => {
  const h = new Harness();
  const a = h.client();
  const b = h.client();
  a.run("SET", "k", "1");
  assertEquals(a.run("WATCH", "k"), "OK");
  b.run("SET", "k", "2");
  a.run("MULTI");
  a.run("SET", "k", "3");
  assertEquals(a.run("EXEC"), null);
  assertEquals(a.run("GET", "k"), "2");
  a.run("WATCH", "k");
  a.run("MULTI");
  assertEquals(a.run("WATCH", "x"), err("ERR WATCH inside MULTI is not allowed"));
  a.run("INCR", "k");
  assertEquals(a.run("EXEC"), [3]);
  a.run("WATCH", "gone");
  b.run("FLUSHDB");
  a.run("MULTI");
  assertEquals(
    a.run("EXEC"),
    [],
    "flushing a database without the watched key leaves the WATCH clean",
  );
  a.run("SET", "w", "1");
  a.run("WATCH", "w");
  b.run("FLUSHALL");
  a.run("MULTI");
  assertEquals(a.run("EXEC"), null);
});

Deno.test("AUTH and NOAUTH with requirepass", () => {
  const h = new Harness({ requirepass: "secret" });
  const c = h.client();
  assertEquals(c.run("GET", "a"), err("NOAUTH Authentication required."));
  assertEquals(
    c.run("AUTH", "wrong"),
    err("WRONGPASS invalid username-password pair or user is disabled."),
  );
  assertEquals(c.run("AUTH", "secret"), "OK");
  assertEquals(c.run("GET", "a"), null);
  const d = new Harness().client();
  assertEquals(
    d.run("AUTH", "x"),
    err(
      "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
    ),
  );
});

Deno.test("HELLO switches protocol; SELECT range; unknown command text", () => {
  const c = new Harness().client();
  const hello = c.run("HELLO", 3, "SETNAME", "me") as { map: [unknown, unknown][] };
  assertEquals(hello.map.find(([k]) => k === "proto")![1], 3);
  assertEquals(c.run("CLIENT", "GETNAME"), "me");
  assertEquals(c.run("HELLO", 4), err("NOPROTO unsupported protocol version"));
  assertEquals(c.run("SELECT", 16), err("ERR DB index is out of range"));
  assertEquals(c.run("SELECT", 15), "OK");
  assertEquals(c.run("FOO"), err("ERR unknown command 'FOO', with args beginning with: "));
  assertEquals(c.run("RESET"), "RESET");
  assertEquals(c.reply.resp, 2);
  assertEquals(c.run("CLIENT", "GETNAME"), null);
});

Deno.test("pub/sub: messages, patterns, subscribed context in RESP2", () => {
  const h = new Harness();
  const sub = h.client();
  const pub = h.client();
  assertEquals(sub.run("SUBSCRIBE", "news", "sport"), [["subscribe", "news", 1], [
    "subscribe",
    "sport",
    2,
  ]]);
  assertEquals(sub.run("PSUBSCRIBE", "n*"), ["psubscribe", "n*", 3]);
  assertEquals(pub.run("PUBLISH", "news", "hello"), 2);
  assertEquals(sub.drain(), [["message", "news", "hello"], ["pmessage", "n*", "news", "hello"]]);
  assertEquals(
    sub.run("GET", "x"),
    err(
      "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
    ),
  );
  assertEquals(sub.run("PING"), ["pong", ""]);
  assertEquals(pub.run("PUBSUB", "NUMSUB", "news", "x"), ["news", 1, "x", 0]);
  assertEquals(pub.run("PUBSUB", "NUMPAT"), 1);
  assertEquals(pub.run("PUBSUB", "CHANNELS"), ["news", "sport"]);
  assertEquals(sub.run("UNSUBSCRIBE"), [["unsubscribe", "news", 2], ["unsubscribe", "sport", 1]]);
  assertEquals(sub.run("PUNSUBSCRIBE"), ["punsubscribe", "n*", 0]);
  assertEquals(sub.run("GET", "x"), null);
});

Deno.test("blocking pops are served in order when data arrives", async () => {
  const h = new Harness();
  const a = h.client();
  const b = h.client();
  const p = h.client();
  const waitA = a.start("BLPOP", "q1", "q2", 0);
  const waitB = b.start("BRPOP", "q2", 0);
  assertEquals(waitA !== undefined && waitB !== undefined, true);
  assertEquals(p.run("RPUSH", "q2", "x", "y"), 2);
  await waitA;
  await waitB;
  assertEquals(a.drain(), [["q2", "x"]]);
  assertEquals(b.drain(), [["q2", "y"]]);
  assertEquals(p.run("EXISTS", "q2"), 0);
  const waitZ = a.start("BZPOPMIN", "z", 0);
  p.run("ZADD", "z", 5, "m");
  await waitZ;
  assertEquals(a.drain(), [["z", "m", "5"]]);
  const timed = a.start("BLPOP", "none", "0.05");
  await timed;
  assertEquals(a.drain(), [null]);
  p.run("MULTI");
  p.run("BLPOP", "none", 0);
  assertEquals(p.run("EXEC"), [null]);
  const moving = a.start("BLMOVE", "src", "dst", "LEFT", "RIGHT", 0);
  p.run("LPUSH", "src", "v");
  await moving;
  assertEquals(a.drain(), ["v"]);
  assertEquals(p.run("LRANGE", "dst", 0, -1), ["v"]);
});

Deno.test("maxmemory: noeviction refuses writes, allkeys-lru evicts old keys", () => {
  const h = new Harness({ maxmemory: 2 * 1024 * 1024 });
  const c = h.client();
  let refused = false;
  for (let i = 0; i < 2000 && !refused; i++) {
    const r = c.run("SET", `k${i}`, "x".repeat(1000));
    if (typeof r === "object" && r !== null && "error" in r) {
      assertEquals(r, err("OOM command not allowed when used memory > 'maxmemory'."));
      refused = true;
    }
  }
  assertEquals(refused, true);
  assertEquals(c.run("GET", "k0"), "x".repeat(1000));
  assertEquals(c.run("DEL", "k0"), 1);
  c.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
  for (let i = 0; i < 3000; i++) assertEquals(c.run("SET", `n${i}`, "y".repeat(1000)), "OK");
  assertEquals(h.engine.usedMemory() <= 2 * 1024 * 1024 + 2000, true);
  assertEquals(h.engine.stats.evicted > 0, true);
  assertEquals(c.run("GET", "n2999"), "y".repeat(1000));
});

Deno.test("maxmemory: volatile-* policies evict only keys with a TTL, volatile-ttl the nearest first", () => {
  for (const policy of ["volatile-lru", "volatile-random", "volatile-ttl", "allkeys-random"]) {
    const h = new Harness({ maxmemory: 1024 * 1024 + 200 * 1024 });
    const c = h.client();
    c.run("CONFIG", "SET", "maxmemory-policy", policy);
    for (let i = 0; i < 60; i++) c.run("SET", `keep${i}`, "k".repeat(1000));
    for (let i = 0; i < 100; i++) c.run("SET", `ttl${i}`, "t".repeat(1000), "EX", 1000 + i);
    for (let i = 0; i < 100; i++) c.run("SET", `more${i}`, "m".repeat(1000), "EX", 5000 + i);
    // Eviction runs before a write: the last write may overshoot by its own size.
    assertEquals(h.engine.usedMemory() <= 1024 * 1024 + 200 * 1024 + 2000, true, policy);
    assertEquals(h.engine.stats.evicted > 0, true, policy);
    const kept = Array.from({ length: 60 }, (_, i) => c.run("EXISTS", `keep${i}`) as number);
    if (policy.startsWith("volatile-")) assertEquals(kept.every((n) => n === 1), true, policy);
    if (policy === "volatile-ttl") {
      // The keys expiring soonest went first: the later ones of the second batch remain.
      assertEquals(c.run("EXISTS", "ttl0"), 0);
      assertEquals(c.run("EXISTS", "more99"), 1);
    }
  }
  const h = new Harness({ maxmemory: 1024 * 1024 + 50 * 1024, maxmemoryPolicy: "volatile-lru" });
  const c = h.client();
  let refused = false;
  for (let i = 0; i < 200 && !refused; i++) {
    refused = typeof c.run("SET", `p${i}`, "x".repeat(1000)) === "object";
  }
  assertEquals(refused, true); // nothing volatile to evict: OOM
});

Deno.test("maxmemory: allkeys-lfu keeps frequently read keys, evicts the rarely read", () => {
  const h = new Harness({ maxmemory: 1024 * 1024 + 200 * 1024, maxmemoryPolicy: "allkeys-lfu" });
  const c = h.client();
  for (let i = 0; i < 20; i++) c.run("SET", `hot${i}`, "h".repeat(1000));
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 20; i++) c.run("GET", `hot${i}`);
  }
  for (let i = 0; i < 400; i++) c.run("SET", `cold${i}`, "c".repeat(1000));
  assertEquals(h.engine.stats.evicted > 0, true);
  const hot = Array.from({ length: 20 }, (_, i) => c.run("EXISTS", `hot${i}`) as number);
  assertEquals(hot.reduce((a, b) => a + b, 0) >= 18, true, `hot keys kept: ${hot}`);
  assertEquals((c.run("OBJECT", "FREQ", "hot0") as number) > 5, true);
});
