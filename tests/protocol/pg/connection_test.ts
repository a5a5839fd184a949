/** The connection state machine driven by a raw socket: startup, extended query, limits. */
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { errorFieldsOf, frame, i16, i32, RawClient, startupMessage } from "./_wire.ts";
import { startHarness } from "./_harness.ts";

const dec = new TextDecoder();

async function connected(port: number): Promise<RawClient> {
  const c = await RawClient.connect(port);
  await c.send(startupMessage({ user: "raw", database: "db", application_name: "rawapp" }));
  await c.until("Z");
  return c;
}

Deno.test("startup answers SSLRequest and GSSENCRequest with N, then reports parameters", async () => {
  const h = await startHarness();
  const c = await RawClient.connect(h.port);
  try {
    await c.send(frame(null, i32(80877104)));
    deepStrictEqual([...(await c.readRaw())], [0x4e]);
    await c.send(frame(null, i32(80877103)));
    deepStrictEqual([...(await c.readRaw())], [0x4e]);
    await c.send(startupMessage({ user: "raw", database: "db", application_name: "rawapp" }));
    const msgs = await c.until("Z");
    strictEqual(msgs.map((m) => m.type).join(""), "R" + "S".repeat(11) + "KZ");
    const params = Object.fromEntries(
      msgs.filter((m) => m.type === "S").map((m) => {
        const [k, v] = dec.decode(m.body).split("\0");
        return [k, v];
      }),
    );
    strictEqual(params.server_version, "15.0 (ThunderDB)");
    strictEqual(params.application_name, "rawapp");
    strictEqual(params.session_authorization, "raw");
    strictEqual(params.integer_datetimes, "on");
    strictEqual(params.DateStyle, "ISO, MDY");
    deepStrictEqual([...msgs.at(-1)!.body], [0x49]);
  } finally {
    c.close();
    await h.server.close();
  }
});

Deno.test("extended query: pipelined Parse/Bind/Describe/Execute with row limits and PortalSuspended", async () => {
  const h = await startHarness();
  h.engine.items.push([1, "a"], [2, "b"], [3, "c"]);
  const c = await connected(h.port);
  try {
    await c.send(
      new Uint8Array([
        ...frame("P", "all", "select * from items", i16(0)),
        ...frame("D", [0x53], "all"),
        ...frame("B", "cur", "all", i16(0), i16(0), i16(1), i16(1)),
        ...frame("D", [0x50], "cur"),
        ...frame("E", "cur", i32(2)),
        ...frame("E", "cur", i32(2)),
        ...frame("C", [0x50], "cur"),
        ...frame("P", "", "", i16(0)),
        ...frame("B", "", "", i16(0), i16(0), i16(0)),
        ...frame("E", "", i32(0)),
        ...frame("S"),
      ]),
    );
    const msgs = await c.until("Z");
    strictEqual(msgs.map((m) => m.type).join(""), "1tT2TDDsDC312IZ");
    // Binary result format for int4 in the portal's RowDescription and DataRows.
    deepStrictEqual([...msgs[5]!.body], [...i16(2), ...i32(4), 0, 0, 0, 1, ...i32(1), 97]);
    strictEqual(dec.decode(msgs[9]!.body), "SELECT 3\0");
  } finally {
    c.close();
    await h.server.close();
  }
});

