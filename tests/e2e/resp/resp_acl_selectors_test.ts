/**
 * End-to-end: Redis 7.0 ACL selectors and read / write key permissions over
 * the wire with redis-cli: a user with two selectors, refusals that name
 * the most relevant key, ACL DRYRUN of commands whose keys are found by key
 * count, keyword or argument scan (SORT, EVAL, GEORADIUS), COMMAND
 * GETKEYSANDFLAGS, the selectors still there after a restart, and an ACL
 * file (aclfile) read at startup, by ACL LOAD, and written by ACL SAVE.
 */
import assert from "node:assert/strict";
import { redisCli, startServer } from "./_support.ts";

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name: "ACL selectors and %R~ / %W~ key permissions over redis-cli, across a restart",
  sanitizeResources: true,
  sanitizeOps: true,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "thunder_resp_aclv2_" });
    let server = await startServer(dir);
    const cli = async (...args: string[]) => (await redisCli(server.port, args)).trim();
    const asUser = (...args: string[]) =>
      cli("--user", "sel", "--pass", "pw", "--no-auth-warning", ...args);
    try {
      assert.equal(
        await cli("ACL", "SETUSER", "sel", "on", ">pw", "(%R~read*", "+@all)", "(%W~write* +@all)"),
        "OK",
      );
      assert.equal(await cli("SET", "read1", "v"), "OK");
      assert.equal(await asUser("GET", "read1"), "v");
      assert.equal(await asUser("LPUSH", "write1", "x"), "1");
      assert.match(await asUser("SET", "read1", "w"), /NOPERM .*keys/);
      // Neither selector may both read read1 and write write2: permissions do not add up.
      assert.match(await asUser("COPY", "read1", "write2"), /NOPERM .*keys/);
      assert.equal(await cli("ACL", "LOG", "1").then((s) => s.includes("write2")), true);

      await cli("ACL", "SETUSER", "t", "on", "nopass", "+@all", "%R~r*", "%W~w*", "%RW~rw*");
      const dry = (...line: string[]) => cli("ACL", "DRYRUN", "t", ...line);
      assert.equal(await dry("SORT", "r1", "STORE", "w1"), "OK");
      assert.equal(
        await dry("SORT", "w1", "STORE", "w2"),
        "This user has no permissions to access the 'w1' key",
      );
      assert.equal(await dry("EVAL", "", "1", "rw1"), "OK");
      assert.equal(
        await dry("EVAL", "", "1", "r1"),
        "This user has no permissions to access the 'r1' key",
      );
      assert.equal(await dry("EVAL_RO", "", "1", "r1"), "OK");
      assert.equal(await dry("EVAL", "", "0", "r1"), "OK");
      assert.equal(await dry("GEORADIUS", "r1", "0", "0", "1", "M", "STOREDIST", "w1"), "OK");
      assert.equal(
        await dry("GEORADIUS", "r1", "0", "0", "1", "M", "STORE", "r2"),
        "This user has no permissions to access the 'r2' key",
      );
      assert.equal(
        await cli("COMMAND", "GETKEYSANDFLAGS", "LMOVE", "k1", "k2", "LEFT", "RIGHT"),
        "k1\nRW\naccess\ndelete\nk2\nRW\ninsert",
      );

      const before = await cli("ACL", "GETUSER", "sel");
      assert.match(before, /selectors\n.*%R~read\*/s);
      await server.stop();
      server = await startServer(dir);
      assert.equal(await cli("ACL", "GETUSER", "sel"), before);
      assert.equal(await asUser("GET", "read1"), "v");

      // With an ACL file, its users replace the stored ones at startup.
      const aclPath = `${dir}/users.acl`;
      await Deno.writeTextFile(aclPath, "user alice on >apw (+get ~rw*)\n# a comment\n");
      await server.stop();
      server = await startServer(dir, ["--aclfile", aclPath]);
      assert.equal(await cli("ACL", "USERS"), "alice\ndefault");
      const asAlice = (...a: string[]) =>
        cli("--user", "alice", "--pass", "apw", "--no-auth-warning", ...a);
      assert.equal(await asAlice("GET", "rw1"), "");
      assert.match(await asAlice("GET", "read1"), /NOPERM .*keys/);
      await cli("ACL", "SETUSER", "bob", "on", "nopass", "%R~r*", "+get");
      assert.equal(await cli("ACL", "SAVE"), "OK");
      assert.equal(
        await Deno.readTextFile(aclPath),
        "user alice on #" + (await sha256Hex("apw")) +
          " resetchannels -@all (~rw* resetchannels -@all +get)\n" +
          "user bob on nopass %R~r* resetchannels -@all +get\n" +
          "user default on nopass ~* &* +@all\n",
      );
      // ACL LOAD is all or nothing: a user named twice refuses the file.
      await Deno.writeTextFile(aclPath, "user carol on nopass\nuser carol off\n", { append: true });
      assert.match(await cli("ACL", "LOAD"), /users\.acl:5: Duplicate user 'carol' found/);
      assert.equal(await cli("ACL", "USERS"), "alice\nbob\ndefault");
      await Deno.writeTextFile(aclPath, "user carol on nopass +ping\n");
      assert.equal(await cli("ACL", "LOAD"), "OK");
      assert.equal(await cli("ACL", "USERS"), "carol\ndefault");
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
