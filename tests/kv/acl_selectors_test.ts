/**
 * ACL v2 (Redis 7.0): selectors `(...)` beside a user's root permissions,
 * %R~ / %W~ key permissions checked per key by its key-spec flags, the most
 * relevant refusal across selectors, SORT's BY / GET needing every key
 * readable, selectors surviving WAL replay and snapshots, and COMMAND
 * GETKEYSANDFLAGS / COMMAND INFO key specs.
 */
import assert from "node:assert/strict";
import { err, Harness, mapOf } from "./_harness.ts";
import { replayRecord } from "../../src/kv/dispatch.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/kv/snapshot.ts";

Deno.test("ACL SETUSER selectors: written across words, shown by GETUSER and LIST, cleared", () => {
  const h = new Harness();
  const c = h.client();
  assert.equal(
    c.run("ACL", "SETUSER", "u", "on", "nopass", "(~a", "+get)", "( %R~b +set )", "()"),
    "OK",
  );
  const u = mapOf(c.run("ACL", "GETUSER", "u"));
  assert.equal(u.commands, "-@all");
  const selectors = (u.selectors as unknown[]).map(mapOf);
  assert.deepEqual(selectors, [
    { commands: "-@all +get", keys: "~a", channels: "" },
    { commands: "-@all +set", keys: "%R~b", channels: "" },
    { commands: "-@all", keys: "", channels: "" },
  ]);
  assert.deepEqual(c.run("ACL", "LIST"), [
    "user default on nopass ~* &* +@all",
    "user u on nopass resetchannels -@all (~a resetchannels -@all +get) " +
    "(%R~b resetchannels -@all +set) (resetchannels -@all)",
  ]);
  c.run("ACL", "SETUSER", "u", "clearselectors");
  assert.deepEqual(mapOf(c.run("ACL", "GETUSER", "u")).selectors, []);
  c.run("ACL", "SETUSER", "u", "(~x +get)", "reset");
  assert.deepEqual(mapOf(c.run("ACL", "GETUSER", "u")).selectors, [], "reset clears selectors");
});

Deno.test("ACL SETUSER selector errors name the whole selector and change nothing", () => {
  const c = new Harness().client();
  assert.deepEqual(
    c.run("ACL", "SETUSER", "u", "on", "(on)"),
    err("ERR Error in ACL SETUSER modifier '(on)': Syntax error"),
  );
  assert.deepEqual(
    c.run("ACL", "SETUSER", "u", "(~a", "+get"),
    err("ERR Unmatched parenthesis in acl selector starting at '(~a'."),
  );
  assert.deepEqual(
    c.run("ACL", "SETUSER", "u", ")"),
    err("ERR Error in ACL SETUSER modifier ')': Syntax error"),
  );
  assert.deepEqual(
    c.run("ACL", "SETUSER", "u", "%RR~k"),
    err("ERR Error in ACL SETUSER modifier '%RR~k': Syntax error"),
  );
  assert.equal(c.run("ACL", "GETUSER", "u"), null);
  assert.equal(c.run("ACL", "SETUSER", "v", "%R~k", "%W~k", "%RW~j"), "OK");
  assert.equal(mapOf(c.run("ACL", "GETUSER", "v")).keys, "~k ~j");
});