Deno.test("extended query: portals of one statement switch result formats between Binds", async () => {
  const h = await startHarness();
  h.engine.items.push([7, "x"]);
  const c = await connected(h.port);
  const round = (formats: number[]) => [
    ...frame("B", "", "s", i16(0), i16(0), i16(formats.length), ...formats.map(i16)),
    ...frame("D", [0x50], ""),
    ...frame("E", "", i32(0)),
    ...frame("S"),
  ];
  try {
    await c.send(
      new Uint8Array([...frame("P", "s", "select * from items", i16(0)), ...frame("S")]),
    );
    await c.until("Z");
    for (const formats of [[], [1], [], [0, 1], [1]]) {
      await c.send(new Uint8Array(round(formats)));
      const msgs = await c.until("Z");
      strictEqual(msgs.map((m) => m.type).join(""), "2TDCZ");
      const binary = (i: number) => (formats.length === 1 ? formats[0] : formats[i] ?? 0) === 1;
      const t = msgs[1]!.body; // RowDescription: the format code ends each column's entry
      strictEqual(t[t.indexOf(0, 2) + 18], binary(0) ? 1 : 0, `column 1 format for ${formats}`);
      strictEqual(t[t.length - 1], binary(1) ? 1 : 0, `column 2 format for ${formats}`);
      const id = binary(0) ? [...i32(4), 0, 0, 0, 7] : [...i32(1), 0x37];
      const name = [...i32(1), 0x78]; // text is the same bytes in both formats
      deepStrictEqual([...msgs[2]!.body], [...i16(2), ...id, ...name]);
    }
  } finally {
    c.close();
    await h.server.close();
  }
});

Deno.test("extended query: an error skips to Sync, named statements persist, duplicates fail", async () => {
  const h = await startHarness();
  const c = await connected(h.port);
  try {
    await c.send(
      new Uint8Array([
        ...frame("P", "one", "select 1", i16(0)),
        ...frame("P", "bad", "select boom", i16(0)),
        ...frame("B", "", "one", i16(0), i16(0), i16(0)),
        ...frame("E", "", i32(0)),
        ...frame("S"),
        ...frame("P", "one", "select 1", i16(0)),
        ...frame("S"),
        ...frame("B", "", "one", i16(0), i16(0), i16(0)),
        ...frame("E", "", i32(0)),
        ...frame("B", "", "missing", i16(0), i16(0), i16(0)),
        ...frame("S"),
        ...frame("Q", ""),
      ]),
    );
    const msgs = [
      ...await c.until("Z"),
      ...await c.until("Z"),
      ...await c.until("Z"),
      ...await c.until("Z"),
    ];
    strictEqual(msgs.map((m) => m.type).join(""), "1EZEZ2DCEZIZ");
    strictEqual(errorFieldsOf(msgs[1]!.body).C, "42601");
    strictEqual(errorFieldsOf(msgs[3]!.body).C, "42P05");
    strictEqual(errorFieldsOf(msgs[8]!.body).C, "26000");
  } finally {
    c.close();
    await h.server.close();
  }
});

Deno.test("a malformed or oversized message gets 08P01 and closes only that connection", async () => {
  const h = await startHarness({ limits: { messageBytesMax: 4096 } });
  const good = await connected(h.port);
  try {
    const cases = [
      frame("Q", "x".repeat(5000)),
      new Uint8Array([0x51, 0, 0, 0, 2]),
      frame("B", "", "", i16(0), i16(1), i32(99)),
      frame("Z"),
    ];
    for (const bad of cases) {
      const c = await connected(h.port);
      await c.send(bad);
      const msgs = await c.until(null);
      strictEqual(msgs.length, 1, `case ${bad[0]}`);
      strictEqual(errorFieldsOf(msgs[0]!.body).C, "08P01");
      strictEqual(errorFieldsOf(msgs[0]!.body).S, "FATAL");
      c.close();
    }
    await good.send(frame("Q", "select 4"));
    const ok4 = await good.until("Z");
    strictEqual(ok4.map((m) => m.type).join(""), "TDCZ");
  } finally {
    good.close();
    await h.server.close();
  }
});

Deno.test("CancelRequest from another connection cancels the running statement", async () => {
  const h = await startHarness();
  const c = await RawClient.connect(h.port);
  try {
    await c.send(startupMessage({ user: "raw", database: "db" }));
    const key = (await c.until("Z")).find((m) => m.type === "K")!;
    const dv = new DataView(key.body.buffer);
    await c.send(frame("Q", "select pg_sleep(10)"));
    await new Promise((r) => setTimeout(r, 100));
    const canceller = await RawClient.connect(h.port);
    await canceller.send(frame(null, i32(80877102), i32(dv.getInt32(0)), i32(dv.getInt32(4))));
    strictEqual((await canceller.until(null)).length, 0);
    canceller.close();
    const msgs = await c.until("Z");
    strictEqual(errorFieldsOf(msgs.find((m) => m.type === "E")!.body).C, "57014");
  } finally {
    c.close();
    await h.server.close();
  }
});

