import assert from "node:assert/strict";
import { assertEquals, Harness, mapOf } from "./_harness.ts";
import { CorruptError } from "../../src/common/errors.ts";
import { fromLatin1, latin1 } from "../../src/kv/bytes.ts";
import { crc64 } from "../../src/kv/crc64.ts";
import { lzfDecompress } from "../../src/kv/lzf.ts";
import { decodeListpack, encodeListpack } from "../../src/kv/listpack.ts";
import { decodeIntset, decodeZiplist, decodeZipmap } from "../../src/kv/ziplist.ts";
import { RdbWriter } from "../../src/kv/rdb_io.ts";

/** A DUMP payload around a value's bytes (type byte first): RDB version then CRC-64. */
function payload(body: readonly number[], version = 10): string {
  const w = new RdbWriter();
  w.raw(Uint8Array.from(body));
  w.u8(version);
  w.u8(0);
  const crc = crc64(w.take());
  for (let i = 0; i < 8; i++) w.u8(Number((crc >> BigInt(8 * i)) & 0xffn));
  return latin1(w.take());
}

/** A string as the RDB's length-prefixed raw bytes (short ones only). */
function rdbString(s: string | readonly number[]): number[] {
  const bytes = typeof s === "string" ? [...fromLatin1(s)] : [...s];
  assert.ok(bytes.length < 64);
  return [bytes.length, ...bytes];
}

/** A ziplist of short strings and small integers, as Redis before 7.0 wrote them. */
function ziplist(items: readonly (string | number)[]): number[] {
  const entries: number[] = [];
  let prev = 0;
  for (const it of items) {
    const e = typeof it === "number" ? [0xfe, it & 0xff] : [it.length, ...fromLatin1(it)];
    entries.push(prev, ...e);
    prev = 1 + e.length;
  }
  const total = 10 + entries.length + 1;
  const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
  return [...u32(total), ...u32(total - 1 - prev), items.length, 0, ...entries, 0xff];
}

Deno.test("crc64 matches Redis's test vector", () => {
  assertEquals(crc64(new TextEncoder().encode("123456789")), 0xe9c6d914c4b8d9can);
  assertEquals(crc64(new Uint8Array(0)), 0n);
});

Deno.test("lzfDecompress expands literals and overlapping back references", () => {
  // "ab" as a literal run, then 3 bytes from 2 back (overlapping): "ababa".
  const out = lzfDecompress(Uint8Array.from([0x01, 97, 98, 0x20, 0x01]), 5);
  assertEquals(latin1(out), "ababa");
  // A long reference: length 7 + 20 + 2 bytes from 1 back.
  const long = lzfDecompress(Uint8Array.from([0x00, 120, 0xe0, 20, 0x00]), 30);
  assertEquals(latin1(long), "x".repeat(30));
  assert.throws(() => lzfDecompress(Uint8Array.from([0x20, 0x05]), 3), CorruptError);
  assert.throws(() => lzfDecompress(Uint8Array.from([0x01, 97, 98]), 3), CorruptError);
});

Deno.test("listpack round-trips every string and integer encoding", () => {
  const items = [
    0,
    127,
    128,
    -1,
    4095,
    -4096,
    4096,
    32767,
    -32768,
    32768,
    8388607,
    -8388608,
    2147483647,
    -2147483648,
    2147483648,
    9223372036854775807n,
    -9223372036854775808n,
  ];
  const strings = ["", "a", "x".repeat(63), "y".repeat(64), "z".repeat(4095), "w".repeat(4096)];
  const strings2 = ["\u0000\u00ff", "v".repeat(20000)];
  const lp = encodeListpack([...items, ...strings, ...strings2]);
  assertEquals(decodeListpack(lp), [...items.map(String), ...strings, ...strings2]);
  assertEquals(decodeListpack(encodeListpack([])), []);
  const damaged = lp.slice(0, lp.length - 1);
  assert.throws(() => decodeListpack(damaged), CorruptError);
});

Deno.test("ziplist, intset and zipmap decode as older Redis versions wrote them", () => {
  // Every ziplist integer width, a 4-bit immediate, 6- and 14-bit strings.
  const zl = [
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    7,
    0,
    0,
    0xc0,
    0x34,
    0x12,
    4,
    0xd0,
    0xff,
    0xff,
    0xff,
    0xff,
    6,
    0xe0,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    10,
    0xf0,
    0x00,
    0x00,
    0x80,
    5,
    0xfe,
    0x80,
    3,
    0xf6,
    2,
    0x40,
    0x41,
    ...new Array<number>(65).fill(0x61),
    0xff,
  ];
  const zlBytes = Uint8Array.from(zl);
  new DataView(zlBytes.buffer).setUint32(0, zlBytes.length, true);
  assertEquals(decodeZiplist(zlBytes), [
    "4660",
    "-1",
    "1",
    "-8388608",
    "-128",
    "5",
    "a".repeat(65),
  ]);
  const intset = Uint8Array.from([2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0xfe, 0xff]);
  assertEquals(decodeIntset(intset), ["1", "-2"]);
  assert.throws(() => decodeIntset(intset.subarray(0, 11)), CorruptError);
  const zipmap = Uint8Array.from([2, 1, 97, 2, 1, 49, 50, 0, 1, 98, 1, 0, 51, 0xff]);
  assertEquals(decodeZipmap(zipmap), ["a", "12", "b", "3"]);
});

