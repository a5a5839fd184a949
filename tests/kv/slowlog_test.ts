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

Deno.test("INFO latencystats reports the configured percentiles from the histograms", () => {
  const h = new Harness();
  const c = h.client();
  c.run("CONFIG", "RESETSTAT");
  h.timerStepMs = 0.003; // 3 µs: the 4 µs slot
  for (let i = 0; i < 9; i++) c.run("SET", "a", "b");
  h.timerStepMs = 0.1; // 100 µs: the 128 µs slot
  c.run("SET", "a", "b");
  h.timerStepMs = 0;
  const line = () =>
    (c.run("INFO", "latencystats") as string).split("\r\n").find((l) =>
      l.startsWith("latency_percentiles_usec_set:")
    );
  assertEquals(line(), "latency_percentiles_usec_set:p50=4.000,p99=128.000,p99.9=128.000");
  c.run("CONFIG", "SET", "latency-tracking-info-percentiles", "0 90 100");
  assertEquals(c.run("CONFIG", "GET", "latency-tracking-info-percentiles"), [
    "latency-tracking-info-percentiles",
    "0 90 100",
  ]);
  assertEquals(line(), "latency_percentiles_usec_set:p0=4.000,p90=4.000,p100=128.000");
  assertEquals(
    c.run("CONFIG", "SET", "latency-tracking-info-percentiles", "10 101"),
    err(
      "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - percentile must be between 0.0 and 100.0",
    ),
  );
});

Deno.test("CLIENT UNBLOCK ... ERROR counts the blocked command as failed", () => {
  const h = new Harness();
  const a = h.client();
  const b = h.client();
  const id = b.run("CLIENT", "ID") as number;
  a.run("CONFIG", "RESETSTAT");
  b.start("BLPOP", "q", 0);
  assertEquals(a.run("CLIENT", "UNBLOCK", id, "ERROR"), 1);
  assertEquals(b.drain(), [{ error: "UNBLOCKED client unblocked via CLIENT UNBLOCK" }]);
  const info = (a.run("INFO", "ALL") as string).split("\r\n");
  assertEquals(info.includes("errorstat_UNBLOCKED:count=1"), true);
  assertEquals(
    info.find((l) => l.startsWith("cmdstat_blpop:"))?.endsWith("rejected_calls=0,failed_calls=1"),
    true,
  );
});
