/**
 * ACL: SETUSER rules and how GETUSER / LIST describe them, enforcement of
 * commands, keys and channels at dispatch (NOPERM, ACL LOG), DELUSER and
 * channel revocation disconnecting clients, DRYRUN, CAT, GENPASS, and the
 * ACL users' relation to ThunderDB's (the injected directory).
 */
import assert from "node:assert/strict";
import { err, Harness, mapOf } from "./_harness.ts";
import { attachDispatcher, replayRecord } from "../../src/kv/dispatch.ts";
import { KvEngine } from "../../src/kv/engine.ts";
import { defaultKvConfig } from "../../src/kv/config.ts";
import { decodeSnapshot, encodeSnapshot } from "../../src/kv/snapshot.ts";

Deno.test("ACL SETUSER: new users start off with nothing; rules build up as Redis describes them", () => {
  const h = new Harness();
  const c = h.client();
  assert.equal(c.run("ACL", "SETUSER", "bob"), "OK");
  assert.deepEqual(c.run("ACL", "LIST"), [
    "user bob off resetchannels -@all",
    "user default on nopass ~* &* +@all",
  ]);
  assert.deepEqual(
    c.run("AUTH", "bob", "x"),
    err("WRONGPASS invalid username-password pair or user is disabled."),
  );
  c.run("ACL", "SETUSER", "bob", "on", ">pw", "~foo:*", "%R~ro:*", "&news", "+@string", "-append");
  const u = mapOf(c.run("ACL", "GETUSER", "bob"));
  assert.deepEqual(u.flags, ["on"]);
  assert.deepEqual(u.passwords, [
    "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4",
  ]);
  assert.equal(u.commands, "-@all +@string -append");
  assert.equal(u.keys, "~foo:* %R~ro:*");
  assert.equal(u.channels, "&news");
  assert.equal(c.run("ACL", "GETUSER", "nobody"), null);
  // Rules that change nothing are folded away; a whole command absorbs its subcommand rules.
  c.run("ACL", "SETUSER", "carol", "+memory|doctor");
  c.run("ACL", "SETUSER", "carol", "+memory");
  assert.equal(mapOf(c.run("ACL", "GETUSER", "carol")).commands, "-@all +memory");
  c.run("ACL", "SETUSER", "carol", "+@all", "+client|id");
  assert.equal(mapOf(c.run("ACL", "GETUSER", "carol")).commands, "+@all");
  // Errors leave the user as it was.
  assert.deepEqual(
    c.run("ACL", "SETUSER", "carol", "-@all", "+nosuchcmd"),
    err("ERR Error in ACL SETUSER modifier '+nosuchcmd': Unknown command or category name in ACL"),
  );
  assert.equal(mapOf(c.run("ACL", "GETUSER", "carol")).commands, "+@all");
  assert.deepEqual(
    c.run("ACL", "SETUSER", "carol", "allkeys", "~x"),
    err(
      "ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
    ),
  );
  assert.deepEqual(
    c.run("ACL", "SETUSER", "a b"),
    err("ERR Usernames can't contain spaces or null characters"),
  );
  assert.deepEqual(c.run("ACL", "USERS"), ["bob", "carol", "default"]);
});

