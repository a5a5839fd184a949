import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("ZADD flags NX/XX/GT/LT/CH/INCR and their conflicts", () => {
  const c = new Harness().client();
  assertEquals(c.run("ZADD", "z", 1, "a", 2, "b"), 2);
  assertEquals(c.run("ZADD", "z", "NX", 5, "a", 3, "c"), 1);
  assertEquals(c.run("ZSCORE", "z", "a"), "1");
  assertEquals(c.run("ZADD", "z", "XX", "CH", 5, "a", 9, "new"), 1);
  assertEquals(c.run("ZADD", "z", "GT", "CH", 4, "a", 10, "b"), 1);
  assertEquals(c.run("ZADD", "z", "LT", "CH", 1, "a"), 1);
  assertEquals(c.run("ZADD", "z", "INCR", 2.5, "a"), "3.5");
  assertEquals(c.run("ZADD", "z", "NX", "INCR", 1, "a"), null);
  assertEquals(
    c.run("ZADD", "z", "NX", "XX", 1, "a"),
    err("ERR XX and NX options at the same time are not compatible"),
  );
  assertEquals(
    c.run("ZADD", "z", "GT", "NX", 1, "a"),
    err("ERR GT, LT, and/or NX options at the same time are not compatible"),
  );
  assertEquals(
    c.run("ZADD", "z", "INCR", 1, "a", 2, "b"),
    err("ERR INCR option supports a single increment-element pair"),
  );
  assertEquals(c.run("ZADD", "z", "x", "a"), err("ERR value is not a valid float"));
  assertEquals(c.run("ZADD", "z", "NX", 1), err("ERR syntax error"));
  assertEquals(c.run("ZADD", "z", 1), err("ERR wrong number of arguments for 'zadd' command"));
  c.run("ZADD", "inf", "inf", "m");
  assertEquals(
    c.run("ZINCRBY", "inf", "-inf", "m"),
    err("ERR resulting score is not a number (NaN)"),
  );
  assertEquals(c.run("ZMSCORE", "z", "a", "nope", "b"), ["3.5", null, "10"]);
});

Deno.test("ZRANGE by rank, score, lex, REV and LIMIT; legacy forms", () => {
  const c = new Harness().client();
  c.run("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d", 5, "e");
  assertEquals(c.run("ZRANGE", "z", 0, -1), ["a", "b", "c", "d", "e"]);
  assertEquals(c.run("ZRANGE", "z", 0, 1, "WITHSCORES"), ["a", "1", "b", "2"]);
  assertEquals(c.run("ZRANGE", "z", 0, 1, "REV"), ["e", "d"]);
  assertEquals(c.run("ZRANGE", "z", "(1", 4, "BYSCORE", "LIMIT", 1, 2), ["c", "d"]);
  assertEquals(c.run("ZRANGE", "z", "+inf", "(3", "BYSCORE", "REV"), ["e", "d"]);
  assertEquals(
    c.run("ZRANGE", "z", 0, 1, "LIMIT", 0, 1),
    err("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"),
  );
  assertEquals(c.run("ZRANGEBYSCORE", "z", "-inf", "2", "WITHSCORES"), ["a", "1", "b", "2"]);
  assertEquals(c.run("ZREVRANGEBYSCORE", "z", 5, "(3"), ["e", "d"]);
  assertEquals(c.run("ZREVRANGE", "z", 0, 0), ["e"]);
  assertEquals(c.run("ZRANGEBYSCORE", "z", "x", 1), err("ERR min or max is not a float"));
  c.run("ZADD", "lex", 0, "a", 0, "b", 0, "c", 0, "d");
  assertEquals(c.run("ZRANGEBYLEX", "lex", "[b", "(d"), ["b", "c"]);
  assertEquals(c.run("ZREVRANGEBYLEX", "lex", "+", "(b"), ["d", "c"]);
  assertEquals(c.run("ZRANGE", "lex", "-", "+", "BYLEX", "LIMIT", 1, 2), ["b", "c"]);
  assertEquals(c.run("ZLEXCOUNT", "lex", "-", "[c"), 3);
  assertEquals(
    c.run("ZRANGEBYLEX", "lex", "b", "c"),
    err("ERR min or max not valid string range item"),
  );
  assertEquals(c.run("ZCOUNT", "z", "(1", "+inf"), 4);
  assertEquals(c.run("ZRANK", "z", "c"), 2);
  assertEquals(c.run("ZREVRANK", "z", "c"), 2);
  assertEquals(c.run("ZRANK", "z", "zz"), null);
  assertEquals(c.run("ZRANGESTORE", "dst", "z", 1, 3, "BYSCORE"), 3);
  assertEquals(c.run("ZRANGE", "dst", 0, -1), ["a", "b", "c"]);
});

