import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("MIGRATE checks its arguments and replies NOKEY before connecting", () => {
  const c = new Harness().client();
  c.run("SET", "k", "v");
  const target = ["127.0.0.1", "1"];
  assertEquals(c.run("MIGRATE", ...target, "missing", 0, 100), "NOKEY");
  assertEquals(c.run("MIGRATE", ...target, "", 0, 100, "KEYS", "a", "b"), "NOKEY");
  assertEquals(c.run("MIGRATE", ...target, "k", 0, 100, "BOGUS"), err("ERR syntax error"));
  assertEquals(c.run("MIGRATE", ...target, "k", 0, 100, "AUTH2", "u"), err("ERR syntax error"));
  assertEquals(
    c.run("MIGRATE", ...target, "k", 0, 100, "KEYS", "k"),
    err("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string"),
  );
  assertEquals(
    c.run("MIGRATE", ...target, "k", "x", 100),
    err("ERR value is not an integer or out of range"),
  );
  assertEquals(c.run("EXISTS", "k"), 1);
});

Deno.test("MIGRATE's keys for ACL: the key argument, or what follows KEYS past AUTH values", () => {
  const c = new Harness().client();
  const flags = ["RW", "access", "delete"];
  assertEquals(c.run("COMMAND", "GETKEYSANDFLAGS", "MIGRATE", "h", "1", "k", "0", "5"), [
    ["k", flags],
  ]);
  const auth = ["MIGRATE", "h", "1", "", "0", "5", "AUTH2", "KEYS", "x", "KEYS", "a", "b"];
  assertEquals(c.run("COMMAND", "GETKEYSANDFLAGS", ...auth), [["a", flags], ["b", flags]]);
  c.run("ACL", "SETUSER", "u", "on", "nopass", "+@all", "%R~read*", "%RW~rw*");
  assertEquals(c.run("ACL", "DRYRUN", "u", "MIGRATE", "h", "1", "rw", "0", "5"), "OK");
  assertEquals(
    c.run("ACL", "DRYRUN", "u", "MIGRATE", "h", "1", "", "0", "5", "AUTH", "KEYS", "KEYS", "read"),
    "This user has no permissions to access the 'read' key",
  );
});

Deno.test("MIGRATE is refused inside scripts (it waits for the target asynchronously)", () => {
  const c = new Harness().client();
  c.run("SET", "k", "v");
  assertEquals(
    c.run("EVAL", "return redis.pcall('MIGRATE', '127.0.0.1', 1, 'k', 0, 100)", 0),
    err("ERR This Redis command is not allowed from script"),
  );
});