Deno.test("ACL enforcement: NOPERM for commands, keys and channels, logged in ACL LOG", () => {
  const h = new Harness();
  const admin = h.client();
  admin.run(
    "ACL",
    "SETUSER",
    "bob",
    "on",
    ">pw",
    "~foo:*",
    "%R~ro:*",
    "&news",
    "+@string",
    "+publish",
    "+multi",
    "+exec",
  );
  const c = h.client();
  assert.equal(c.run("AUTH", "bob", "pw"), "OK");
  assert.equal(c.run("SET", "foo:1", "v"), "OK");
  assert.deepEqual(
    c.run("LPUSH", "foo:1", "v"),
    err("NOPERM this user has no permissions to run the 'lpush' command"),
  );
  assert.deepEqual(
    c.run("SET", "bar", "v"),
    err("NOPERM this user has no permissions to access one of the keys used as arguments"),
  );
  assert.equal(c.run("GET", "ro:1"), null);
  assert.deepEqual(
    c.run("SET", "ro:1", "v"),
    err("NOPERM this user has no permissions to access one of the keys used as arguments"),
  );
  assert.equal(c.run("PUBLISH", "news", "m"), 0);
  assert.deepEqual(
    c.run("PUBLISH", "sport", "m"),
    err("NOPERM this user has no permissions to access one of the channels used as arguments"),
  );
  // A refusal while queueing aborts the transaction.
  c.run("MULTI");
  assert.deepEqual(
    c.run("SET", "bar", "1"),
    err("NOPERM this user has no permissions to access one of the keys used as arguments"),
  );
  assert.deepEqual(
    c.run("EXEC"),
    err("EXECABORT Transaction discarded because of previous errors."),
  );
  const log = admin.run("ACL", "LOG");
  assert.ok(Array.isArray(log));
  const newest = mapOf(log[0]);
  assert.equal(newest.reason, "key");
  assert.equal(newest.context, "multi");
  assert.equal(newest.object, "bar");
  assert.equal(newest.username, "bob");
  assert.ok(log.some((e) => mapOf(e).reason === "channel" && mapOf(e).object === "sport"));
  assert.equal(admin.run("ACL", "LOG", "RESET"), "OK");
  assert.deepEqual(admin.run("ACL", "LOG"), []);
  admin.run("AUTH", "bob", "wrong");
  assert.equal(mapOf((admin.run("ACL", "LOG") as unknown[])[0]).reason, "auth");
});

Deno.test("ACL rules changed between MULTI and EXEC refuse the queued command at EXEC", () => {
  const h = new Harness();
  const admin = h.client();
  admin.run("ACL", "SETUSER", "bob", "on", "nopass", "~*", "+multi", "+exec", "+incr");
  const c = h.client();
  c.run("AUTH", "bob", "any");
  c.run("MULTI");
  assert.equal(c.run("INCR", "n"), "QUEUED");
  admin.run("ACL", "SETUSER", "bob", "-incr");
  assert.deepEqual(c.run("EXEC"), [
    err(
      "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand",
    ),
  ]);
});

Deno.test("ACL DELUSER disconnects the user's clients; revoked channels disconnect subscribers", () => {
  const h = new Harness();
  const admin = h.client();
  admin.run("ACL", "SETUSER", "sub", "on", "nopass", "resetchannels", "&a", "&b:*", "+@all");
  const s = h.client();
  s.run("AUTH", "sub", "x");
  s.run("SUBSCRIBE", "a");
  let closed = false;
  Object.assign(s.client.transport, { closeAfterReply: () => (closed = true) });
  admin.run("ACL", "SETUSER", "sub", "&c");
  assert.equal(closed, false, "permissions retained: the subscriber stays");
  admin.run("ACL", "SETUSER", "sub", "resetchannels", "&b:*");
  assert.equal(closed, true, "lost channel a: the subscriber is disconnected");
  assert.deepEqual(
    admin.run("ACL", "DELUSER", "default"),
    err("ERR The 'default' user cannot be removed"),
  );
  assert.equal(admin.run("ACL", "DELUSER", "sub", "nobody"), 1);
});

Deno.test("ACL DRYRUN, CAT, GENPASS, WHOAMI, SAVE", () => {
  const h = new Harness();
  const c = h.client();
  c.run("ACL", "SETUSER", "r", "on", "nopass", "~k*", "+@read");
  assert.equal(c.run("ACL", "DRYRUN", "r", "GET", "k1"), "OK");
  assert.equal(
    c.run("ACL", "DRYRUN", "r", "SET", "k1", "v"),
    "This user has no permissions to run the 'set' command",
  );
  assert.equal(
    c.run("ACL", "DRYRUN", "r", "GET", "x"),
    "This user has no permissions to access the 'x' key",
  );
  assert.deepEqual(
    c.run("ACL", "DRYRUN", "nobody", "GET", "x"),
    err("ERR User 'nobody' not found"),
  );
  const cats = c.run("ACL", "CAT");
  assert.ok(Array.isArray(cats) && cats.includes("keyspace") && cats.includes("connection"));
  const tx = c.run("ACL", "CAT", "transaction");
  assert.ok(Array.isArray(tx) && tx.includes("multi"));
  assert.deepEqual(c.run("ACL", "CAT", "nope"), err("ERR Unknown category 'nope'"));
  assert.match(String(c.run("ACL", "GENPASS")), /^[0-9a-f]{64}$/);
  assert.match(String(c.run("ACL", "GENPASS", "5")), /^[0-9a-f]{2}$/);
  assert.equal(c.run("ACL", "WHOAMI"), "default");
  assert.match(
    String((c.run("ACL", "SAVE") as { error: string }).error),
    /not configured to use an ACL file/,
  );
});

