/**
 * The ACL file: parsing (comments, selectors across words, Redis's error
 * texts with file and line, a default user when the file names none), ACL
 * LOAD replacing the users all or nothing and disconnecting the replaced
 * users' clients, ACL SAVE, and LOAD's result reaching the WAL.
 */
import assert from "node:assert/strict";
import { err, Harness } from "./_harness.ts";
import { parseAclFile } from "../../src/kv/acl_file.ts";
import { replayRecord } from "../../src/kv/dispatch.ts";

Deno.test("parseAclFile: users, comments, selectors; errors name the file and line", () => {
  const catalog = new Harness().engine.acl.catalog!;
  const ok = parseAclFile(
    "# users\nuser alice on nopass (+get ~rw*)\n\nuser bob on (+set %W~w*) (+get %R~r*)\n",
    "a.acl",
    catalog,
  );
  assert.ok("users" in ok);
  assert.deepEqual(ok.users.map((u) => u.name), ["alice", "bob", "default"]);
  assert.deepEqual(ok.users[1]!.selectors.map((s) => s.describeKeys()), ["%W~w*", "%R~r*"]);
  assert.deepEqual(ok.users[2]!.rules(), ["on", "nopass", "~*", "&*", "+@all"]);
  const bad = parseAclFile(
    "user a on\nsetuser b\nuser a off\nuser c +nosuch\nuser d (~x\n",
    "b.acl",
    catalog,
  );
  assert.ok("error" in bad);
  assert.equal(
    bad.error,
    "b.acl:2: line should start with user keyword. b.acl:3: Duplicate user 'a' found. " +
      "b.acl:4: Unknown command or category name in ACL. " +
      "b.acl:5: Unmatched parenthesis in selector definition.",
  );
});

Deno.test("ACL LOAD / SAVE: all or nothing, replaced users' clients closed, logged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_aclfile_" });
  try {
    const h = new Harness();
    const path = `${dir}/users.acl`;
    const admin = h.client();
    assert.match(String((admin.run("ACL", "LOAD") as { error: string }).error), /not configured/);
    h.engine.config.aclfile = path;
    admin.run("ACL", "SETUSER", "old", "on", "nopass", "+@all");
    const c = h.client();
    assert.equal(c.run("AUTH", "old", "x"), "OK");
    let closed = false;
    Object.assign(c.client.transport, { closeAfterReply: () => (closed = true) });
    // A ThunderDB user without ACL rules is not an ACL-file user: its client stays.
    h.engine.users = { checkPassword: (u, p) => u === "sqluser" && p === "pw" };
    const sql = h.client();
    assert.equal(sql.run("AUTH", "sqluser", "pw"), "OK");
    let sqlClosed = false;
    Object.assign(sql.client.transport, { closeAfterReply: () => (sqlClosed = true) });
    await Deno.writeTextFile(path, "user new on nopass ~k* +get\nuser new off\n");
    assert.deepEqual(admin.run("ACL", "LOAD"), err(`ERR ${path}:2: Duplicate user 'new' found.`));
    assert.deepEqual(admin.run("ACL", "USERS"), ["default", "old"]);
    assert.equal(closed, false);
    await Deno.writeTextFile(path, "user new on nopass ~k* +get\nuser default on nopass -@all\n");
    assert.equal(admin.run("ACL", "LOAD"), "OK");
    assert.equal(closed, true, "a client of a replaced user is disconnected");
    assert.equal(sqlClosed, false);
    assert.deepEqual([...h.engine.acl.users.keys()].sort(), ["default", "new"]);
    assert.equal(
      h.engine.acl.defaultUser.describeCommands(),
      "-@all",
      "default is updated in place",
    );
    // The WAL rebuilds the loaded users.
    const replayed = new Harness();
    for (const r of h.wal.records) replayRecord(replayed.engine, r.payload);
    assert.deepEqual(replayed.engine.acl.users.get("new")?.rules(), [
      "on",
      "nopass",
      "~k*",
      "resetchannels",
      "-@all",
      "+get",
    ]);
    assert.equal(replayed.engine.acl.users.has("old"), false);
    h.engine.acl.defaultUser.apply("+@all", h.engine.acl.catalog!);
    assert.equal(admin.run("ACL", "SAVE"), "OK");
    assert.equal(
      await Deno.readTextFile(path),
      "user default on nopass resetchannels +@all\nuser new on nopass ~k* resetchannels -@all +get\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
