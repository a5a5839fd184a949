import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("CLIENT ID/SETNAME/LIST/INFO/KILL/NO-EVICT", () => {
  const h = new Harness();
  const a = h.client();
  const b = h.client();
  assertEquals(a.run("CLIENT", "ID"), a.client.id);
  assertEquals(
    a.run("CLIENT", "SETNAME", "bad name"),
    err("ERR Client names cannot contain spaces, newlines or special characters."),
  );
  assertEquals(a.run("CLIENT", "SETNAME", "alpha"), "OK");
  const list = a.run("CLIENT", "LIST") as string;
  assertEquals(list.split("\n").filter((l) => l !== "").length, 2);
  assertEquals(
    list.includes(`id=${a.client.id} addr=127.0.0.1:1 laddr=127.0.0.1:6379 fd=8 name=alpha `),
    true,
  );
  assertEquals((a.run("CLIENT", "INFO") as string).startsWith(`id=${a.client.id} `), true);
  assertEquals(a.run("CLIENT", "NO-EVICT", "on"), "OK");
  assertEquals(a.run("CLIENT", "KILL", "ID", b.client.id), 1);
  assertEquals(a.run("CLIENT", "KILL", "ID", a.client.id), 0);
  assertEquals(a.run("CLIENT", "KILL", "10.0.0.1:5"), err("ERR No such client"));
  assertEquals(
    a.run("CLIENT", "FOO"),
    err("ERR unknown subcommand 'FOO'. Try CLIENT HELP."),
  );
  assertEquals(
    a.run("CLIENT", "SETNAME"),
    err("ERR wrong number of arguments for 'client|setname' command"),
  );
});

Deno.test("COMMAND COUNT/LIST/INFO/DOCS/GETKEYS", () => {
  const c = new Harness().client();
  const count = c.run("COMMAND", "COUNT") as number;
  assertEquals(count > 150, true);
  assertEquals((c.run("COMMAND", "LIST") as string[]).length, count);
  const [get] = c.run("COMMAND", "INFO", "get") as unknown[][];
  assertEquals(get!.slice(0, 6), ["get", 2, ["readonly", "fast"], 1, 1, 1]);
  assertEquals(c.run("COMMAND", "INFO", "nope"), [null]);
  const docs = c.run("COMMAND", "DOCS", "set") as unknown[];
  assertEquals(docs[0], "set");
  assertEquals(c.run("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"), ["a", "b"]);
});

Deno.test("INFO sections, CONFIG GET/SET, TIME, DBSIZE, RANDOMKEY, TOUCH, SWAPDB", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SET", "a", "1", "EX", 100);
  c.run("SET", "b", "2");
  const info = c.run("INFO") as string;
  for (
    const section of [
      "Server",
      "Clients",
      "Memory",
      "Persistence",
      "Stats",
      "Replication",
      "Keyspace",
    ]
  ) {
    assertEquals(info.includes(`# ${section}\r\n`), true, section);
  }
  assertEquals(info.includes("db0:keys=2,expires=1,avg_ttl=0"), true);
  assertEquals((c.run("INFO", "keyspace") as string).startsWith("# Keyspace\r\n"), true);
  assertEquals(c.run("CONFIG", "GET", "appendfsync"), ["appendfsync", "everysec"]);
  assertEquals(c.run("CONFIG", "SET", "appendfsync", "always"), "OK");
  assertEquals(c.run("CONFIG", "SET", "maxmemory", "100mb"), "OK");
  assertEquals(c.run("CONFIG", "GET", "maxmemory"), ["maxmemory", String(100 * 1024 * 1024)]);
  assertEquals(
    c.run("CONFIG", "SET", "nope", "1"),
    err("ERR Unknown option or number of arguments for CONFIG SET - 'nope'"),
  );
  assertEquals(
    c.run("CONFIG", "SET", "maxmemory-policy", "lfu"),
    err(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: noeviction, allkeys-lru",
    ),
  );
  const [secs, micros] = c.run("TIME") as string[];
  assertEquals(Number(secs), Math.floor(h.nowMs / 1000));
  assertEquals(Number(micros) >= 0, true);
  assertEquals(c.run("DBSIZE"), 2);
  assertEquals(["a", "b"].includes(c.run("RANDOMKEY") as string), true);
  assertEquals(c.run("TOUCH", "a", "b", "c"), 2);
  assertEquals(c.run("UNLINK", "b"), 1);
  assertEquals(c.run("SWAPDB", 0, 1), "OK");
  assertEquals(c.run("DBSIZE"), 0);
  c.run("SELECT", 1);
  assertEquals(c.run("TTL", "a"), 100);
  assertEquals(c.run("SWAPDB", 0, 99), err("ERR DB index is out of range"));
  assertEquals(c.run("FLUSHALL"), "OK");
  assertEquals(c.run("DBSIZE"), 0);
  assertEquals(c.run("SAVE"), err("ERR This server has no storage to save to"));
});
