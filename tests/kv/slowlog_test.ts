import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("SLOWLOG logs commands at or over slowlog-log-slower-than, newest first", () => {
  const h = new Harness();
  const c = h.client();
  c.run("CLIENT", "SETNAME", "tester");
  h.timerStepMs = 5; // every command seems to take 5 ms
  assertEquals(c.run("SLOWLOG", "RESET"), "OK");
  c.run("SET", "k", "v");
  h.timerStepMs = 20;
  c.run("GET", "k");
  const entries = c.run("SLOWLOG", "GET") as unknown[][];
  assertEquals(entries.length, 1);
  const [id, time, us, args, addr, name] = entries[0]!;
  assertEquals(typeof id, "number");
  assertEquals(time, Math.floor(h.nowMs / 1000));
  assertEquals(us, 20_000);
  assertEquals(args, ["GET", "k"]);
  assertEquals([addr, name], ["127.0.0.1:1", "tester"]);
  assertEquals(c.run("SLOWLOG", "LEN"), 2); // SLOWLOG GET itself took 20 ms
});

Deno.test("SLOWLOG trims arguments, keeps slowlog-max-len entries, hides passwords", () => {
  const h = new Harness({ requirepass: "secret" });
  const c = h.client();
  c.run("AUTH", "secret");
  c.run("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3");
  c.run("SLOWLOG", "RESET");
  const many = Array.from({ length: 40 }, (_, i) => `m${i}`);
  c.run("SADD", "s", ...many);
  c.run("SET", "long", "x".repeat(130));
  c.run("AUTH", "secret");
  const entries = c.run("SLOWLOG", "GET", -1) as unknown[][];
  assertEquals(entries.length, 3);
  assertEquals(entries[0]![3], ["AUTH", "(redacted)"]);
  assertEquals(entries[1]![3], ["SET", "long", "x".repeat(128) + "... (2 more bytes)"]);
  const sadd = entries[2]![3] as string[];
  assertEquals(sadd.length, 32);
  assertEquals(sadd[31], "... (11 more arguments)");
  assertEquals((c.run("SLOWLOG", "GET", 1) as unknown[]).length, 1);
  assertEquals(c.run("SLOWLOG", "GET", -2), err("ERR count should be greater than or equal to -1"));
  c.run("CONFIG", "SET", "slowlog-log-slower-than", "-1");
  c.run("SLOWLOG", "RESET");
  c.run("PING");
  assertEquals(c.run("SLOWLOG", "LEN"), 0);
  assertEquals(
    c.run("SLOWLOG", "LEN", "x"),
    err("ERR wrong number of arguments for 'slowlog|len' command"),
  );
});

Deno.test("INFO commandstats reports usec and counts subcommands apart", () => {
  const h = new Harness();
  const c = h.client();
  h.timerStepMs = 0.5;
  c.run("CONFIG", "RESETSTAT");
  c.run("SET", "a", "1");
  c.run("SET", "b", "2");
  c.run("CLIENT", "ID");
  const info = c.run("INFO", "commandstats") as string;
  const line = (n: string) => info.split("\r\n").find((l) => l.startsWith(`cmdstat_${n}:`));
  assertEquals(
    line("set"),
    "cmdstat_set:calls=2,usec=1000,usec_per_call=500.00,rejected_calls=0,failed_calls=0",
  );
  assertEquals(
    line("client|id"),
    "cmdstat_client|id:calls=1,usec=500,usec_per_call=500.00,rejected_calls=0,failed_calls=0",
  );
  assertEquals(line("client"), undefined);
});