Deno.test("Key permissions follow what the command does to each key", () => {
  const h = new Harness();
  const admin = h.client();
  admin.run("ACL", "SETUSER", "t", "on", "nopass", "+@all", "&*", "%R~r*", "%W~w*", "%RW~rw*");
  const dry = (...line: string[]) => admin.run("ACL", "DRYRUN", "t", ...line);
  const noKey = (k: string) => `This user has no permissions to access the '${k}' key`;
  // SET overwrites (write only) unless GET reads the old value.
  assert.equal(dry("SET", "w1", "v"), "OK");
  assert.equal(dry("SET", "w1", "v", "GET"), noKey("w1"));
  assert.equal(dry("SET", "rw1", "v", "GET"), "OK");
  // BITFIELD reads only when every operation is GET.
  assert.equal(dry("BITFIELD", "r1", "GET", "u4", "0"), "OK");
  assert.equal(dry("BITFIELD", "r1", "SET", "u4", "0", "1"), noKey("r1"));
  // LMOVE reads and removes from its source, inserts into its destination.
  assert.equal(dry("LMOVE", "rw1", "w1", "LEFT", "RIGHT"), "OK");
  assert.equal(dry("LMOVE", "w1", "w2", "LEFT", "RIGHT"), noKey("w1"));
  // Existence tests and counts need either permission; LPUSH writes without reading.
  for (const k of ["r1", "w1"]) assert.equal(dry("EXISTS", k), "OK");
  assert.equal(dry("SCARD", "w1"), "OK");
  assert.equal(dry("LPUSH", "w1", "x"), "OK");
  assert.equal(dry("LPUSH", "r1", "x"), noKey("r1"));
  assert.equal(dry("EXISTS", "other"), noKey("other"));
  // SORT reads its key and overwrites its STORE key; EVAL's keys are read and written.
  assert.equal(dry("SORT", "r1", "STORE", "w1"), "OK");
  assert.equal(dry("SORT", "w1", "STORE", "w2"), noKey("w1"));
  assert.equal(dry("EVAL", "", "1", "rw1"), "OK");
  assert.equal(dry("EVAL", "", "1", "r1"), noKey("r1"));
  assert.equal(dry("EVAL_RO", "", "1", "r1"), "OK");
  assert.equal(dry("EVAL", "", "3", "r1"), "OK", "a key count past the line names no key");
  // GEORADIUS's STORE / STOREDIST key is found by its keyword.
  assert.equal(dry("GEORADIUS", "r1", "0", "0", "1", "m", "STOREDIST", "w1"), "OK");
  assert.equal(dry("GEORADIUS", "r1", "0", "0", "1", "m", "STORE", "r2"), noKey("r2"));
  // Subcommands have key specs of their own; shard channels are not keys.
  assert.equal(dry("XGROUP", "CREATE", "w1", "g", "$"), "OK");
  assert.equal(dry("XGROUP", "CREATE", "other", "g", "$"), noKey("other"));
  assert.equal(dry("SPUBLISH", "other", "m"), "OK");
});

Deno.test("Tests of existence and counts need either permission; reading counts need read", () => {
  const admin = new Harness().client();
  admin.run("ACL", "SETUSER", "t", "on", "nopass", "+@all", "%R~read*", "%W~write*", "%RW~rw*");
  const dry = (...line: string[]) => admin.run("ACL", "DRYRUN", "t", ...line);
  const noKey = (k: string) => `This user has no permissions to access the '${k}' key`;
  const either = [
    ["HEXISTS", "$", "f"],
    ["HSTRLEN", "$", "f"],
    ["SISMEMBER", "$", "m"],
    ["TOUCH", "$"],
    ["EXISTS", "$"],
    ["MEMORY", "USAGE", "$"],
    ["TYPE", "$"],
    ...["STRLEN", "HLEN", "LLEN", "SCARD", "ZCARD", "XLEN"].map((c) => [c, "$"]),
  ];
  for (const line of either) {
    for (const k of ["read", "write", "rw"]) {
      assert.equal(dry(...line.map((w) => w === "$" ? k : w)), "OK", `${line[0]} ${k}`);
    }
    assert.equal(dry(...line.map((w) => w === "$" ? "nothing" : w)), noKey("nothing"));
  }
  for (const line of [["SINTERCARD", "2"], ["ZINTERCARD", "2"], ["PFCOUNT"]]) {
    assert.equal(dry(...line, "read", "read"), "OK");
    assert.equal(dry(...line, "write", "read"), noKey("write"));
  }
  assert.equal(dry("ZCOUNT", "read", "0", "1"), "OK");
  assert.equal(dry("ZCOUNT", "write", "0", "1"), noKey("write"));
});

Deno.test("Selectors are tried in turn; a refusal names the most relevant item", () => {
  const h = new Harness();
  const admin = h.client();
  admin.run("ACL", "SETUSER", "s", "on", "nopass", "+mget", "~key", "(+mget ~key ~otherkey)");
  admin.run("ACL", "SETUSER", "p", "on", "nopass", "(%R~read* +@all)", "(%W~write* +@all)");
  const c = h.client();
  assert.equal(c.run("AUTH", "s", "x"), "OK");
  assert.deepEqual(c.run("MGET", "key", "otherkey"), [null, null]);
  assert.deepEqual(
    c.run("GET", "key"),
    err("NOPERM this user has no permissions to run the 'get' command"),
  );
  admin.run("ACL", "LOG", "RESET");
  assert.deepEqual(
    c.run("MGET", "key", "otherkey", "someotherkey"),
    err("NOPERM this user has no permissions to access one of the keys used as arguments"),
  );
  const entry = mapOf((admin.run("ACL", "LOG") as unknown[])[0]);
  assert.equal(entry.reason, "key");
  assert.equal(entry.object, "someotherkey");
  // Permissions of two selectors do not add up for one command.
  assert.equal(c.run("AUTH", "p", "x"), "OK");
  assert.equal(c.run("LPUSH", "writelist", "1"), 1);
  assert.equal(c.run("GET", "readstr"), null);
  assert.deepEqual(
    c.run("COPY", "readstr", "writestr"),
    err("NOPERM this user has no permissions to access one of the keys used as arguments"),
  );
});

