import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("SET options: NX, XX, GET, KEEPTTL, EX", () => {
  const c = new Harness().client();
  assertEquals(c.run("SET", "k", "v1", "NX"), "OK");
  assertEquals(c.run("SET", "k", "v2", "NX"), null);
  assertEquals(c.run("SET", "k", "v3", "XX", "GET"), "v1");
  assertEquals(c.run("SET", "missing", "v", "XX"), null);
  assertEquals(c.run("SET", "k", "v4", "EX", 100), "OK");
  assertEquals(c.run("TTL", "k"), 100);
  assertEquals(c.run("SET", "k", "v5", "KEEPTTL"), "OK");
  assertEquals(c.run("TTL", "k"), 100);
  assertEquals(c.run("SET", "k", "v6"), "OK");
  assertEquals(c.run("TTL", "k"), -1);
  assertEquals(c.run("SET", "k", "v", "EX", 0), err("ERR invalid expire time in 'set' command"));
  assertEquals(
    c.run("SET", "k", "v", "EX", "x"),
    err("ERR value is not an integer or out of range"),
  );
  assertEquals(c.run("SET", "k", "v", "NX", "XX"), err("ERR syntax error"));
  assertEquals(c.run("SET", "k", "v", "EX", 10, "KEEPTTL"), err("ERR syntax error"));
  c.run("LPUSH", "list", "a");
  assertEquals(
    c.run("SET", "list", "v", "GET"),
    err("WRONGTYPE Operation against a key holding the wrong kind of value"),
  );
  assertEquals(c.run("SET", "list", "v"), "OK");
});

Deno.test("SET expiry is absolute: the key vanishes when the clock passes it", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SET", "k", "v", "PX", 1500);
  h.nowMs += 1499;
  assertEquals(c.run("GET", "k"), "v");
  h.nowMs += 1;
  assertEquals(c.run("GET", "k"), null);
  assertEquals(c.run("EXISTS", "k"), 0);
  c.run("SET", "k2", "v", "EXAT", Math.floor(h.nowMs / 1000) + 10);
  assertEquals(c.run("TTL", "k2"), 10);
});

Deno.test("INCR family: overflow, non-integers, INCRBYFLOAT", () => {
  const c = new Harness().client();
  assertEquals(c.run("INCR", "n"), 1);
  assertEquals(c.run("INCRBY", "n", 41), 42);
  assertEquals(c.run("DECRBY", "n", 50), -8);
  assertEquals(c.run("DECR", "n"), -9);
  c.run("SET", "big", "9223372036854775806");
  assertEquals(c.run("INCR", "big"), 9223372036854775807n);
  assertEquals(c.run("INCR", "big"), err("ERR increment or decrement would overflow"));
  c.run("SET", "s", "abc");
  assertEquals(c.run("INCR", "s"), err("ERR value is not an integer or out of range"));
  c.run("SET", "sp", " 1");
  assertEquals(c.run("INCR", "sp"), err("ERR value is not an integer or out of range"));
  assertEquals(c.run("INCRBY", "n", "1.5"), err("ERR value is not an integer or out of range"));
  assertEquals(c.run("INCRBYFLOAT", "f", "10.5"), "10.5");
  assertEquals(c.run("INCRBYFLOAT", "f", "0.1"), "10.6");
  assertEquals(c.run("INCRBYFLOAT", "f", "-5.6"), "5");
  assertEquals(c.run("INCRBYFLOAT", "s", "1"), err("ERR value is not a valid float"));
  assertEquals(
    c.run("INCRBYFLOAT", "f", "inf"),
    err("ERR increment would produce NaN or Infinity"),
  );
  assertEquals(c.run("DECRBY", "n", "-9223372036854775808"), err("ERR decrement would overflow"));
});

