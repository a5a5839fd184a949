/**
 * AUTH and HELLO ... AUTH as a user from the injected directory (ThunderDB's
 * users), `default` against requirepass, and the identity CLIENT INFO,
 * ACL WHOAMI and RESET show.
 */
import assert from "node:assert/strict";
import { err, Harness } from "./_harness.ts";
import { fromLatin1 } from "../../src/kv/bytes.ts";
import { userDropped } from "../../src/kv/auth.ts";

const wrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

function harness(): Harness {
  const h = new Harness({ requirepass: "root" });
  const users = new Map([["alice", "pw"], ["zoë", "pässwört"]]);
  h.engine.users = { checkPassword: (user, password) => users.get(user) === password };
  return h;
}

Deno.test("AUTH <user> <pass> checks the user directory; WRONGPASS otherwise", () => {
  const h = harness();
  const c = h.client();
  assert.deepEqual(c.run("GET", "k"), err("NOAUTH Authentication required."));
  assert.deepEqual(c.run("AUTH", "alice", "nope"), err(wrongPass));
  assert.deepEqual(c.run("AUTH", "mallory", "pw"), err(wrongPass));
  assert.equal(c.run("AUTH", "alice", "pw"), "OK");
  assert.equal(c.run("ACL", "WHOAMI"), "alice");
  assert.match(String(c.run("CLIENT", "INFO")), / user=alice /);
  // A failed AUTH leaves the client as it was.
  assert.deepEqual(c.run("AUTH", "alice", "nope"), err(wrongPass));
  assert.equal(c.run("ACL", "WHOAMI"), "alice");
  // AUTH <pass> is the default user with requirepass.
  assert.equal(c.run("AUTH", "root"), "OK");
  assert.equal(c.run("ACL", "WHOAMI"), "default");
  assert.equal(c.run("AUTH", "default", "root"), "OK");
  // RESET goes back to an unauthenticated default user.
  c.run("AUTH", "alice", "pw");
  assert.equal(c.run("RESET"), "RESET");
  assert.deepEqual(c.run("ACL", "WHOAMI"), err("NOAUTH Authentication required."));
});

Deno.test("HELLO 3 AUTH <user> <pass> authenticates and switches protocol", () => {
  const h = harness();
  const c = h.client();
  assert.deepEqual(c.run("HELLO", "3", "AUTH", "alice", "bad"), err(wrongPass));
  const hello = c.run("HELLO", "3", "AUTH", "alice", "pw");
  assert.ok(typeof hello === "object" && hello !== null && "map" in hello);
  assert.equal(c.run("ACL", "WHOAMI"), "alice");
  assert.deepEqual(c.run("ACL", "NOPE"), err("ERR unknown subcommand 'NOPE'. Try ACL HELP."));
});

Deno.test("AUTH passes UTF-8 user names and passwords to the directory as text", () => {
  const h = harness();
  const c = h.client();
  const utf8 = (s: string) => String.fromCharCode(...new TextEncoder().encode(s));
  assert.equal(c.run("AUTH", utf8("zoë"), utf8("pässwört")), "OK");
  assert.equal(fromLatin1(String(c.run("ACL", "WHOAMI"))).length, 4);
});

Deno.test("userDropped() disconnects a dropped user's clients unless its ACL entry still logs them in", () => {
  const h = harness();
  const utf8 = (s: string) => String.fromCharCode(...new TextEncoder().encode(s));
  const root = h.client();
  assert.equal(root.run("AUTH", "root"), "OK");
  assert.equal(h.client().run("AUTH", "alice", "pw"), "OK");
  assert.equal(h.client().run("AUTH", utf8("zoë"), utf8("pässwört")), "OK");
  assert.equal(userDropped(h.engine, "zoë"), 1);
  assert.equal(userDropped(h.engine, "mallory"), 0);
  // An ACL entry with a password of its own keeps the name a user.
  assert.equal(root.run("ACL", "SETUSER", "alice", "on", ">acl-pw", "~*", "+@all"), "OK");
  assert.equal(userDropped(h.engine, "alice"), 0);
  assert.equal(root.run("ACL", "SETUSER", "alice", "resetpass"), "OK");
  assert.equal(userDropped(h.engine, "alice"), 1);
});