Deno.test("ZPOPMIN/ZPOPMAX, ZREM deletes empty sets, ZRANDMEMBER", () => {
  const c = new Harness().client();
  c.run("ZADD", "z", 1, "a", 2, "b", 3, "c");
  assertEquals(c.run("ZPOPMIN", "z"), ["a", "1"]);
  assertEquals(c.run("ZPOPMAX", "z", 5), ["c", "3", "b", "2"]);
  assertEquals(c.run("EXISTS", "z"), 0);
  assertEquals(c.run("ZPOPMIN", "z"), []);
  c.run("ZADD", "z", 1, "a");
  assertEquals(c.run("ZREM", "z", "a", "b"), 1);
  assertEquals(c.run("EXISTS", "z"), 0);
  c.run("ZADD", "z", 1, "a", 2, "b");
  assertEquals((c.run("ZRANDMEMBER", "z", 2) as string[]).sort(), ["a", "b"]);
  assertEquals((c.run("ZRANDMEMBER", "z", -3) as string[]).length, 3);
});

Deno.test("ZUNIONSTORE/ZINTERSTORE with WEIGHTS and AGGREGATE, ZDIFFSTORE, sets as inputs", () => {
  const c = new Harness().client();
  c.run("ZADD", "a", 1, "x", 2, "y");
  c.run("ZADD", "b", 10, "y", 20, "z");
  c.run("SADD", "s", "x");
  assertEquals(c.run("ZUNIONSTORE", "u", 2, "a", "b", "WEIGHTS", 2, 1), 3);
  assertEquals(c.run("ZRANGE", "u", 0, -1, "WITHSCORES"), ["x", "2", "y", "14", "z", "20"]);
  assertEquals(c.run("ZINTERSTORE", "i", 2, "a", "b", "AGGREGATE", "MAX"), 1);
  assertEquals(c.run("ZRANGE", "i", 0, -1, "WITHSCORES"), ["y", "10"]);
  assertEquals(c.run("ZDIFFSTORE", "d", 2, "a", "b"), 1);
  assertEquals(c.run("ZRANGE", "d", 0, -1), ["x"]);
  assertEquals(c.run("ZINTERSTORE", "i2", 2, "a", "s"), 1);
  assertEquals(c.run("ZSCORE", "i2", "x"), "2");
  assertEquals(
    c.run("ZUNIONSTORE", "u", 0, "a"),
    err("ERR at least 1 input key is needed for 'zunionstore' command"),
  );
  assertEquals(c.run("ZUNION", 2, "a", "b", "WITHSCORES"), ["x", "1", "y", "12", "z", "20"]);
});

Deno.test("a sorted set agrees with a simple model under random operations", () => {
  const c = new Harness().client();
  const model = new Map<string, number>();
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
  for (let i = 0; i < 8000; i++) {
    const m = `m${rnd(3000)}`;
    if (rnd(4) === 0) {
      c.run("ZREM", "z", m);
      model.delete(m);
    } else {
      const s = rnd(20);
      c.run("ZADD", "z", s, m);
      model.set(m, s);
    }
  }
  const expected = [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([m]) => m);
  assertEquals(c.run("ZRANGE", "z", 0, -1), expected);
  assertEquals(c.run("ZCARD", "z"), model.size);
  const inRange = expected.filter((m) => model.get(m)! >= 5 && model.get(m)! < 12);
  assertEquals(c.run("ZRANGEBYSCORE", "z", 5, "(12"), inRange);
  assertEquals(c.run("ZRANGEBYSCORE", "z", 5, "(12", "LIMIT", 10, 20), inRange.slice(10, 30));
  assertEquals(
    c.run("ZREVRANGEBYSCORE", "z", "(12", 5, "LIMIT", 3, 7),
    inRange.slice().reverse().slice(3, 10),
  );
  assertEquals(c.run("ZRANGE", "z", 100, 150, "REV"), expected.slice().reverse().slice(100, 151));
  for (const i of [0, 1, 511, 512, 513, 1000, expected.length - 1]) {
    assertEquals(c.run("ZRANK", "z", expected[i]!), i);
    assertEquals(c.run("ZREVRANK", "z", expected[i]!), expected.length - 1 - i);
  }
});