Deno.test("ThunderDB users: full access without ACL rules; ACL SETUSER on their name applies rules", () => {
  const h = new Harness();
  h.engine.users = { checkPassword: (u, p) => u === "alice" && p === "sqlpw" };
  const c = h.client();
  assert.equal(c.run("AUTH", "alice", "sqlpw"), "OK");
  assert.equal(c.run("SET", "k", "v"), "OK");
  const admin = h.client();
  admin.run("ACL", "SETUSER", "alice", "on", "~*", "+@read");
  // The logged-in client runs under the new rules at once; the SQL password still works.
  assert.deepEqual(
    c.run("SET", "k", "v"),
    err("NOPERM this user has no permissions to run the 'set' command"),
  );
  assert.equal(c.run("GET", "k"), "v");
  assert.equal(h.client().run("AUTH", "alice", "sqlpw"), "OK");
  admin.run("ACL", "SETUSER", "alice", "off");
  assert.deepEqual(
    h.client().run("AUTH", "alice", "sqlpw"),
    err("WRONGPASS invalid username-password pair or user is disabled."),
  );
  // Without its ACL entry the ThunderDB user has full access again.
  admin.run("ACL", "DELUSER", "alice");
  const again = h.client();
  assert.equal(again.run("AUTH", "alice", "sqlpw"), "OK");
  assert.equal(again.run("SET", "k", "w"), "OK");
});

Deno.test("default user: off or without commands; requirepass is its password", () => {
  const h = new Harness();
  const admin = h.client();
  admin.run("ACL", "SETUSER", "default", "-@all", "+acl");
  assert.deepEqual(
    admin.run("GET", "k"),
    err("NOPERM this user has no permissions to run the 'get' command"),
  );
  admin.run("ACL", "SETUSER", "default", "+@all");
  admin.run("CONFIG", "SET", "requirepass", "pw");
  assert.deepEqual(mapOf(admin.run("ACL", "GETUSER", "default")).flags, ["on"]);
  assert.deepEqual(
    admin.run("AUTH", "nope"),
    err("WRONGPASS invalid username-password pair or user is disabled."),
  );
  assert.equal(admin.run("AUTH", "pw"), "OK");
  admin.run("CONFIG", "SET", "requirepass", "");
  assert.deepEqual(mapOf(admin.run("ACL", "GETUSER", "default")).flags, ["on", "nopass"]);
});

Deno.test("ACL users survive WAL replay and a snapshot; passwords are logged as hashes only", () => {
  const h = new Harness();
  const c = h.client();
  c.run("ACL", "SETUSER", "bob", "on", ">secret-pw", "~k*", "&ch", "+@read", "-get");
  c.run("ACL", "SETUSER", "gone", "on");
  c.run("ACL", "DELUSER", "gone");
  c.run("ACL", "SETUSER", "default", "-flushall");
  const logged = h.wal.records.map((r) => new TextDecoder().decode(r.payload)).join("");
  assert.ok(!logged.includes("secret-pw"), "the cleartext password is not in the WAL");
  const list = c.run("ACL", "LIST");
  // Replaying the WAL rebuilds the users.
  const replayed = new Harness();
  for (const r of h.wal.records) replayRecord(replayed.engine, r.payload);
  assert.deepEqual(replayed.client().run("ACL", "LIST"), list);
  // So does a snapshot, into an engine whose dispatcher is attached later.
  const chunks: Uint8Array[] = [];
  encodeSnapshot(h.engine, 0, (b) => chunks.push(b));
  const bytes = new Uint8Array(chunks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of chunks) bytes.set(b, (at += b.length) - b.length);
  const loaded = new KvEngine({ ...defaultKvConfig });
  decodeSnapshot(loaded, bytes);
  attachDispatcher(loaded);
  assert.deepEqual([...loaded.acl.users.keys()].sort(), ["bob", "default"]);
  assert.equal(loaded.acl.users.get("bob")!.describeCommands(), "-@all +@read -get");
  const restored = new Harness();
  decodeSnapshot(restored.engine, bytes);
  const r = restored.client();
  assert.deepEqual(r.run("ACL", "LIST"), list);
  assert.equal(r.run("AUTH", "bob", "secret-pw"), "OK");
});

