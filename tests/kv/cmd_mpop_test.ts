import { assertEquals, err, Harness } from "./_harness.ts";
import { formatDouble } from "../../src/kv/bytes.ts";

Deno.test("LMPOP/ZMPOP pop from the first non-empty key; their argument errors", () => {
  const c = new Harness().client();
  c.run("RPUSH", "l2", "a", "b", "c");
  assertEquals(c.run("LMPOP", 2, "l1", "l2", "LEFT"), ["l2", ["a"]]);
  assertEquals(c.run("LMPOP", 2, "l1", "l2", "RIGHT", "COUNT", 5), ["l2", ["c", "b"]]);
  assertEquals(c.run("EXISTS", "l2"), 0);
  assertEquals(c.run("LMPOP", 1, "l2", "LEFT"), null);
  assertEquals(c.run("LMPOP", 0, "l2", "LEFT"), err("ERR numkeys should be greater than 0"));
  assertEquals(c.run("LMPOP", 3, "l2", "LEFT"), err("ERR syntax error"));
  assertEquals(c.run("LMPOP", 1, "l2", "UP"), err("ERR syntax error"));
  assertEquals(
    c.run("LMPOP", 1, "l2", "LEFT", "COUNT", 0),
    err("ERR count should be greater than 0"),
  );
  c.run("SET", "s", "x");
  assertEquals(
    c.run("LMPOP", 1, "s", "LEFT"),
    err("WRONGTYPE Operation against a key holding the wrong kind of value"),
  );
  c.run("ZADD", "z", 1, "a", 2, "b", 3, "c");
  assertEquals(c.run("ZMPOP", 1, "z", "MIN"), ["z", [["a", "1"]]]);
  assertEquals(c.run("ZMPOP", 1, "z", "MAX", "COUNT", 10), ["z", [["c", "3"], ["b", "2"]]]);
  assertEquals(c.run("ZMPOP", 1, "z", "MAX"), null);
});

Deno.test("BLMPOP blocks until a list key is pushed, not when it becomes a string", async () => {
  const h = new Harness();
  const waiter = h.client();
  const other = h.client();
  const wait = waiter.start("BLMPOP", 0, 1, "q", "LEFT", "COUNT", 2);
  assertEquals(wait instanceof Promise, true);
  other.run("SET", "q", "string");
  assertEquals(waiter.drain(), []);
  other.run("DEL", "q");
  other.run("RPUSH", "q", "x", "y", "z");
  await wait;
  assertEquals(waiter.drain(), [["q", ["x", "y"]]]);
});

Deno.test("CLIENT UNBLOCK ends a blocked pop with its timeout reply or an error", async () => {
  const h = new Harness();
  const waiter = h.client();
  const other = h.client();
  const wait = waiter.start("BLPOP", "nothing", 0);
  assertEquals(other.run("CLIENT", "UNBLOCK", waiter.client.id, "ERROR"), 1);
  await wait;
  assertEquals(waiter.drain(), [err("UNBLOCKED client unblocked via CLIENT UNBLOCK")]);
  assertEquals(other.run("CLIENT", "UNBLOCK", waiter.client.id), 0);
});

Deno.test("ZINTERCARD counts the intersection, capped by LIMIT", () => {
  const c = new Harness().client();
  c.run("ZADD", "a", 1, "x", 2, "y", 3, "z");
  c.run("ZADD", "b", 1, "y", 2, "z");
  assertEquals(c.run("ZINTERCARD", 2, "a", "b"), 2);
  assertEquals(c.run("ZINTERCARD", 2, "a", "b", "LIMIT", 1), 1);
  assertEquals(
    c.run("ZINTERCARD", 0, "a"),
    err("ERR at least 1 input key is needed for 'zintercard' command"),
  );
  assertEquals(c.run("ZINTERCARD", 2, "a", "b", "LIMIT", -1), err("ERR LIMIT can't be negative"));
});

Deno.test("CLIENT REPLY OFF/SKIP/ON mute replies as Redis does", () => {
  const c = new Harness().client();
  assertEquals(c.run("CLIENT", "REPLY", "OFF"), []);
  assertEquals(c.run("PING"), []);
  assertEquals(c.run("CLIENT", "REPLY", "ON"), "OK");
  assertEquals(c.run("CLIENT", "REPLY", "SKIP"), []);
  assertEquals(c.run("PING"), []);
  assertEquals(c.run("PING"), "PONG");
  assertEquals(c.run("CLIENT", "REPLY", "MAYBE"), err("ERR syntax error"));
});

Deno.test("SAVE is refused inside MULTI and dooms the EXEC", () => {
  const c = new Harness().client();
  c.run("MULTI");
  assertEquals(c.run("SAVE"), err("ERR Command not allowed inside a transaction"));
  assertEquals(
    c.run("EXEC"),
    err("EXECABORT Transaction discarded because of previous errors."),
  );
});

Deno.test("doubles are formatted as Redis 7.0's %.17g", () => {
  assertEquals(formatDouble(1.1), "1.1000000000000001");
  assertEquals(formatDouble(0.5), "0.5");
  assertEquals(formatDouble(3), "3");
  assertEquals(formatDouble(1e20), "1e+20");
  assertEquals(formatDouble(1e-5), "1.0000000000000001e-05");
  assertEquals(formatDouble(-Infinity), "-inf");
  assertEquals(formatDouble(-0), "-0");
});

Deno.test("SORT orders numerically or ALPHA, with BY/GET patterns, LIMIT and STORE", () => {
  const c = new Harness().client();
  c.run("RPUSH", "l", 3, 1, 2, 10);
  assertEquals(c.run("SORT", "l"), ["1", "2", "3", "10"]);
  assertEquals(c.run("SORT", "l", "DESC", "LIMIT", 1, 2), ["3", "2"]);
  assertEquals(c.run("SORT", "l", "ALPHA"), ["1", "10", "2", "3"]);
  c.run("MSET", "w_1", 9, "w_2", 5);
  c.run("HSET", "h_3", "f", "three");
  assertEquals(c.run("SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->f"), [
    "10",
    null,
    "3",
    "three",
    "2",
    null,
    "1",
    null,
  ]);
  assertEquals(c.run("SORT", "l", "BY", "nosort", "DESC"), ["10", "2", "1", "3"]);
  assertEquals(c.run("SORT", "l", "STORE", "dst"), 4);
  assertEquals(c.run("LRANGE", "dst", 0, -1), ["1", "2", "3", "10"]);
  c.run("SADD", "s", "b", "a");
  assertEquals(c.run("SORT", "s"), err("ERR One or more scores can't be converted into double"));
  assertEquals(c.run("SORT_RO", "l", "STORE", "x"), err("ERR syntax error"));
  assertEquals(c.run("COMMAND", "GETKEYS", "SORT", "abc", "STORE", "bad", "STORE", "def"), [
    "abc",
    "def",
  ]);
});
