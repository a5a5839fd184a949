import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("ROLE: a master at offset 0 with no replicas", () => {
  const c = new Harness().client();
  assertEquals(c.run("ROLE"), ["master", 0, []]);
  assertEquals(c.run("ROLE", "x"), err("ERR wrong number of arguments for 'role' command"));
  assertEquals(
    c.run("EVAL", "return redis.pcall('role')", 0),
    err("ERR This Redis command is not allowed from script"),
  );
});

Deno.test("WAIT: 0 at once for no replicas or in MULTI, else 0 after the timeout", async () => {
  const h = new Harness();
  const c = h.client();
  assertEquals(c.run("WAIT", 0, 0), 0);
  assertEquals(c.run("WAIT", -1, 0), 0);
  assertEquals(c.run("WAIT", "a", 0), err("ERR value is not an integer or out of range"));
  assertEquals(c.run("WAIT", 0, "a"), err("ERR timeout is not an integer or out of range"));
  assertEquals(c.run("WAIT", 0, "1.5"), err("ERR timeout is not an integer or out of range"));
  assertEquals(c.run("WAIT", 0, -1), err("ERR timeout is negative"));
  c.run("MULTI");
  c.run("WAIT", 1, 0);
  assertEquals(c.run("EXEC"), [0]);
  const started = performance.now();
  const waiting = c.start("WAIT", 1, 30);
  assertEquals(waiting !== undefined, true);
  await waiting;
  assertEquals(performance.now() - started >= 25, true);
  assertEquals(c.drain(), [0]);
  // A WAIT with no timeout waits until CLIENT UNBLOCK.
  const forever = c.start("WAIT", 2, 0);
  assertEquals(h.client().run("CLIENT", "UNBLOCK", c.client.id), 1);
  await forever;
  assertEquals(c.drain(), [0]);
});

Deno.test("FAILOVER checks its arguments, then needs replicas", () => {
  const c = new Harness().client();
  const none = err("ERR FAILOVER requires connected replicas.");
  assertEquals(c.run("FAILOVER"), none);
  assertEquals(c.run("FAILOVER", "TO", "h", 1, "FORCE", "TIMEOUT", 5), none);
  assertEquals(c.run("FAILOVER", "ABORT"), err("ERR No failover in progress."));
  assertEquals(c.run("FAILOVER", "ABORT", "x"), err("ERR syntax error"));
  assertEquals(c.run("FAILOVER", "TO"), err("ERR syntax error"));
  assertEquals(c.run("FAILOVER", "FORCE", "FORCE"), err("ERR syntax error"));
  assertEquals(c.run("FAILOVER", "TIMEOUT", 0), err("ERR FAILOVER timeout must be greater than 0"));
  assertEquals(
    c.run("FAILOVER", "TIMEOUT", "x"),
    err("ERR value is not an integer or out of range"),
  );
  assertEquals(
    c.run("FAILOVER", "TO", "h", "x"),
    err("ERR value is not an integer or out of range"),
  );
});

Deno.test("REPLICAOF / SLAVEOF NO ONE succeed; following a master is refused", () => {
  const c = new Harness().client();
  assertEquals(c.run("REPLICAOF", "NO", "ONE"), "OK");
  assertEquals(c.run("SLAVEOF", "no", "one"), "OK");
  assertEquals(c.run("REPLICAOF", "no", "two"), err("ERR Invalid master port"));
  assertEquals(c.run("REPLICAOF", "h", 70000), err("ERR Invalid master port"));
  assertEquals(
    c.run("REPLICAOF", "127.0.0.1", 6379),
    err("ERR ThunderDB cannot replicate from a Redis master: only REPLICAOF NO ONE is supported"),
  );
  assertEquals(c.run("ROLE"), ["master", 0, []]);
});