Deno.test("RESTORE loads every legacy encoding Redis 7.0 still loads", () => {
  const c = new Harness().client();
  const cases: [string, number[], string[], string[]][] = [
    ["str_int", [0, 0xc1, 0x39, 0x30], ["GET"], ["12345"]],
    ["list_plain", [1, 2, ...rdbString("a"), ...rdbString("b")], ["LRANGE", "0", "-1"], ["a", "b"]],
    ["list_zl", [10, ...rdbString(ziplist(["a", 7]))], ["LRANGE", "0", "-1"], ["a", "7"]],
    ["list_ql", [14, 2, ...rdbString(ziplist(["a"])), ...rdbString(ziplist(["b", 3]))], [
      "LRANGE",
      "0",
      "-1",
    ], ["a", "b", "3"]],
    ["set_plain", [2, 2, ...rdbString("x"), ...rdbString("y")], ["SMEMBERS"], ["x", "y"]],
    ["set_is", [11, ...rdbString([2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0])], ["SMEMBERS"], ["1", "2"]],
    ["zset_text", [3, 1, ...rdbString("m"), 3, ...fromLatin1("1.5")], [
      "ZRANGE",
      "0",
      "-1",
      "WITHSCORES",
    ], [
      "m",
      "1.5",
    ]],
    ["zset_zl", [12, ...rdbString(ziplist(["m", 2, "n", "3.5"]))], [
      "ZRANGE",
      "0",
      "-1",
      "WITHSCORES",
    ], [
      "m",
      "2",
      "n",
      "3.5",
    ]],
    ["hash_plain", [4, 1, ...rdbString("f"), ...rdbString("v")], ["HGETALL"], ["f", "v"]],
    ["hash_zm", [9, ...rdbString([1, 1, 102, 1, 0, 118, 0xff])], ["HGETALL"], ["f", "v"]],
    ["hash_zl", [13, ...rdbString(ziplist(["f", 9]))], ["HGETALL"], ["f", "9"]],
  ];
  for (const [k, body, read, expected] of cases) {
    assertEquals(c.run("RESTORE", k, 0, payload(body)), "OK", k);
    const reply = c.run(read[0]!, k, ...read.slice(1));
    assertEquals(
      Array.isArray(reply) ? [...reply].map(String).sort() : [String(reply)],
      [...expected].sort(),
      k,
    );
  }
});

Deno.test("RESTORE refuses newer RDB versions, bad checksums, modules and empty collections", () => {
  const c = new Harness().client();
  const versionErr = { error: "ERR DUMP payload version or checksum are wrong" };
  const badData = { error: "ERR Bad data format" };
  assertEquals(c.run("RESTORE", "k", 0, payload([0, 1, 97], 11)), versionErr);
  assertEquals(c.run("RESTORE", "k", 0, payload([0, 1, 97], 9)), "OK");
  const good = payload([0, 1, 97]);
  const flipped = good.slice(0, -1) + String.fromCharCode(good.charCodeAt(good.length - 1) ^ 1);
  assertEquals(c.run("RESTORE", "k2", 0, flipped), versionErr);
  assertEquals(c.run("RESTORE", "k2", 0, payload([7, 0x81, 0, 0, 0, 0, 0, 0, 0, 1])), badData);
  assertEquals(c.run("RESTORE", "k2", 0, payload([2, 0])), badData);
  assertEquals(
    c.run("RESTORE", "k2", 0, payload([2, 2, ...rdbString("a"), ...rdbString("a")])),
    badData,
  );
  assertEquals(c.run("RESTORE", "k2", 0, payload([0, 5, 97])), badData);
  assertEquals(c.run("RESTORE", "k2", 0, payload([0, 1, 97, 0])), badData);
  assertEquals(c.run("EXISTS", "k2"), 0);
});

Deno.test("DUMP writes Redis 7.0's bytes for a string and RESTORE reads LZF strings", () => {
  const c = new Harness().client();
  c.run("SET", "s", "v");
  assertEquals(c.run("DUMP", "s"), payload([0, 1, 118]));
  c.run("SET", "n", "-5");
  assertEquals(c.run("DUMP", "n"), payload([0, 0xc0, 0xfb]));
  // An LZF string: compressed 5 bytes, 30 bytes long.
  assertEquals(
    c.run("RESTORE", "z", 0, payload([0, 0xc3, 5, 30, 0x00, 120, 0xe0, 20, 0x00])),
    "OK",
  );
  assertEquals(c.run("GET", "z"), "x".repeat(30));
});

