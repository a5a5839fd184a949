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
  const list = c.run("COMMAND", "LIST") as string[];
  assertEquals(list.filter((n) => !n.includes("|")).length, count);
  assertEquals(list.includes("client|list") && list.includes("config|get"), true);
  const [get] = c.run("COMMAND", "INFO", "get") as unknown[][];
  assertEquals(get!.slice(0, 7), ["get", 2, ["readonly", "fast"], 1, 1, 1, [
    "@string",
    "@read",
    "@fast",
  ]]);
  const [zunionstore] = c.run("COMMAND", "INFO", "zunionstore") as unknown[][];
  assertEquals((zunionstore![2] as string[]).includes("movablekeys"), true);
  assertEquals(c.run("COMMAND", "INFO", "get|key"), [null]);
  assertEquals(c.run("COMMAND", "INFO", "nope"), [null]);
  const docs = c.run("COMMAND", "DOCS", "set") as unknown[];
  assertEquals(docs[0], "set");
  assertEquals(c.run("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"), ["a", "b"]);
});

Deno.test("COMMAND LIST FILTERBY, GETKEYS of numkeys commands, CLUSTER without cluster mode", () => {
  const c = new Harness().client();
  assertEquals(c.run("COMMAND", "LIST", "FILTERBY", "PATTERN", "set"), ["set"]);
  assertEquals(c.run("COMMAND", "LIST", "FILTERBY", "PATTERN", "config|*re*"), [
    "config|resetstat",
    "config|rewrite",
  ]);
  assertEquals(c.run("COMMAND", "LIST", "FILTERBY", "MODULE", "m"), []);
  assertEquals(c.run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nope"), []);
  const lists = c.run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "list") as string[];
  assertEquals(lists.includes("lpush") && !lists.includes("set"), true);
  assertEquals(c.run("COMMAND", "LIST", "bad"), err("ERR syntax error"));
  assertEquals(c.run("COMMAND", "LIST", "FILTERBY", "bad", "x"), err("ERR syntax error"));
  assertEquals(c.run("COMMAND", "GETKEYS", "ZUNIONSTORE", "d", 2, "a", "b", "WEIGHTS", 1, 2), [
    "d",
    "a",
    "b",
  ]);
  assertEquals(c.run("COMMAND", "GETKEYS", "BLMPOP", 0, 2, "a", "b", "LEFT"), ["a", "b"]);
  assertEquals(c.run("COMMAND", "GETKEYS", "MEMORY", "USAGE", "k"), ["k"]);
  assertEquals(
    c.run("COMMAND", "GETKEYS", "ZUNIONSTORE", "d", 5, "a"),
    err("ERR Invalid arguments specified for command"),
  );
  assertEquals(c.run("COMMAND", "GETKEYS", "PING"), err("ERR The command has no key arguments"));
  assertEquals(c.run("CLUSTER", "INFO"), err("ERR This instance has cluster support disabled"));
});