Deno.test("APPEND, STRLEN, GETRANGE, SETRANGE", () => {
  const c = new Harness().client();
  assertEquals(c.run("APPEND", "s", "Hello"), 5);
  assertEquals(c.run("APPEND", "s", " World"), 11);
  assertEquals(c.run("STRLEN", "s"), 11);
  assertEquals(c.run("GETRANGE", "s", 0, 4), "Hello");
  assertEquals(c.run("GETRANGE", "s", -5, -1), "World");
  assertEquals(c.run("GETRANGE", "s", 5, 1), "");
  assertEquals(c.run("GETRANGE", "s", 0, 100), "Hello World");
  assertEquals(c.run("GETRANGE", "s", -1, -5), "");
  assertEquals(c.run("SETRANGE", "s", 6, "Redis"), 11);
  assertEquals(c.run("GET", "s"), "Hello Redis");
  assertEquals(c.run("SETRANGE", "z", 3, "x"), 4);
  assertEquals(c.run("GET", "z"), "\0\0\0x");
  assertEquals(c.run("SETRANGE", "z", -1, "x"), err("ERR offset is out of range"));
  assertEquals(c.run("SETRANGE", "empty", 0, ""), 0);
  assertEquals(c.run("EXISTS", "empty"), 0);
});

Deno.test("MSET, MSETNX, MGET, GETSET, GETDEL, GETEX, SETNX, SETEX", () => {
  const h = new Harness();
  const c = h.client();
  assertEquals(c.run("MSET", "a", "1", "b", "2"), "OK");
  assertEquals(
    c.run("MSET", "a", "1", "b"),
    err("ERR wrong number of arguments for 'mset' command"),
  );
  assertEquals(c.run("MSETNX", "b", "x", "c", "3"), 0);
  assertEquals(c.run("MSETNX", "c", "3", "d", "4"), 1);
  c.run("SADD", "set", "m");
  assertEquals(c.run("MGET", "a", "nope", "set", "d"), ["1", null, null, "4"]);
  assertEquals(c.run("GETSET", "a", "10"), "1");
  assertEquals(c.run("GETDEL", "a"), "10");
  assertEquals(c.run("GETDEL", "a"), null);
  assertEquals(c.run("SETNX", "b", "z"), 0);
  assertEquals(c.run("SETEX", "e", 10, "v"), "OK");
  assertEquals(c.run("PTTL", "e"), 10000);
  assertEquals(c.run("SETEX", "e", 0, "v"), err("ERR invalid expire time in 'setex' command"));
  assertEquals(c.run("GETEX", "e", "PERSIST"), "v");
  assertEquals(c.run("TTL", "e"), -1);
  assertEquals(c.run("GETEX", "e", "EX", 50), "v");
  assertEquals(c.run("TTL", "e"), 50);
  assertEquals(c.run("GET"), err("ERR wrong number of arguments for 'get' command"));
});

Deno.test("values are binary safe", () => {
  const c = new Harness().client();
  const bytes = String.fromCharCode(0, 255, 13, 10, 128, 1);
  c.run("SET", bytes, bytes);
  assertEquals(c.run("GET", bytes), bytes);
  assertEquals(c.run("STRLEN", bytes), 6);
});

Deno.test("plain SET over a string replaces value, encoding, memory and wakes WATCH", () => {
  const h = new Harness();
  const c = h.client();
  const other = h.client();
  const db = h.engine.dbs[0]!;
  c.run("SET", "k", "short");
  const small = db.bytes;
  c.run("SET", "k", "a much longer value than before");
  assertEquals(c.run("GET", "k"), "a much longer value than before");
  assertEquals(db.bytes - small, "a much longer value than before".length - "short".length);
  assertEquals(c.run("DBSIZE"), 1);
  assertEquals(c.run("RANDOMKEY"), "k");
  c.run("APPEND", "k", "!");
  assertEquals(c.run("OBJECT", "ENCODING", "k"), "raw");
  c.run("SET", "k", "v");
  assertEquals(c.run("OBJECT", "ENCODING", "k"), "embstr");
  c.run("SET", "k", "12");
  assertEquals(c.run("OBJECT", "ENCODING", "k"), "int");
  c.run("WATCH", "k");
  other.run("SET", "k", "changed");
  c.run("MULTI");
  c.run("GET", "k");
  assertEquals(c.run("EXEC"), null);
  c.run("SET", "gone", "v", "PX", 10);
  h.nowMs += 10;
  c.run("SET", "gone", "again");
  assertEquals(c.run("TTL", "gone"), -1);
  assertEquals(c.run("DBSIZE"), 2);
});
