import { assertEquals, err, Harness } from "./_harness.ts";
import { replayRecord } from "../../src/kv/dispatch.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/kv/snapshot.ts";

const smaller = "ERR The ID specified in XADD is equal or smaller than the target stream top item";
const u64 = "18446744073709551615";

Deno.test("XADD assigns IDs from the clock, explicit IDs and ms-*; XRANGE reads them back", () => {
  const h = new Harness();
  const c = h.client();
  assertEquals(c.run("XADD", "s", "*", "a", "1"), `${h.nowMs}-0`);
  assertEquals(c.run("XADD", "s", "*", "b", "2"), `${h.nowMs}-1`);
  h.nowMs -= 5000; // a clock going back still yields increasing IDs
  assertEquals(c.run("XADD", "s", "*", "c", "3"), `${h.nowMs + 5000}-2`);
  assertEquals(c.run("XADD", "s", "5-5", "x", "y"), err(smaller));
  assertEquals(c.run("XADD", "t", "123-456", "f", "v"), "123-456");
  assertEquals(c.run("XADD", "t", "123-*", "f", "v"), "123-457");
  assertEquals(c.run("XADD", "t", "789-*", "f", "v"), "789-0");
  assertEquals(c.run("XADD", "t", "42-*", "f", "v"), err(smaller));
  assertEquals(c.run("XADD", "t", "789", "f", "v"), err(smaller));
  assertEquals(
    c.run("XADD", "z", "0-0", "f", "v"),
    err("ERR The ID specified in XADD must be greater than 0-0"),
  );
  assertEquals(c.run("XADD", "z", "0-*", "f", "v"), "0-1");
  assertEquals(
    c.run("XADD", "z", "x-1", "f", "v"),
    err("ERR Invalid stream ID specified as stream command argument"),
  );
  assertEquals(
    c.run("XADD", "z", "*", "f"),
    err("ERR wrong number of arguments for 'xadd' command"),
  );
  assertEquals(c.run("XADD", "m", `${u64}-${u64}`, "f", "v"), `${u64}-${u64}`);
  assertEquals(
    c.run("XADD", "m", "*", "f", "v"),
    err("ERR The stream has exhausted the last possible ID, unable to add more items"),
  );
  assertEquals(c.run("XADD", "o", `1-${u64}`, "f", "v"), `1-${u64}`);
  assertEquals(c.run("XADD", "o", "1-*", "f", "v"), err(smaller));
  assertEquals(c.run("XADD", "o", "*", "f", "v"), `${h.nowMs}-0`);
  assertEquals(c.run("XLEN", "t"), 3);
  assertEquals(c.run("TYPE", "t"), "stream");
  assertEquals(c.run("OBJECT", "ENCODING", "t"), "stream");
  assertEquals(c.run("XRANGE", "t", "-", "+"), [
    ["123-456", ["f", "v"]],
    ["123-457", ["f", "v"]],
    ["789-0", ["f", "v"]],
  ]);
  assertEquals(c.run("XRANGE", "t", "(123-456", "+", "COUNT", 1), [["123-457", ["f", "v"]]]);
  assertEquals(c.run("XRANGE", "t", "123", "123"), [["123-456", ["f", "v"]], ["123-457", [
    "f",
    "v",
  ]]]);
  assertEquals(c.run("XREVRANGE", "t", "+", "-", "COUNT", 2), [
    ["789-0", ["f", "v"]],
    ["123-457", ["f", "v"]],
  ]);
  assertEquals(c.run("XREVRANGE", "t", "(789-0", "(123-456"), [["123-457", ["f", "v"]]]);
  assertEquals(
    c.run("XRANGE", "t", "(-", "+"),
    err("ERR Invalid stream ID specified as stream command argument"),
  );
  assertEquals(
    c.run("XRANGE", "t", `(${u64}-${u64}`, "+"),
    err("ERR invalid start ID for the interval"),
  );
  assertEquals(c.run("XRANGE", "t", "-", "(0-0"), err("ERR invalid end ID for the interval"));
  assertEquals(c.run("XRANGE", "nosuch", "-", "+"), []);
  c.run("SET", "str", "x");
  assertEquals(
    c.run("XADD", "str", "*", "f", "v"),
    err("WRONGTYPE Operation against a key holding the wrong kind of value"),
  );
  assertEquals(c.run("XADD", "n", "NOMKSTREAM", "*", "f", "v"), null);
  assertEquals(c.run("EXISTS", "n"), 0);
});