Deno.test("startup and idle timeouts close the connection", async () => {
  const h = await startHarness({ limits: { startupMsMax: 150, idleMsMax: 150 } });
  try {
    const silent = await RawClient.connect(h.port);
    const t0 = performance.now();
    strictEqual((await silent.until(null)).length, 0);
    ok(performance.now() - t0 < 2000);
    silent.close();
    const idle = await connected(h.port);
    const msgs = await idle.until(null);
    strictEqual(errorFieldsOf(msgs[0]!.body).C, "57P05");
    idle.close();
    strictEqual(h.server.connections, 0);
  } finally {
    await h.server.close();
  }
});

Deno.test("a 3.2 StartupMessage with _pq_ options gets NegotiateProtocolVersion for 3.0", async () => {
  const h = await startHarness();
  const c = await RawClient.connect(h.port);
  try {
    await c.send(frame(null, i32(0x30002), "user", "raw", "_pq_.magic", "on", [0]));
    const msgs = await c.until("Z");
    strictEqual(msgs[0]!.type, "v");
    deepStrictEqual([...msgs[0]!.body], [
      ...i32(0),
      ...i32(1),
      ...new TextEncoder().encode("_pq_.magic"),
      0,
    ]);
    strictEqual(msgs[1]!.type, "R");
    await c.send(frame("F", i32(1234), i16(0), i16(0), i16(0)));
    const fn = await c.until("Z");
    strictEqual(fn.map((m) => m.type).join(""), "EZ");
    strictEqual(errorFieldsOf(fn[0]!.body).C, "0A000");
  } finally {
    c.close();
    await h.server.close();
  }
});

Deno.test("COPY FROM STDIN: CopyFail aborts with 57014, and CopyData after an error is ignored", async () => {
  const h = await startHarness();
  const c = await connected(h.port);
  try {
    await c.send(frame("Q", "copy items from stdin"));
    const g = await c.until("G");
    deepStrictEqual([...g.at(-1)!.body], [0, ...i16(2), ...i16(0), ...i16(0)]);
    await c.send(
      new Uint8Array([
        ...frame("d", [...new TextEncoder().encode("1\tx\n")]),
        ...frame("f", "client gave up"),
      ]),
    );
    const failed = await c.until("Z");
    strictEqual(failed.map((m) => m.type).join(""), "EZ");
    strictEqual(errorFieldsOf(failed[0]!.body).C, "57014");
    strictEqual(errorFieldsOf(failed[0]!.body).M, "COPY from stdin failed: client gave up");
    await c.send(frame("Q", "copy items from stdin"));
    await c.until("G");
    await c.send(
      new Uint8Array([
        ...frame("d", [...new TextEncoder().encode("1\tok\n2\n")]),
        ...frame("d", [...new TextEncoder().encode("3\tlate\n")]),
        ...frame("c"),
        ...frame("Q", "select 5"),
      ]),
    );
    const bad = await c.until("Z");
    const badFields = errorFieldsOf(bad.find((m) => m.type === "E")!.body);
    strictEqual(badFields.C, "22P04");
    // The test engine's COPY spec names no table; the line and its text are the decoder's.
    strictEqual(badFields.W?.endsWith(', line 2: "2"'), true);
    const after = await c.until("Z");
    strictEqual(after.map((m) => m.type).join(""), "TDCZ");
  } finally {
    c.close();
    await h.server.close();
  }
});

Deno.test("a 2 MB message is framed across many reads and answered", async () => {
  const h = await startHarness();
  const c = await connected(h.port);
  try {
    await c.send(frame("Q", "select 1" + " ".repeat(2_000_000) + "; select 2"));
    const msgs = await c.until("Z");
    strictEqual(msgs.map((m) => m.type).join(""), "TDCTDCZ");
  } finally {
    c.close();
    await h.server.close();
  }
});
