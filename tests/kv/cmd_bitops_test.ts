import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("BITPOS: byte and bit ranges, padding with clear bits, errors", () => {
  const c = new Harness().client();
  for (const bit of [0, 1, 12]) c.run("SETBIT", "a", bit, 1);
  assertEquals(c.run("BITPOS", "a", 0), 2);
  assertEquals(c.run("BITPOS", "a", 1, 1), 12);
  assertEquals(c.run("BITPOS", "a", 0, 0, -1, "BIT"), 2);
  assertEquals(c.run("BITPOS", "a", 1, 2, 15, "BIT"), 12);
  assertEquals(c.run("BITPOS", "a", 1, 13, 15, "BIT"), -1);
  assertEquals(c.run("BITPOS", "a", 0, 0, 0), 2);
  c.run("SET", "z", "");
  assertEquals(c.run("BITPOS", "z", 0), -1);
  assertEquals(c.run("BITPOS", "missing", 0), 0);
  assertEquals(c.run("BITPOS", "missing", 1), -1);
  c.run("SET", "f", "\u00ff");
  // No end given: the string reads as followed by clear bits; with an end it does not.
  assertEquals(c.run("BITPOS", "f", 0), 8);
  assertEquals(c.run("BITPOS", "f", 0, 0, 0), -1);
  assertEquals(c.run("BITPOS", "a", 2), err("ERR The bit argument must be 1 or 0."));
  assertEquals(c.run("BITPOS", "a", 1, 0, 1, "WORD"), err("ERR syntax error"));
  c.run("LPUSH", "l", "x");
  assertEquals(
    c.run("BITPOS", "l", 1),
    err("WRONGTYPE Operation against a key holding the wrong kind of value"),
  );
});

Deno.test("BITOP: AND/OR/XOR zero-pad shorter inputs, NOT, empty result deletes", () => {
  const c = new Harness().client();
  c.run("SET", "b", "ab");
  c.run("SET", "c", "c");
  assertEquals(c.run("BITOP", "AND", "d", "b", "c"), 2);
  assertEquals(c.run("GET", "d"), "a\u0000");
  assertEquals(c.run("BITOP", "or", "d", "b", "c"), 2);
  assertEquals(c.run("GET", "d"), "cb");
  assertEquals(c.run("BITOP", "XOR", "d", "b", "missing"), 2);
  assertEquals(c.run("GET", "d"), "ab");
  assertEquals(c.run("BITOP", "NOT", "d", "c"), 1);
  assertEquals(c.run("GET", "d"), "\u009c");
  assertEquals(c.run("BITOP", "AND", "d", "missing1", "missing2"), 0);
  assertEquals(c.run("EXISTS", "d"), 0);
  assertEquals(
    c.run("BITOP", "NOT", "d", "b", "c"),
    err("ERR BITOP NOT must be called with a single source key."),
  );
  assertEquals(c.run("BITOP", "FOO", "d", "b"), err("ERR syntax error"));
});

Deno.test("BITFIELD: signed/unsigned fields, #n offsets, overflow policies, BITFIELD_RO", () => {
  const c = new Harness().client();
  assertEquals(
    c.run(
      "BITFIELD",
      "bf",
      ...["SET", "i8", 0, -100, "GET", "u8", 0, "INCRBY", "u4", 2, 100],
      ...["OVERFLOW", "SAT", "INCRBY", "i8", 0, -100, "OVERFLOW", "FAIL", "INCRBY", "u2", 0, 5],
    ),
    [0, 156, 11, -128, null],
  );
  assertEquals(c.run("BITFIELD", "bf", "SET", "u8", 8, 300, "GET", "u16", 0), [0, 32812]);
  assertEquals(c.run("BITFIELD", "s", "SET", "u8", "#1", 66, "SET", "u8", "#0", 65), [0, 0]);
  assertEquals(c.run("GET", "s"), "AB");
  assertEquals(c.run("BITFIELD", "s", "INCRBY", "i64", 0, 1), [4702320960928219137n]);
  const typeError =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
  assertEquals(c.run("BITFIELD", "bf", "GET", "u64", 0), err(typeError));
  assertEquals(c.run("BITFIELD", "bf", "GET", "i0", 0), err(typeError));
  assertEquals(
    c.run("BITFIELD", "bf", "OVERFLOW", "foo"),
    err("ERR Invalid OVERFLOW type specified"),
  );
  assertEquals(c.run("BITFIELD", "bf", "INCRBY"), err("ERR syntax error"));
  assertEquals(
    c.run("BITFIELD", "bf", "GET", "u8", -1),
    err("ERR bit offset is not an integer or out of range"),
  );
  assertEquals(
    c.run("BITFIELD_RO", "bf", "SET", "u8", 0, 1),
    err("ERR BITFIELD_RO only supports the GET subcommand"),
  );
  assertEquals(c.run("BITFIELD_RO", "bf", "GET", "u8", 8), [44]);
  assertEquals(c.run("BITFIELD", "nokey", "GET", "i8", 0), [0]);
  assertEquals(c.run("EXISTS", "nokey"), 0);
  // A failed write still creates the string up to the field, as in Redis.
  assertEquals(c.run("BITFIELD", "nokey", "OVERFLOW", "FAIL", "SET", "u2", 0, 7), [null]);
  assertEquals(c.run("STRLEN", "nokey"), 1);
});

Deno.test("SETBIT of an unchanged bit is no write", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SETBIT", "k", 3, 1);
  const records = h.wal.records.length;
  assertEquals(c.run("SETBIT", "k", 3, 1), 1);
  assertEquals(h.wal.records.length, records);
  assertEquals(c.run("SETBIT", "k", 3, 0), 1);
  assertEquals(h.wal.records.length, records + 1);
});