Deno.test("XTRIM and XADD trimming: exact, approximate by whole nodes, LIMIT, MINID", () => {
  const h = new Harness({ streamNodeMaxEntries: 10 });
  const c = h.client();
  for (let i = 1; i <= 100; i++) c.run("XADD", "s", i, "i", i);
  assertEquals(c.run("XADD", "s", "MAXLEN", "~", 55, "LIMIT", 30, "*", "i", "x"), `${h.nowMs}-0`);
  assertEquals(c.run("XLEN", "s"), 71);
  // Nodes of 10: 1..10, ..., 91..100, then the new entry alone.
  assertEquals(c.run("XTRIM", "s", "MAXLEN", "~", 55, "LIMIT", 30), 10);
  // Whole node 41..50, then 51 alone from the next one.
  assertEquals(c.run("XTRIM", "s", "MAXLEN", 50), 11);
  assertEquals(c.run("XRANGE", "s", "-", "+", "COUNT", 1), [["52-0", ["i", "52"]]]);
  assertEquals(c.run("XTRIM", "s", "MINID", "~", 65), 9);
  assertEquals(c.run("XTRIM", "s", "MINID", "=", 65), 4);
  assertEquals(c.run("XLEN", "s"), 37);
  assertEquals(
    c.run("XTRIM", "s", "MAXLEN", 1, "LIMIT", 3),
    err("ERR syntax error, LIMIT cannot be used without the special ~ option"),
  );
  assertEquals(c.run("XTRIM", "s", "MAXLEN", -1), err("ERR The MAXLEN argument must be >= 0."));
  assertEquals(
    c.run("XTRIM", "s", "MAXLEN", 1, "MINID", 2),
    err("ERR syntax error, MAXLEN and MINID options at the same time are not compatible"),
  );
  assertEquals(c.run("XTRIM", "s"), err("ERR wrong number of arguments for 'xtrim' command"));
  assertEquals(c.run("XADD", "e", "MAXLEN", 0, "*", "a", "b"), `${h.nowMs}-0`);
  assertEquals(c.run("XLEN", "e"), 0);
  assertEquals(c.run("EXISTS", "e"), 1);
});

Deno.test("XDEL, XSETID and XINFO STREAM track the stream's counters", () => {
  const c = new Harness().client();
  for (let i = 1; i <= 5; i++) c.run("XADD", "x", `${i}-0`, "data", "a");
  assertEquals(c.run("XDEL", "x", "2-0", "9-0"), 1);
  assertEquals(
    c.run("XDEL", "x", "bad"),
    err("ERR Invalid stream ID specified as stream command argument"),
  );
  assertEquals(c.run("XDEL", "x", "1-0"), 1);
  const info = c.run("XINFO", "STREAM", "x") as unknown[];
  assertEquals(info.slice(0, 2), ["length", 3]);
  assertEquals(info.slice(6, 14), [
    "last-generated-id",
    "5-0",
    "max-deleted-entry-id",
    "2-0",
    "entries-added",
    5,
    "recorded-first-entry-id",
    "3-0",
  ]);
  assertEquals(info.slice(16), ["first-entry", ["3-0", ["data", "a"]], "last-entry", ["5-0", [
    "data",
    "a",
  ]]]);
  const full = c.run("XINFO", "STREAM", "x", "FULL", "COUNT", 1) as unknown[];
  assertEquals(full.slice(14), ["entries", [["3-0", ["data", "a"]]], "groups", []]);
  assertEquals(
    c.run("XSETID", "x", "4-0"),
    err("ERR The ID specified in XSETID is smaller than the target stream top item"),
  );
  assertEquals(
    c.run("XSETID", "x", "9-0", "ENTRIESADDED", 2),
    err("ERR The entries_added specified in XSETID is smaller than the target stream length"),
  );
  assertEquals(c.run("XSETID", "x", "9-0", "ENTRIESADDED", 7, "MAXDELETEDID", "3-0"), "OK");
  assertEquals(c.run("XADD", "x", "8-0", "f", "v"), err(smaller));
  assertEquals(c.run("XSETID", "nope", "1-1"), err("ERR no such key"));
  assertEquals(c.run("XSETID", "nope", "1-1", "0"), err("ERR syntax error"));
  assertEquals(
    c.run("XINFO", "HELP", "x"),
    err("ERR wrong number of arguments for 'xinfo|help' command"),
  );
  assertEquals(c.run("XINFO", "STREAM", "nope"), err("ERR no such key"));
});

