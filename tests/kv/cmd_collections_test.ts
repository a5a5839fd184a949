import { assertEquals, err, Harness } from "./_harness.ts";

const wrongType = err("WRONGTYPE Operation against a key holding the wrong kind of value");

Deno.test("hashes: HSET/HGET/HDEL, counters, empty hash is deleted", () => {
  const c = new Harness().client();
  assertEquals(c.run("HSET", "h", "a", "1", "b", "2"), 2);
  assertEquals(c.run("HSET", "h", "a", "3", "c", "4"), 1);
  assertEquals(c.run("HGET", "h", "a"), "3");
  assertEquals(c.run("HMGET", "h", "a", "x", "c"), ["3", null, "4"]);
  assertEquals(c.run("HGETALL", "h"), ["a", "3", "b", "2", "c", "4"]);
  assertEquals(c.run("HKEYS", "h"), ["a", "b", "c"]);
  assertEquals(c.run("HVALS", "h"), ["3", "2", "4"]);
  assertEquals(c.run("HLEN", "h"), 3);
  assertEquals(c.run("HSTRLEN", "h", "a"), 1);
  assertEquals(c.run("HEXISTS", "h", "b"), 1);
  assertEquals(c.run("HSETNX", "h", "a", "9"), 0);
  assertEquals(c.run("HINCRBY", "h", "a", 5), 8);
  assertEquals(c.run("HINCRBYFLOAT", "h", "f", "1.5"), "1.5");
  c.run("HSET", "h", "s", "x");
  assertEquals(c.run("HINCRBY", "h", "s", 1), err("ERR hash value is not an integer"));
  assertEquals(c.run("HINCRBYFLOAT", "h", "s", 1), err("ERR hash value is not a float"));
  assertEquals(c.run("HSET", "h", "odd"), err("ERR wrong number of arguments for 'hset' command"));
  assertEquals(c.run("HDEL", "h", "a", "b", "c", "f", "s", "zz"), 5);
  assertEquals(c.run("EXISTS", "h"), 0);
  c.run("SET", "str", "v");
  assertEquals(c.run("HGET", "str", "a"), wrongType);
  c.run("HSET", "h2", "x", "1", "y", "2", "z", "3");
  assertEquals((c.run("HRANDFIELD", "h2", 5) as string[]).sort(), ["x", "y", "z"]);
  assertEquals((c.run("HRANDFIELD", "h2", -5) as string[]).length, 5);
  const [cursor, fields] = c.run("HSCAN", "h2", 0, "MATCH", "[xy]") as [string, string[]];
  assertEquals(cursor, "0");
  assertEquals(fields, ["x", "1", "y", "2"]);
});

