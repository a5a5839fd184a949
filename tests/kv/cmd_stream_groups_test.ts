import { assertEquals, err, Harness } from "./_harness.ts";
import { replayRecord } from "../../src/kv/dispatch.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/kv/snapshot.ts";

function seeded(h: Harness): ReturnType<Harness["client"]> {
  const c = h.client();
  for (let i = 1; i <= 5; i++) c.run("XADD", "s", `${i}-0`, "n", i);
  return c;
}

Deno.test("XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER and their errors", () => {
  const c = seeded(new Harness());
  assertEquals(c.run("XGROUP", "CREATE", "s", "g", "$"), "OK");
  assertEquals(
    c.run("XGROUP", "CREATE", "s", "g", "0"),
    err("BUSYGROUP Consumer Group name already exists"),
  );
  assertEquals(
    (c.run("XGROUP", "CREATE", "nokey", "g", "$") as { error: string }).error.startsWith(
      "ERR The XGROUP subcommand requires the key to exist",
    ),
    true,
  );
  assertEquals(c.run("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"), "OK");
  assertEquals(c.run("XLEN", "new"), 0);
  assertEquals(
    c.run("XGROUP", "SETID", "s", "nog", "0"),
    err("NOGROUP No such consumer group 'nog' for key name 's'"),
  );
  assertEquals(c.run("XGROUP", "CREATECONSUMER", "s", "g", "alice"), 1);
  assertEquals(c.run("XGROUP", "CREATECONSUMER", "s", "g", "alice"), 0);
  assertEquals(c.run("XGROUP", "SETID", "s", "g", "-"), "OK");
  assertEquals(c.run("XREADGROUP", "GROUP", "g", "alice", "COUNT", 2, "STREAMS", "s", ">"), [
    ["s", [["1-0", ["n", "1"]], ["2-0", ["n", "2"]]]],
  ]);
  assertEquals(c.run("XGROUP", "DELCONSUMER", "s", "g", "alice"), 2);
  assertEquals(c.run("XPENDING", "s", "g"), [0, null, null, null]);
  assertEquals(c.run("XGROUP", "DESTROY", "s", "g"), 1);
  assertEquals(c.run("XGROUP", "DESTROY", "s", "g"), 0);
  assertEquals(
    c.run("XGROUP", "HELP", "x"),
    err("ERR wrong number of arguments for 'xgroup|help' command"),
  );
  assertEquals(
    c.run("XGROUP", "NOPE", "s"),
    err("ERR unknown subcommand 'NOPE'. Try XGROUP HELP."),
  );
});

Deno.test("XREADGROUP delivers new entries once, keeps history per consumer; XACK and XPENDING", () => {
  const h = new Harness();
  const c = seeded(h);
  c.run("XGROUP", "CREATE", "s", "g", "0");
  assertEquals(c.run("XREADGROUP", "GROUP", "g", "a", "COUNT", 3, "STREAMS", "s", ">"), [
    ["s", [["1-0", ["n", "1"]], ["2-0", ["n", "2"]], ["3-0", ["n", "3"]]]],
  ]);
  h.nowMs += 100;
  assertEquals(c.run("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"), [
    ["s", [["4-0", ["n", "4"]], ["5-0", ["n", "5"]]]],
  ]);
  assertEquals(c.run("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"), null);
  assertEquals(c.run("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "1"), [
    ["s", [["2-0", ["n", "2"]], ["3-0", ["n", "3"]]]],
  ]);
  assertEquals(c.run("XPENDING", "s", "g"), [5, "1-0", "5-0", [["a", "3"], ["b", "2"]]]);
  assertEquals(c.run("XPENDING", "s", "g", "IDLE", 50, "-", "+", 10), [
    ["1-0", "a", 100, 1],
  ]);
  assertEquals(c.run("XPENDING", "s", "g", "(1-0", "+", 2, "a"), [
    ["2-0", "a", 0, 2],
    ["3-0", "a", 0, 2],
  ]);
  assertEquals(c.run("XACK", "s", "g", "1-0", "2-0", "9-0"), 2);
  assertEquals(
    c.run("XACK", "s", "g", "bad"),
    err("ERR Invalid stream ID specified as stream command argument"),
  );
  c.run("XDEL", "s", "3-0");
  assertEquals(c.run("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "0"), [["s", [[
    "3-0",
    null,
  ]]]]);
  assertEquals(
    c.run("XREADGROUP", "GROUP", "nog", "a", "STREAMS", "s", ">"),
    err("NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option"),
  );
  assertEquals(
    (c.run("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "$") as { error: string })
      .error.startsWith("ERR The $ ID is meaningless"),
    true,
  );
  assertEquals(c.run("XINFO", "GROUPS", "s"), [[
    "name",
    "g",
    "consumers",
    2,
    "pending",
    3,
    "last-delivered-id",
    "5-0",
    "entries-read",
    5,
    "lag",
    0,
  ]]);
});