Deno.test("TTL, TYPE and EXISTS leave a key's idle time alone; TOUCH resets it", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SET", "k", "v");
  h.nowMs += 5000;
  c.run("TTL", "k");
  c.run("TYPE", "k");
  c.run("EXISTS", "k");
  assertEquals(c.run("OBJECT", "IDLETIME", "k"), 5);
  c.run("TOUCH", "k");
  assertEquals(c.run("OBJECT", "IDLETIME", "k"), 0);
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
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: noeviction, allkeys-lru, allkeys-random, volatile-lru, volatile-random, volatile-ttl, allkeys-lfu, volatile-lfu",
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

Deno.test("INFO commandstats: failed calls, EXEC not blamed for its queue, CONFIG RESETSTAT", () => {
  const c = new Harness().client();
  c.run("SET", "s", "1");
  c.run("LPUSH", "s", "x");
  c.run("MULTI");
  c.run("LPUSH", "s", "y");
  c.run("EXEC");
  c.run("GET");
  const stats = () =>
    (c.run("INFO", "commandstats") as string).split("\r\n").filter((l) => l.startsWith("cmdstat_"));
  const line = (name: string) => stats().find((l) => l.startsWith(`cmdstat_${name}:`));
  assertEquals(
    line("lpush"),
    "cmdstat_lpush:calls=2,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=2",
  );
  assertEquals(
    line("exec"),
    "cmdstat_exec:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0",
  );
  assertEquals(
    line("get"),
    "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0",
  );
  c.run("CONFIG", "RESETSTAT");
  assertEquals(stats(), [
    "cmdstat_config|resetstat:calls=1,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0",
  ]);
});

Deno.test("INFO errorstats and total_error_replies count error replies by code", () => {
  const c = new Harness().client();
  const info = () => (c.run("INFO") as string).split("\r\n");
  const errorstats = () => info().filter((l) => l.startsWith("errorstat_"));
  const total = () => info().find((l) => l.startsWith("total_error_replies:"));
  assertEquals(errorstats(), []);
  c.run("AUTH", "x"); // no password set: ERR, a failed call
  c.run("SET", "k", "v");
  c.run("LPUSH", "k", "x"); // WRONGTYPE
  c.run("NOSUCHCOMMAND"); // rejected: ERR
  c.run("MULTI");
  c.run("SET"); // rejected: ERR, then EXECABORT
  c.run("EXEC");
  assertEquals(errorstats(), [
    "errorstat_ERR:count=3",
    "errorstat_WRONGTYPE:count=1",
    "errorstat_EXECABORT:count=1",
  ]);
  assertEquals(total(), "total_error_replies:5");
  const stats = (c.run("INFO", "commandstats") as string).split("\r\n");
  assertEquals(
    stats.find((l) => l.startsWith("cmdstat_auth:"))?.endsWith("rejected_calls=0,failed_calls=1"),
    true,
  );
  assertEquals(
    stats.find((l) => l.startsWith("cmdstat_set:"))?.endsWith("rejected_calls=1,failed_calls=0"),
    true,
  );
  c.run("CONFIG", "RESETSTAT");
  assertEquals(errorstats(), []);
  assertEquals(total(), "total_error_replies:0");
});

Deno.test("CONFIG SET is all or nothing, refuses duplicates and immutable settings", () => {
  const c = new Harness().client();
  const get = (n: string) => (c.run("CONFIG", "GET", n) as string[])[1];
  assertEquals(c.run("CONFIG", "SET", "maxmemory", "100", "slowlog-max-len", "7"), "OK");
  assertEquals([get("maxmemory"), get("slowlog-max-len")], ["100", "7"]);
  assertEquals(
    c.run("CONFIG", "SET", "maxmemory", "200", "maxmemory-clients", "200%"),
    err(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100",
    ),
  );
  assertEquals(get("maxmemory"), "100");
  assertEquals(
    c.run("CONFIG", "SET", "maxmemory", "1", "maxmemory", "2"),
    err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter"),
  );
  assertEquals(
    c.run("CONFIG", "SET", "daemonize", "yes"),
    err(
      "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
    ),
  );
  assertEquals(c.run("CONFIG", "SET", "appendonly", "yes"), "OK");
  assertEquals(
    c.run("CONFIG", "SET", "appendonly", "no"),
    err(
      "ERR CONFIG SET failed (possibly related to argument 'appendonly') - ThunderDB runs with appendonly yes",
    ),
  );
  assertEquals(c.run("CONFIG", "SET", "repl-backlog-size", "2mb"), "OK");
  assertEquals(get("repl-backlog-size"), String(2 * 1024 * 1024));
  const all = c.run("CONFIG", "GET", "*") as string[];
  assertEquals(all.includes("key-load-delay"), false);
  assertEquals(c.run("CONFIG", "GET", "key-load-delay"), ["key-load-delay", "0"]);
});

Deno.test("CLIENT LIST qbuf counts the running command; CLIENT KILL checks ids and users", () => {
  const c = new Harness().client();
  const line = c.run("CLIENT", "INFO") as string;
  // *2\r\n$6\r\nclient\r\n$4\r\ninfo\r\n
  assertEquals(line.includes(" qbuf=26 "), true);
  assertEquals(c.run("CLIENT", "KILL", "ID", "0"), err("ERR client-id should be greater than 0"));
  assertEquals(c.run("CLIENT", "KILL", "USER", "bob"), err("ERR No such user 'bob'"));
});