Deno.test("lists: push/pop with count, ranges, LSET, LREM, LTRIM, LINSERT, LPOS, LMOVE", () => {
  const c = new Harness().client();
  assertEquals(c.run("RPUSH", "l", "a", "b", "c", "b", "a"), 5);
  assertEquals(c.run("LPUSH", "l", "z"), 6);
  assertEquals(c.run("LRANGE", "l", 0, -1), ["z", "a", "b", "c", "b", "a"]);
  assertEquals(c.run("LRANGE", "l", -2, 100), ["b", "a"]);
  assertEquals(c.run("LINDEX", "l", -1), "a");
  assertEquals(c.run("LINDEX", "l", 99), null);
  assertEquals(c.run("LPOS", "l", "b"), 2);
  assertEquals(c.run("LPOS", "l", "b", "RANK", -1), 4);
  assertEquals(c.run("LPOS", "l", "b", "COUNT", 0), [2, 4]);
  assertEquals(
    c.run("LPOS", "l", "b", "RANK", 0),
    err(
      "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
    ),
  );
  assertEquals(c.run("LSET", "l", 0, "Z"), "OK");
  assertEquals(c.run("LSET", "l", 10, "Z"), err("ERR index out of range"));
  assertEquals(c.run("LSET", "nokey", 0, "Z"), err("ERR no such key"));
  assertEquals(c.run("LREM", "l", -1, "a"), 1);
  assertEquals(c.run("LRANGE", "l", 0, -1), ["Z", "a", "b", "c", "b"]);
  assertEquals(c.run("LINSERT", "l", "BEFORE", "c", "x"), 6);
  assertEquals(c.run("LINSERT", "l", "AFTER", "nope", "x"), -1);
  assertEquals(c.run("LTRIM", "l", 1, -2), "OK");
  assertEquals(c.run("LRANGE", "l", 0, -1), ["a", "b", "x", "c"]);
  assertEquals(c.run("LPOP", "l", 2), ["a", "b"]);
  assertEquals(c.run("RPOP", "l"), "c");
  assertEquals(c.run("LPOP", "l", -1), err("ERR value is out of range, must be positive"));
  assertEquals(c.run("LMOVE", "l", "dst", "LEFT", "RIGHT"), "x");
  assertEquals(c.run("EXISTS", "l"), 0);
  assertEquals(c.run("RPOPLPUSH", "dst", "dst"), "x");
  assertEquals(c.run("LPOP", "none", 3), null);
  assertEquals(c.run("LPUSHX", "none", "a"), 0);
  assertEquals(c.run("LLEN", "dst"), 1);
  c.run("SET", "s", "v");
  assertEquals(c.run("LPUSH", "s", "a"), wrongType);
  assertEquals(c.run("LMOVE", "dst", "s", "LEFT", "LEFT"), wrongType);
  assertEquals(c.run("LLEN", "dst"), 1);
});

Deno.test("a long list pushes and pops at both ends", () => {
  const c = new Harness().client();
  for (let i = 0; i < 1000; i++) c.run(i % 2 === 0 ? "LPUSH" : "RPUSH", "l", i);
  assertEquals(c.run("LLEN", "l"), 1000);
  assertEquals(c.run("LINDEX", "l", 0), "998");
  assertEquals(c.run("LINDEX", "l", -1), "999");
  for (let i = 0; i < 999; i++) c.run(i % 3 === 0 ? "RPOP" : "LPOP", "l");
  assertEquals(c.run("LLEN", "l"), 1);
});

Deno.test("sets: algebra, STORE forms, SINTERCARD, SPOP, SMOVE", () => {
  const c = new Harness().client();
  assertEquals(c.run("SADD", "a", "1", "2", "3", "3"), 3);
  c.run("SADD", "b", "2", "3", "4");
  assertEquals((c.run("SINTER", "a", "b") as string[]).sort(), ["2", "3"]);
  assertEquals((c.run("SUNION", "a", "b") as string[]).sort(), ["1", "2", "3", "4"]);
  assertEquals(c.run("SDIFF", "a", "b"), ["1"]);
  assertEquals(c.run("SINTERSTORE", "d", "a", "b"), 2);
  assertEquals(c.run("SDIFFSTORE", "d", "a", "a"), 0);
  assertEquals(c.run("EXISTS", "d"), 0);
  assertEquals(c.run("SINTERCARD", 2, "a", "b", "LIMIT", 1), 1);
  assertEquals(c.run("SINTERCARD", 0, "a"), err("ERR numkeys should be greater than 0"));
  assertEquals(
    c.run("SINTERCARD", 3, "a", "b"),
    err("ERR Number of keys can't be greater than number of args"),
  );
  assertEquals(c.run("SMISMEMBER", "a", "1", "9"), [1, 0]);
  assertEquals(c.run("SMOVE", "a", "b", "1"), 1);
  assertEquals(c.run("SCARD", "b"), 4);
  const popped = c.run("SPOP", "a", 10) as string[];
  assertEquals(popped.sort(), ["2", "3"]);
  assertEquals(c.run("EXISTS", "a"), 0);
  assertEquals(c.run("SPOP", "a"), null);
  assertEquals((c.run("SRANDMEMBER", "b", -6) as string[]).length, 6);
  assertEquals(c.run("SISMEMBER", "b", "4"), 1);
  c.run("SET", "s", "v");
  assertEquals(c.run("SUNION", "b", "s"), wrongType);
});