Deno.test("SORT's BY and GET need a user that may read every key", () => {
  const h = new Harness();
  const admin = h.client();
  admin.run("RPUSH", "mylist", "1");
  admin.run("SET", "v1", "1");
  const c = h.client();
  const denied = (o: string) =>
    err(`ERR ${o} option of SORT denied due to insufficient ACL permissions.`);
  for (const keys of [["~mylist"], ["~mylist", "~v*"], ["~mylist", "%W~*"]]) {
    admin.run("ACL", "SETUSER", "srt", "reset", "on", "nopass", `(+sort ${keys.join(" ")})`);
    assert.equal(c.run("AUTH", "srt", "x"), "OK");
    assert.deepEqual(c.run("SORT", "mylist", "BY", "v*"), denied("BY"));
    assert.deepEqual(c.run("SORT", "mylist", "GET", "#"), denied("GET"));
    assert.deepEqual(c.run("SORT", "mylist", "BY", "nosort"), ["1"], "BY without * reads no key");
  }
  admin.run("ACL", "SETUSER", "srt", "(+sort ~mylist %R~*)");
  assert.deepEqual(c.run("SORT", "mylist", "BY", "v*", "GET", "#"), ["1"]);
});

Deno.test("Selectors survive WAL replay and a snapshot", () => {
  const h = new Harness();
  const c = h.client();
  c.run("ACL", "SETUSER", "u", "on", ">pw", "%R~r*", "(+get ~a &ch)", "(%W~w* +set)");
  c.run("ACL", "SETUSER", "default", "(+get ~x)");
  const list = c.run("ACL", "LIST");
  const replayed = new Harness();
  for (const r of h.wal.records) replayRecord(replayed.engine, r.payload);
  assert.deepEqual(replayed.client().run("ACL", "LIST"), list);
  const chunks: Uint8Array[] = [];
  encodeSnapshot(h.engine, 0, (b) => chunks.push(b));
  const bytes = new Uint8Array(chunks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of chunks) bytes.set(b, (at += b.length) - b.length);
  const restored = new Harness();
  decodeSnapshot(restored.engine, bytes);
  assert.deepEqual(restored.client().run("ACL", "LIST"), list);
});

Deno.test("COMMAND GETKEYSANDFLAGS and COMMAND INFO show key specs", () => {
  const c = new Harness().client();
  assert.deepEqual(c.run("COMMAND", "GETKEYSANDFLAGS", "SET", "k1", "v1"), [["k1", [
    "OW",
    "update",
  ]]]);
  assert.deepEqual(c.run("COMMAND", "GETKEYSANDFLAGS", "LMOVE", "k1", "k2", "LEFT", "RIGHT"), [
    ["k1", ["RW", "access", "delete"]],
    ["k2", ["RW", "insert"]],
  ]);
  assert.deepEqual(c.run("COMMAND", "GETKEYSANDFLAGS", "MEMORY", "USAGE", "k"), [["k", ["RO"]]]);
  assert.deepEqual(c.run("COMMAND", "GETKEYSANDFLAGS", "EVAL", "return 1", "0"), []);
  assert.deepEqual(
    c.run("COMMAND", "GETKEYSANDFLAGS", "PING"),
    err("ERR The command has no key arguments"),
  );
  const info = c.run("COMMAND", "INFO", "ZUNIONSTORE") as unknown[][];
  const specs = (info[0]![8] as unknown[]).map(mapOf);
  assert.deepEqual(specs.map((s) => s.flags), [["OW", "update"], ["RO", "access"]]);
  assert.deepEqual(mapOf(specs[1]!.begin_search), { type: "index", spec: ["index", 2] });
  assert.deepEqual(mapOf(specs[1]!.find_keys), {
    type: "keynum",
    spec: ["keynumidx", 0, "firstkey", 1, "keystep", 1],
  });
});
