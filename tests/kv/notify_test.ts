import { assertEquals, err, Harness, type TestClient } from "./_harness.ts";
import { formatNotifyFlags, parseNotifyFlags } from "../../src/kv/notify.ts";

/** A subscriber on every channel; returns a function giving the events since the last call. */
function listen(h: Harness): () => string[] {
  const sub = h.client();
  sub.run("PSUBSCRIBE", "__key*__:*");
  return () =>
    sub.drain().map((v) => {
      const [, , channel, message] = v as string[];
      return `${channel} ${message}`;
    });
}

function events(h: Harness, flags: string): [TestClient, () => string[]] {
  const c = h.client();
  assertEquals(c.run("CONFIG", "SET", "notify-keyspace-events", flags), "OK");
  return [c, listen(h)];
}

Deno.test("notify-keyspace-events: parsing and Redis's canonical spelling", () => {
  for (const [given, shown] of [["gKE", "gKE"], ["$lshzxeKE", "$lshzxeKE"], ["KA", "AK"]]) {
    assertEquals(formatNotifyFlags(parseNotifyFlags(given!)!), shown);
  }
  assertEquals(formatNotifyFlags(parseNotifyFlags("Eg$lshzxetd")!), "AE");
  assertEquals(formatNotifyFlags(parseNotifyFlags("KEAmn")!), "AKEmn");
  assertEquals(parseNotifyFlags("KEq"), null);
  const c = new Harness().client();
  assertEquals(c.run("CONFIG", "GET", "notify-keyspace-events"), ["notify-keyspace-events", ""]);
  assertEquals(
    c.run("CONFIG", "SET", "notify-keyspace-events", "KQ"),
    err(
      "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmd'.",
    ),
  );
  c.run("CONFIG", "SET", "notify-keyspace-events", "Elx");
  assertEquals(c.run("CONFIG", "GET", "notify-keyspace-events"), ["notify-keyspace-events", "lxE"]);
});

Deno.test("keyspace notifications: both channel kinds, classes masked, nothing when off", () => {
  const h = new Harness();
  const c = h.client();
  const read = listen(h);
  c.run("SET", "k", "v");
  assertEquals(read(), []);
  c.run("CONFIG", "SET", "notify-keyspace-events", "KE$");
  c.run("SET", "k", "v", "EX", 100);
  c.run("LPUSH", "l", "a");
  assertEquals(read(), ["__keyspace@0__:k set", "__keyevent@0__:set k"]);
  c.run("SELECT", 3);
  c.run("INCRBY", "n", 5);
  assertEquals(read(), ["__keyspace@3__:n incrby", "__keyevent@3__:incrby n"]);
});

Deno.test("keyspace notifications: events of each command family, in Redis's order", () => {
  const h = new Harness();
  const [c, read] = events(h, "EA");
  const run = (...args: (string | number)[]) => (c.run(...args), read().map((e) => e.slice(15)));
  assertEquals(run("SET", "s", "1", "PX", 5000), ["set s", "expire s"]);
  assertEquals(run("PERSIST", "s"), ["persist s"]);
  assertEquals(run("APPEND", "s", "2"), ["append s"]);
  assertEquals(run("INCRBYFLOAT", "s", "0.5"), ["incrbyfloat s"]);
  assertEquals(run("SETRANGE", "s", 0, "9"), ["setrange s"]);
  assertEquals(run("SETBIT", "s", 1, 1), ["setbit s"]);
  assertEquals(run("RENAME", "s", "t"), ["rename_from s", "rename_to t"]);
  assertEquals(run("COPY", "t", "u"), ["copy_to u"]);
  assertEquals(run("GETDEL", "u"), ["del u"]);
  assertEquals(run("DEL", "t", "missing"), ["del t"]);
  assertEquals(run("RPUSH", "l", "a", "b"), ["rpush l"]);
  assertEquals(run("LMOVE", "l", "m", "LEFT", "RIGHT"), ["rpush m", "lpop l"]);
  assertEquals(run("LSET", "l", 0, "z"), ["lset l"]);
  assertEquals(run("RPOP", "l"), ["rpop l", "del l"]);
  assertEquals(run("SADD", "a", "x", "y"), ["sadd a"]);
  assertEquals(run("SADD", "a", "x"), []);
  assertEquals(run("SMOVE", "a", "b", "x"), ["srem a", "sadd b"]);
  assertEquals(run("SUNIONSTORE", "c", "a", "b"), ["sunionstore c"]);
  assertEquals(run("SINTERSTORE", "c", "a", "b"), ["del c"]);
  assertEquals(run("HSET", "h", "f", 1), ["hset h"]);
  assertEquals(run("HINCRBY", "h", "f", 1), ["hincrby h"]);
  assertEquals(run("HDEL", "h", "f"), ["hdel h", "del h"]);
  assertEquals(run("ZADD", "z", 1, "a", 2, "b"), ["zadd z"]);
  assertEquals(run("ZADD", "z", 1, "a"), []);
  assertEquals(run("ZINCRBY", "z", 1, "a"), ["zincr z"]);
  assertEquals(run("ZREMRANGEBYSCORE", "z", 0, 1), []);
  assertEquals(run("ZREMRANGEBYRANK", "z", 0, 0), ["zremrangebyrank z"]);
  assertEquals(run("ZPOPMIN", "z"), ["zpopmin z", "del z"]);
  assertEquals(run("EXPIRE", "m", 100), ["expire m"]);
  assertEquals(run("EXPIRE", "m", -1), ["del m"]);
});

Deno.test("keyspace notifications: expired, evicted and new-key events", () => {
  const h = new Harness();
  const [c, read] = events(h, "Exen");
  c.run("SET", "a", "1", "PX", 100);
  assertEquals(read(), ["__keyevent@0__:new a"]);
  h.nowMs += 200;
  assertEquals(c.run("GET", "a"), null);
  assertEquals(read(), ["__keyevent@0__:expired a"]);
  c.run("SET", "b", "1");
  c.run("SET", "b", "2");
  assertEquals(read(), ["__keyevent@0__:new b"]);
  c.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
  c.run("CONFIG", "SET", "maxmemory", 1);
  assertEquals(read(), ["__keyevent@0__:evicted b"]);
  assertEquals(c.run("DBSIZE"), 0);
});

Deno.test("keyspace notifications reach a RESP3 client as push messages", () => {
  const h = new Harness();
  const c = h.client();
  const sub = h.client();
  sub.run("HELLO", 3);
  sub.drain();
  assertEquals(sub.run("SUBSCRIBE", "__keyevent@0__:del"), ["subscribe", "__keyevent@0__:del", 1]);
  c.run("CONFIG", "SET", "notify-keyspace-events", "Eg");
  c.run("SET", "k", "v");
  c.run("DEL", "k");
  assertEquals(sub.drain(), [["message", "__keyevent@0__:del", "k"]]);
  assertEquals(sub.run("PING"), "PONG");
});
