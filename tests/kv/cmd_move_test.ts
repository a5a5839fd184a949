import { assertEquals, err, Harness } from "./_harness.ts";
import { KvEngine } from "../../src/kv/engine.ts";
import { defaultKvConfig } from "../../src/kv/config.ts";
import { replayRecord } from "../../src/kv/dispatch.ts";

Deno.test("MOVE moves a key and its TTL to another database", () => {
  const h = new Harness();
  const c = h.client();
  c.run("RPUSH", "l", "a", "b");
  c.run("PEXPIRE", "l", 5000);
  assertEquals(c.run("MOVE", "l", 3), 1);
  assertEquals(c.run("EXISTS", "l"), 0);
  c.run("SELECT", 3);
  assertEquals(c.run("LRANGE", "l", 0, -1), ["a", "b"]);
  assertEquals(c.run("PTTL", "l"), 5000);
  assertEquals(c.run("DBSIZE"), 1);
  // The TTL still works in the new database.
  h.nowMs += 5000;
  assertEquals(c.run("EXISTS", "l"), 0);
  c.run("SET", "p", "v");
  assertEquals(c.run("MOVE", "p", 0), 1);
  c.run("SELECT", 0);
  assertEquals(c.run("TTL", "p"), -1);
});

Deno.test("MOVE answers 0 for a missing key or one the target holds, and Redis's errors", () => {
  const c = new Harness().client();
  assertEquals(c.run("MOVE", "nope", 1), 0);
  c.run("SET", "k", "here");
  c.run("SELECT", 1);
  c.run("SET", "k", "there");
  assertEquals(c.run("MOVE", "k", 0), 0);
  assertEquals(c.run("GET", "k"), "there");
  c.run("SELECT", 0);
  assertEquals(c.run("GET", "k"), "here");
  assertEquals(c.run("MOVE", "k", 0), err("ERR source and destination objects are the same"));
  assertEquals(c.run("MOVE", "k", 16), err("ERR DB index is out of range"));
  assertEquals(c.run("MOVE", "k", -1), err("ERR DB index is out of range"));
  assertEquals(c.run("MOVE", "k", "x"), err("ERR value is not an integer or out of range"));
  assertEquals(
    c.run("MOVE", "k", "99999999999"),
    err("ERR value is out of range, value must between -2147483648 and 2147483647"),
  );
  assertEquals(c.run("MOVE", "k"), err("ERR wrong number of arguments for 'move' command"));
});

Deno.test("MOVE notifies move_from and move_to, invalidates WATCH and serves blocked clients", async () => {
  const h = new Harness();
  const c = h.client();
  c.run("CONFIG", "SET", "notify-keyspace-events", "KEg");
  const sub = h.client();
  sub.run("PSUBSCRIBE", "__key*__:*");
  c.run("SET", "w", "1");
  assertEquals(c.run("MOVE", "w", 2), 1);
  const events = sub.drain().map((v) => (v as string[]).slice(2).join(" "));
  assertEquals(events, [
    "__keyspace@0__:w move_from",
    "__keyevent@0__:move_from w",
    "__keyspace@2__:w move_to",
    "__keyevent@2__:move_to w",
  ]);
  // A WATCH on the key in the target database sees it arrive.
  const watcher = h.client();
  watcher.run("SELECT", 2);
  watcher.run("WATCH", "w2");
  c.run("SET", "w2", "x");
  watcher.run("MULTI");
  watcher.run("GET", "w2");
  c.run("MOVE", "w2", 2);
  assertEquals(watcher.run("EXEC"), null);
  // A client blocked on the key in the target database gets the moved list.
  const b = h.client();
  b.run("SELECT", 5);
  const waiting = b.start("BLPOP", "q", 0);
  assertEquals(waiting !== undefined, true);
  c.run("RPUSH", "q", "item");
  assertEquals(c.run("MOVE", "q", 5), 1);
  await waiting;
  assertEquals(b.drain(), [["q", "item"]]);
  c.run("SELECT", 5);
  assertEquals(c.run("EXISTS", "q"), 0);
});

Deno.test("MOVE is logged: WAL replay moves the key again", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SET", "a", "1");
  c.run("EXPIRE", "a", 100);
  c.run("MOVE", "a", 7);
  c.run("SET", "b", "2");
  c.run("SELECT", 1);
  c.run("SET", "b", "3");
  c.run("SELECT", 0);
  assertEquals(c.run("MOVE", "b", 1), 0);
  const copy = new KvEngine({ ...defaultKvConfig }, () => h.nowMs);
  for (const r of h.wal.records) replayRecord(copy, r.payload);
  assertEquals(copy.dbs[0]!.map.has("a"), false);
  assertEquals(copy.dbs[7]!.map.get("a")?.value, "1");
  assertEquals(copy.dbs[7]!.map.get("a")?.expireAt, h.nowMs + 100_000);
  assertEquals(copy.dbs[0]!.map.get("b")?.value, "2");
  assertEquals(copy.dbs[1]!.map.get("b")?.value, "3");
});

Deno.test("COMMAND GETKEYS and ACL key patterns see MOVE's key", () => {
  const c = new Harness().client();
  assertEquals(c.run("COMMAND", "GETKEYS", "MOVE", "k", "1"), ["k"]);
  assertEquals(c.run("COMMAND", "GETKEYSANDFLAGS", "MOVE", "k", "1"), [[
    "k",
    ["RW", "access", "update"],
  ]]);
  c.run("ACL", "SETUSER", "u", "on", "nopass", "+move", "+set", "~a*");
  c.run("AUTH", "u", "x");
  c.run("SET", "ab", "1");
  assertEquals(c.run("MOVE", "ab", 1), 1);
  assertEquals(
    c.run("MOVE", "zz", 1),
    err("NOPERM this user has no permissions to access one of the keys used as arguments"),
  );
});
