import { assertEquals, err, Harness } from "./_harness.ts";

// Expected bytes and counts are Redis 7.0's for the same commands.

Deno.test("PFADD writes Redis's sparse layout; PFCOUNT caches the estimate in the header", () => {
  const c = new Harness().client();
  assertEquals(c.run("PFADD", "h", "a", "b", "c"), 1);
  assertEquals(c.run("PFADD", "h", "a", "b", "c"), 0);
  const body = "\u0060\u00f3\u0080\u0050\u00b1\u0084\u004b\u00fb\u0080\u0042\u005a";
  assertEquals(
    c.run("GET", "h"),
    "HYLL\u0001\u0000\u0000\u0000" + "\u0000".repeat(7) + "\u0080" + body,
  );
  assertEquals(c.run("PFDEBUG", "DECODE", "h"), "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603");
  assertEquals(c.run("PFCOUNT", "h"), 3);
  assertEquals(c.run("GETRANGE", "h", 8, 15), "\u0003" + "\u0000".repeat(7));
  assertEquals(c.run("PFDEBUG", "ENCODING", "h"), "sparse");
  assertEquals(c.run("PFADD", "empty"), 1);
  assertEquals(c.run("PFCOUNT", "empty", "missing"), 0);
});

Deno.test("HyperLogLogs turn dense past hll-sparse-max-bytes; PFMERGE and multi-key PFCOUNT", () => {
  const c = new Harness().client();
  const items = Array.from({ length: 2000 }, (_, i) => `e${i + 1}`);
  assertEquals(c.run("PFADD", "big", ...items), 1);
  assertEquals(c.run("PFCOUNT", "big"), 2000);
  assertEquals(c.run("PFDEBUG", "ENCODING", "big"), "dense");
  assertEquals(c.run("STRLEN", "big"), 12304);
  c.run("PFADD", "x", "a", "b", "c");
  c.run("PFADD", "y", "b", "c", "d");
  assertEquals(c.run("PFCOUNT", "x", "y"), 4);
  assertEquals(c.run("PFMERGE", "z", "x", "y"), "OK");
  assertEquals(c.run("PFCOUNT", "z"), 4);
  assertEquals(c.run("PFDEBUG", "ENCODING", "z"), "sparse");
  assertEquals(c.run("PFDEBUG", "TODENSE", "z"), 1);
  assertEquals(c.run("PFCOUNT", "z"), 4);
  assertEquals(c.run("PFSELFTEST"), "OK");
});

Deno.test("HyperLogLog values that are not valid are refused", () => {
  const c = new Harness().client();
  c.run("SET", "s", "plain");
  assertEquals(
    c.run("PFADD", "s", "x"),
    err("WRONGTYPE Key is not a valid HyperLogLog string value."),
  );
  c.run("LPUSH", "l", "x");
  assertEquals(
    c.run("PFCOUNT", "l"),
    err("WRONGTYPE Operation against a key holding the wrong kind of value"),
  );
  c.run("PFADD", "h", "a");
  c.run("APPEND", "h", "junk");
  assertEquals(c.run("PFCOUNT", "h"), err("INVALIDOBJ Corrupted HLL object detected"));
  assertEquals(c.run("PFDEBUG", "ENCODING", "nokey"), err("ERR The specified key does not exist"));
});
