/** The PostgreSQL listener against the npm `pg` and `postgres` drivers. */
import { deepStrictEqual, match, ok, rejects, strictEqual } from "node:assert/strict";
import { Buffer } from "node:buffer";
import pg from "pg";
import postgres from "postgres";
import { createScramVerifier } from "../../../src/security/scram.ts";
import { startHarness } from "./_harness.ts";

function pgClient(port: number, extra: Record<string, unknown> = {}): pg.Client {
  return new pg.Client({ host: "127.0.0.1", port, user: "alice", database: "app", ...extra });
}

Deno.test("pg: simple and extended queries, text and binary parameters", async () => {
  const h = await startHarness();
  const c = pgClient(h.port);
  await c.connect();
  try {
    strictEqual((await c.query("select 41")).rows[0]["?column?"], 41);
    await c.query("delete from items");
    await c.query("insert into items values ($1, $2)", [7, "seven"]);
    await c.query({ text: "insert into items values ($1, $2)", values: [8, null], name: "ins" });
    await c.query({ text: "insert into items values ($1, $2)", values: [9, "nine"], name: "ins" });
    const r = await c.query("select * from items");
    deepStrictEqual(r.rows, [{ id: 7, name: "seven" }, { id: 8, name: null }, {
      id: 9,
      name: "nine",
    }]);
    deepStrictEqual(r.fields.map((f) => [f.name, f.dataTypeID]), [["id", 23], ["name", 25]]);
    // A Buffer parameter travels in binary format; the scripted engine echoes it back as bytea.
    const echo = await c.query("select $1::bytea, $2", [Buffer.from([1, 2, 250]), "x"]);
    deepStrictEqual([...echo.rows[0].p1], [1, 2, 250]);
    strictEqual(echo.rows[0].p2, "x");
  } finally {
    await c.end();
    await h.server.close();
  }
});

Deno.test("pg: binary result format decodes every binary type", async () => {
  const h = await startHarness();
  const text = pgClient(h.port);
  const binary = pgClient(h.port, { binary: true });
  await text.connect();
  await binary.connect();
  try {
    const t: unknown[] = (await text.query({ text: "select typed", rowMode: "array" })).rows[0]!;
    const b: unknown[] = (await binary.query({ text: "select typed", rowMode: "array" })).rows[0]!;
    strictEqual(b[0], true);
    strictEqual(b[1], -12);
    strictEqual(b[2], 123456);
    strictEqual(String(b[3]), "9007199254740993");
    strictEqual(b[4], 1.5);
    strictEqual(b[5], -2.25);
    strictEqual(String(b[6]), "-1234567890123456789.0123");
    deepStrictEqual([...(b[7] as Uint8Array)], [0, 1, 254, 255]);
    strictEqual((b[9] as Date).getTime(), (t[9] as Date).getTime());
    strictEqual((b[10] as Date).toISOString(), "2024-01-01T00:00:00.000Z");
    deepStrictEqual(b[14], [1, null, 3]);
    deepStrictEqual(b[15], ["a b", "", null, 'q"']);
    deepStrictEqual(t[14], [1, null, 3]);
    deepStrictEqual(t[15], ["a b", "", null, 'q"']);
    deepStrictEqual(t[13], { a: [1, "x", null] });
    strictEqual(t[12], "héllo, wörld");
  } finally {
    await text.end();
    await binary.end();
    await h.server.close();
  }
});

Deno.test("pg: errors carry SQLSTATE and position; the connection keeps working", async () => {
  const h = await startHarness();
  const c = pgClient(h.port);
  await c.connect();
  try {
    await rejects(c.query("select boom"), (e: pg.DatabaseError) => {
      strictEqual(e.code, "42601");
      strictEqual(e.position, "8");
      strictEqual(e.hint, "The scripted engine knows only a few statements");
      return true;
    });
    await rejects(c.query("select boom where $1", [1]), /syntax error/);
    strictEqual((await c.query("select 2")).rows[0]["?column?"], 2);
    await c.query("begin");
    await rejects(c.query("select boom"), /syntax error/);
    await rejects(c.query("select 1"), (e: pg.DatabaseError) => e.code === "25P02");
    await c.query("rollback");
    strictEqual((await c.query("select 3")).rows[0]["?column?"], 3);
  } finally {
    await c.end();
    await h.server.close();
  }
});

Deno.test("pg: LISTEN/NOTIFY delivers NotificationResponse to another connection", async () => {
  const h = await startHarness();
  const a = pgClient(h.port);
  const b = pgClient(h.port);
  await a.connect();
  await b.connect();
  try {
    const got = new Promise<pg.Notification>((resolve) => a.on("notification", resolve));
    await a.query("listen jobs");
    await b.query("notify jobs, 'payload-1'");
    const n = await got;
    strictEqual(n.channel, "jobs");
    strictEqual(n.payload, "payload-1");
    ok(n.processId >= 1000);
  } finally {
    await a.end();
    await b.end();
    await h.server.close();
  }
});

Deno.test("postgres: tagged queries, ParameterStatus, COPY round trip and cancel", async () => {
  const h = await startHarness({
    auth: { method: "scram-sha-256", lookup: () => createScramVerifier("pw", { iterations: 64 }) },
  });
  const sql = postgres({
    host: "127.0.0.1",
    port: h.port,
    user: "alice",
    pass: "pw",
    database: "app",
    max: 1,
    idle_timeout: 1,
    fetch_types: false,
    onnotice: () => {},
  });
  try {
    const rows = await sql`select ${"abc"}, ${"def"}`;
    deepStrictEqual([...rows], [{ p1: "abc", p2: "def" }]);
    strictEqual(sql.parameters.server_encoding, "UTF8");
    strictEqual(sql.parameters.DateStyle, "ISO, MDY");
    await sql.unsafe("set application_name = 'changed'");
    strictEqual(sql.parameters.application_name, "changed");

    await sql`delete from items`;
    const writable = await sql`copy items from stdin`.writable();
    await new Promise<void>((resolve, reject) => {
      writable.on("error", reject);
      writable.write("1\tone\n2\t\\N\n");
      writable.write("3\tthree\\twith tab\n");
      writable.end(resolve);
    });
    deepStrictEqual(h.engine.items, [[1, "one"], [2, null], [3, "three\twith tab"]]);
    const readable = await sql`copy items to stdout csv`.readable();
    let out = "";
    for await (const chunk of readable) out += new TextDecoder().decode(chunk as Uint8Array);
    strictEqual(out, "1,one\n2,\n3,three\twith tab\n");

    const slow = sql`select pg_sleep(5)`.execute();
    await new Promise((r) => setTimeout(r, 200));
    slow.cancel();
    await rejects(slow, (e: { code: string }) => e.code === "57014");
    strictEqual((await sql`select 9`)[0]?.["?column?"], 9);
  } finally {
    await sql.end({ timeout: 1 });
    await h.server.close();
  }
});

Deno.test("pg: wrong password is 28P01 and the listener stays up", async () => {
  const h = await startHarness({ auth: { method: "md5", lookup: () => "md5" + "0".repeat(32) } });
  try {
    const c = pgClient(h.port, { password: "bad" });
    await rejects(c.connect(), (e: pg.DatabaseError) => {
      strictEqual(e.code, "28P01");
      match(e.message, /password authentication failed for user "alice"/);
      return true;
    });
    await c.end().catch(() => {});
    strictEqual(h.server.connections, 0);
  } finally {
    await h.server.close();
  }
});