Deno.test("DUMP/RESTORE round-trips large values and streams with consumer groups", () => {
  const c = new Harness().client();
  for (let i = 0; i < 300; i++) {
    c.run("RPUSH", "l", `e${i}`, String(i));
    c.run("SADD", "s", `m${i}`);
    c.run("SADD", "si", String(i * 1000));
    c.run("ZADD", "z", i / 7, `m${i}`);
    c.run("HSET", "h", `f${i}`, "v".repeat(i));
    c.run("XADD", "x", `${i + 1}-${i % 3}`, "a", String(i), ...(i % 5 === 0 ? ["b", "x"] : []));
  }
  c.run("SET", "big", "q".repeat(100_000));
  c.run("XDEL", "x", "3-2");
  c.run("XGROUP", "CREATE", "x", "g1", "0");
  c.run("XGROUP", "CREATE", "x", "g2", "$");
  c.run("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "x", ">");
  c.run("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "x", ">");
  c.run("XGROUP", "CREATECONSUMER", "x", "g1", "carol");
  c.run("XADD", "empty", "1-1", "a", "b");
  c.run("XDEL", "empty", "1-1");
  const reads: Record<string, string[]> = {
    l: ["LRANGE", "0", "-1"],
    s: ["SMEMBERS"],
    si: ["SMEMBERS"],
    z: ["ZRANGE", "0", "-1", "WITHSCORES"],
    h: ["HGETALL"],
    big: ["GET"],
    x: ["XINFO", "STREAM", "FULL"],
    empty: ["XINFO", "STREAM", "FULL"],
  };
  for (const [k, read] of Object.entries(reads)) {
    const before = c.run(
      read[0]!,
      ...(read[0] === "XINFO" ? [read[1]!, k, read[2]!] : [k, ...read.slice(1)]),
    );
    const dumped = c.run("DUMP", k) as string;
    assertEquals(c.run("RESTORE", k, 0, dumped, "REPLACE"), "OK", k);
    const after = c.run(
      read[0]!,
      ...(read[0] === "XINFO" ? [read[1]!, k, read[2]!] : [k, ...read.slice(1)]),
    );
    if (read[0] === "SMEMBERS" || read[0] === "HGETALL") {
      assertEquals(new Set(after as string[]), new Set(before as string[]), k);
    } else assertEquals(after, before, k);
  }
  const info = mapOf(c.run("XINFO", "STREAM", "x", "FULL"));
  assertEquals(info["length"], 299);
  assertEquals(info["max-deleted-entry-id"], "3-2");
});

Deno.test("RESTORE of a Redis 5 stream payload (RDB type 15, LZF listpack) estimates the counters", () => {
  const c = new Harness().client();
  // DUMPed by Redis 5 (from Redis's own test): XADD x 1-0..6-0, XDEL x 3-0, groups g1 and g2 at
  // 0, XREADGROUP GROUP g1 c11 COUNT 4, XTRIM x MAXLEN = 2.
  const hex = [
    "0f011000000000000000010000000000000000c3404a40571657000000230002010401010184646174610500",
    "0103010020010381610204200a0001400a0062600a0002400a0063600a4022018164200a4039200a0065600a",
    "0005400a0066200a00ff02060002026731050004000000000000000100000000000000003ef783437a010000",
    "01000000000000000200000000000000003ef783437a01000001000000000000000400000000000000003ef7",
    "83437a01000001000000000000000500000000000000003ef783437a0100000101036331313ef783437a0100",
    "0004000000000000000100000000000000000000000000000002000000000000000000000000000000040000",
    "000000000000000000000000000500000000000000000267320000000009003d52ef6867521dfa",
  ].join("");
  const bytes = String.fromCharCode(...hex.match(/../g)!.map((h) => parseInt(h, 16)));
  assertEquals(c.run("RESTORE", "x", 0, bytes), "OK");
  const info = mapOf(c.run("XINFO", "STREAM", "x", "FULL"));
  assertEquals(info["max-deleted-entry-id"], "0-0");
  assertEquals(info["entries-added"], 2);
  const groups = info["groups"] as unknown[];
  assertEquals(mapOf(groups[0])["entries-read"], 1);
  assertEquals(mapOf(groups[0])["lag"], 1);
  assertEquals(mapOf(groups[1])["entries-read"], 0);
  assertEquals(mapOf(groups[1])["lag"], 2);
  assertEquals(c.run("XRANGE", "x", "-", "+"), [["5-0", ["data", "e"]], ["6-0", ["data", "f"]]]);
});