Deno.test("acl-pubsub-default: the channels new users and reset start with", () => {
  const h = new Harness();
  const c = h.client();
  assert.equal(mapOf(c.run("ACL", "SETUSER", "a") && c.run("ACL", "GETUSER", "a")).channels, "");
  assert.equal(c.run("CONFIG", "SET", "acl-pubsub-default", "allchannels"), "OK");
  c.run("ACL", "SETUSER", "b");
  assert.equal(mapOf(c.run("ACL", "GETUSER", "b")).channels, "&*");
  assert.match(
    String((c.run("ACL", "SETUSER", "c", "&x") as { error: string }).error),
    /start with an empty list of channels/,
  );
  c.run("ACL", "SETUSER", "a", "reset");
  assert.equal(mapOf(c.run("ACL", "GETUSER", "a")).channels, "&*");
  c.run("CONFIG", "SET", "acl-pubsub-default", "resetchannels");
  assert.equal(mapOf(c.run("ACL", "GETUSER", "b")).channels, "&*", "existing users keep theirs");
  assert.deepEqual(c.run("CONFIG", "GET", "acl-pubsub-default"), [
    "acl-pubsub-default",
    "resetchannels",
  ]);
});

/** The text of an error reply (fails on anything else). */
function errorText(v: unknown): string {
  assert.ok(typeof v === "object" && v !== null && "error" in v, `not an error: ${String(v)}`);
  return String(v.error);
}

Deno.test("ACL: commands a script calls are checked against the user running it", () => {
  const h = new Harness();
  const admin = h.client();
  admin.run("ACL", "SETUSER", "bob", "on", ">123", "+@scripting", "+set", "~x*");
  const c = h.client();
  assert.equal(c.run("AUTH", "bob", "123"), "OK");
  assert.equal(c.run("EVAL", "return redis.call('set', KEYS[1], 1)", "1", "xx"), "OK");
  const cmd = c.run("EVAL", "return redis.call('hset', KEYS[1], 'f', 1)", "1", "xx");
  assert.match(errorText(cmd), /^ERR The user executing the script can't run this command/);
  const key = c.run("EVAL", "return redis.call('set', 'yy', 1)", "0");
  assert.match(errorText(key), /^ERR The user executing the script can't access at least one/);
  assert.equal(admin.run("EXISTS", "yy"), 0);
  const entry = mapOf((admin.run("ACL", "LOG", "1") as unknown[])[0]);
  assert.equal(entry.context, "lua");
  assert.equal(entry.object, "yy");
  // redis.acl_check_cmd answers without running or logging anything.
  assert.equal(c.run("EVAL", "return redis.acl_check_cmd('set', 'xx', 1)", "0"), 1);
  assert.equal(c.run("EVAL", "return redis.acl_check_cmd('hset', 'xx', 'f', 1)", "0"), null);
  assert.equal(c.run("EVAL", "return redis.acl_check_cmd('set', 'yy', 1)", "0"), null);
  const bad = c.run("EVAL", "return redis.acl_check_cmd('invalid-cmd', 'arg')", "0");
  assert.match(errorText(bad), /^ERR Invalid command passed to redis\.acl_check_cmd\(\)/);
});