Deno.test("SYNC, PSYNC and REPLCONF", () => {
  const c = new Harness().client();
  const refused = err(
    "ERR ThunderDB does not serve Redis replicas: SYNC and PSYNC are not supported",
  );
  assertEquals(c.run("SYNC"), refused);
  assertEquals(c.run("PSYNC", "?", -1), refused);
  c.run("MULTI");
  assertEquals(c.run("SYNC"), err("ERR Command not allowed inside a transaction"));
  c.run("DISCARD");
  assertEquals(c.run("REPLCONF"), "OK");
  assertEquals(c.run("REPLCONF", "listening-port", 1, "capa", "eof"), "OK");
  assertEquals(c.run("REPLCONF", "capa"), err("ERR syntax error"));
  assertEquals(c.run("REPLCONF", "foo", 1), err("ERR Unrecognized REPLCONF option: foo"));
  assertEquals(
    c.run("REPLCONF", "rdb-only", 5),
    err("ERR value is out of range, value must between 0 and 1"),
  );
  assertEquals(
    c.run("REPLCONF", "ip-address", "a".repeat(256)),
    err("ERR REPLCONF ip-address provided by replica instance is too long: 256 bytes"),
  );
  // ACK comes from replicas only: an ordinary client gets no reply, as from Redis.
  assertEquals(c.run("REPLCONF", "ack", 5), []);
});

Deno.test("cluster, module, LOLWUT and SCRIPT DEBUG answers", () => {
  const c = new Harness().client();
  const disabled = err("ERR This instance has cluster support disabled");
  for (const cmd of ["READONLY", "READWRITE", "ASKING"]) assertEquals(c.run(cmd), disabled);
  assertEquals(c.run("MODULE", "LIST"), []);
  assertEquals(
    c.run("MODULE", "LOAD", "/x.so"),
    err("ERR Error loading the extension: ThunderDB does not load Redis modules"),
  );
  assertEquals(
    c.run("MODULE", "UNLOAD", "x"),
    err("ERR Error unloading module: no such module with that name"),
  );
  assertEquals(
    c.run("MODULE", "LIST", "x"),
    err("ERR wrong number of arguments for 'module|list' command"),
  );
  assertEquals(c.run("MODULE", "FOO"), err("ERR unknown subcommand 'FOO'. Try MODULE HELP."));
  assertEquals((c.run("MODULE", "HELP") as string[])[1], "LIST");
  assertEquals(c.run("LOLWUT"), "Redis ver. 7.0.15\n");
  assertEquals(c.run("LOLWUT", "VERSION", 5, 1, 1, 1), "Redis ver. 7.0.15\n");
  assertEquals(c.run("LOLWUT", "VERSION", "x"), err("ERR value is not an integer or out of range"));
  assertEquals(c.run("SCRIPT", "DEBUG", "NO"), "OK");
  assertEquals(c.run("SCRIPT", "DEBUG", "FOO"), err("ERR Use SCRIPT DEBUG YES/SYNC/NO"));
  assertEquals(
    c.run("SCRIPT", "DEBUG", "YES"),
    err("ERR The Lua debugger is not available: SCRIPT DEBUG YES and SYNC are not supported"),
  );
  assertEquals(
    c.run("SCRIPT", "DEBUG"),
    err("ERR wrong number of arguments for 'script|debug' command"),
  );
});

Deno.test("COMMAND HELP, and COMMAND LIST / INFO know the new commands", () => {
  const c = new Harness().client();
  assertEquals(
    (c.run("COMMAND", "HELP") as string[])[0],
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  );
  const list = c.run("COMMAND", "LIST") as string[];
  for (
    const name of [
      "move",
      "role",
      "wait",
      "lolwut",
      "failover",
      "replicaof",
      "slaveof",
      "sync",
      "psync",
      "replconf",
      "readonly",
      "readwrite",
      "asking",
      "module|list",
      "script|debug",
      "command|help",
      "command|getkeysandflags",
    ]
  ) assertEquals(list.includes(name), true, name);
  const [role] = c.run("COMMAND", "INFO", "role") as unknown[][];
  assertEquals(role!.slice(0, 7), [
    "role",
    1,
    ["noscript", "loading", "stale", "fast"],
    0,
    0,
    0,
    ["@fast", "@admin", "@dangerous"],
  ]);
  const admin = c.run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "admin") as string[];
  assertEquals(["role", "replicaof", "sync", "failover"].every((n) => admin.includes(n)), true);
  assertEquals(admin.includes("wait"), false);
  // As Redis 7.0.15's ACL CAT: COMMAND is @connection, CLUSTER and MODULE are @slow only.
  const connection = c.run("ACL", "CAT", "connection") as string[];
  assertEquals(
    ["command", "wait", "readonly", "asking"].every((n) => connection.includes(n)),
    true,
  );
  const [cluster] = c.run("COMMAND", "INFO", "cluster") as unknown[][];
  assertEquals(cluster!.slice(2, 7), [[], 0, 0, 0, ["@slow"]]);
});