Deno.test("XREAD reads after IDs; BLOCK waits for XADD, ignores other types, times out", async () => {
  const h = new Harness();
  const reader = h.client();
  const writer = h.client();
  writer.run("XADD", "a", "1-1", "f", "v");
  assertEquals(reader.run("XREAD", "COUNT", 5, "STREAMS", "a", "b", "0", "0"), [["a", [["1-1", [
    "f",
    "v",
  ]]]]]);
  assertEquals(reader.run("XREAD", "STREAMS", "a", "1-1"), null);
  assertEquals(
    reader.run("XREAD", "STREAMS", "a", "b", "0"),
    err(
      "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.",
    ),
  );
  assertEquals(
    reader.run("XREAD", "STREAMS", "a", ">"),
    err(
      "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
    ),
  );
  const wait = reader.start("XREAD", "BLOCK", 0, "STREAMS", "b", "a", "$", "$");
  assertEquals(wait instanceof Promise, true);
  writer.run("MULTI");
  writer.run("XADD", "b", "5-0", "old", "x");
  writer.run("DEL", "b");
  writer.run("LPUSH", "b", "l");
  writer.run("EXEC");
  assertEquals(reader.drain(), []);
  writer.run("DEL", "b");
  writer.run("XADD", "a", "2-0", "new", "y");
  await wait;
  assertEquals(reader.drain(), [[["a", [["2-0", ["new", "y"]]]]]]);
  const timed = reader.start("XREAD", "BLOCK", 10, "STREAMS", "a", "$");
  await timed;
  assertEquals(reader.drain(), [null]);
  // Replayed from the WAL, the engine holds the same streams.
  const again = new Harness();
  for (const r of h.wal.records) replayRecord(again.engine, r.payload);
  assertEquals(again.client().run("XRANGE", "a", "-", "+"), [["1-1", ["f", "v"]], ["2-0", [
    "new",
    "y",
  ]]]);
});

Deno.test("Streams survive WAL replay (generated IDs, trims) and snapshots, and DUMP/RESTORE", () => {
  const h = new Harness({ streamNodeMaxEntries: 4 });
  const c = h.client();
  for (let i = 0; i < 20; i++) c.run("XADD", "s", "MAXLEN", "~", 9, "*", "n", i);
  c.run("XDEL", "s", `${h.nowMs}-19`);
  c.run("XSETID", "s", `${h.nowMs}-50`, "ENTRIESADDED", 30);
  const expected = c.run("XRANGE", "s", "-", "+");
  // Node counts (radix-tree-*) depend on the node size in force; the rest must match.
  const info = () => (c2: ReturnType<Harness["client"]>) => {
    const all = c2.run("XINFO", "STREAM", "s") as unknown[];
    return [...all.slice(0, 2), ...all.slice(6)];
  };
  const expectedInfo = info()(c);
  const replayed = new Harness();
  for (const r of h.wal.records) replayRecord(replayed.engine, r.payload);
  const r = replayed.client();
  assertEquals(r.run("XRANGE", "s", "-", "+"), expected);
  assertEquals(info()(r), expectedInfo);
  const chunks: Uint8Array[] = [];
  encodeSnapshot(h.engine, 7, (ch) => chunks.push(ch));
  const bytes = new Uint8Array(chunks.reduce((n, ch) => n + ch.length, 0));
  let at = 0;
  for (const ch of chunks) {
    bytes.set(ch, at);
    at += ch.length;
  }
  const loaded = new Harness();
  assertEquals(decodeSnapshot(loaded.engine, bytes), 7);
  assertEquals(loaded.client().run("XRANGE", "s", "-", "+"), expected);
  assertEquals(info()(loaded.client()), expectedInfo);
  const payload = c.run("DUMP", "s") as string;
  assertEquals(c.run("RESTORE", "s2", 0, payload), "OK");
  assertEquals(c.run("XRANGE", "s2", "-", "+"), expected);
  assertEquals(c.run("COPY", "s", "s3"), 1);
  c.run("XADD", "s3", "*", "only", "copy");
  assertEquals(c.run("XLEN", "s3"), (c.run("XLEN", "s") as number) + 1);
});