Deno.test("XCLAIM and XAUTOCLAIM move idle entries; deleted entries leave the PEL", () => {
  const h = new Harness();
  const c = seeded(h);
  c.run("XGROUP", "CREATE", "s", "g", "0");
  c.run("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">");
  h.nowMs += 1000;
  assertEquals(c.run("XCLAIM", "s", "g", "b", 5000, "1-0"), []);
  assertEquals(c.run("XCLAIM", "s", "g", "b", 500, "1-0", "2-0"), [
    ["1-0", ["n", "1"]],
    ["2-0", ["n", "2"]],
  ]);
  assertEquals(c.run("XPENDING", "s", "g", "-", "+", 1), [["1-0", "b", 0, 2]]);
  assertEquals(c.run("XCLAIM", "s", "g", "b", 0, "1-0", "JUSTID", "RETRYCOUNT", 7), ["1-0"]);
  assertEquals(c.run("XPENDING", "s", "g", "-", "+", 1), [["1-0", "b", 0, 7]]);
  assertEquals(
    c.run("XCLAIM", "s", "g", "b", 0, "1-0", "BOGUS"),
    err("ERR Unrecognized XCLAIM option 'BOGUS'"),
  );
  c.run("XDEL", "s", "4-0");
  h.nowMs += 1000;
  assertEquals(c.run("XAUTOCLAIM", "s", "g", "c", 500, "0", "COUNT", 2), [
    "3-0",
    [["1-0", ["n", "1"]], ["2-0", ["n", "2"]]],
    [],
  ]);
  assertEquals(c.run("XAUTOCLAIM", "s", "g", "c", 0, "(3-0", "JUSTID"), ["0-0", ["5-0"], ["4-0"]]);
  assertEquals(
    c.run("XAUTOCLAIM", "s", "g", "c", 0, "0", "COUNT", 0),
    err("ERR COUNT must be > 0"),
  );
  assertEquals(c.run("XPENDING", "s", "g"), [4, "1-0", "5-0", [["a", "1"], ["c", "3"]]]);
});

Deno.test("Group state survives WAL replay and snapshots exactly", () => {
  const h = new Harness();
  const c = seeded(h);
  c.run("XGROUP", "CREATE", "s", "g", "0");
  c.run("XREADGROUP", "GROUP", "g", "a", "COUNT", 2, "STREAMS", "s", ">");
  h.nowMs += 250;
  c.run("XREADGROUP", "GROUP", "g", "b", "NOACK", "COUNT", 1, "STREAMS", "s", ">");
  c.run("XCLAIM", "s", "g", "b", 0, "2-0");
  c.run("XGROUP", "CREATECONSUMER", "s", "g", "idle");
  c.run("XACK", "s", "g", "1-0");
  const look = (t: ReturnType<Harness["client"]>) => [
    t.run("XINFO", "GROUPS", "s"),
    t.run("XPENDING", "s", "g", "-", "+", 10),
    t.run("XINFO", "STREAM", "s", "FULL"),
  ];
  const expected = look(c);
  // Replay runs later than the writes, as after a restart.
  const replayed = new Harness();
  replayed.nowMs = h.nowMs;
  replayed.engine.now = h.nowMs;
  for (const r of h.wal.records) replayRecord(replayed.engine, r.payload);
  const chunks: Uint8Array[] = [];
  encodeSnapshot(h.engine, 1, (ch) => chunks.push(ch));
  const bytes = new Uint8Array(chunks.reduce((n, ch) => n + ch.length, 0));
  let at = 0;
  for (const ch of chunks) (bytes.set(ch, at), at += ch.length);
  const loaded = new Harness();
  decodeSnapshot(loaded.engine, bytes);
  for (const other of [replayed, loaded]) {
    other.nowMs = h.nowMs;
    const got = look(other.client());
    // Consumers' seen-time is when replay created them; everything else must match.
    assertEquals(got.slice(0, 2), expected.slice(0, 2));
  }
  assertEquals(look(loaded.client())[2], expected[2]);
});
