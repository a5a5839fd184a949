import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("LATENCY records command events over latency-monitor-threshold", () => {
  const h = new Harness();
  const c = h.client();
  assertEquals(c.run("LATENCY", "LATEST"), []);
  c.run("CONFIG", "SET", "latency-monitor-threshold", "10");
  h.timerStepMs = 12;
  c.run("SET", "k", "v");
  h.timerStepMs = 0;
  const t = Math.floor(h.nowMs / 1000);
  assertEquals(c.run("LATENCY", "LATEST"), [["command", t, 12, 12]]);
  assertEquals(c.run("LATENCY", "HISTORY", "command"), [[t, 12]]);
  h.nowMs += 2000;
  h.timerStepMs = 30;
  c.run("GET", "k");
  h.timerStepMs = 0;
  assertEquals(c.run("LATENCY", "HISTORY", "command"), [[t, 12], [t + 2, 30]]);
  assertEquals(c.run("LATENCY", "LATEST"), [["command", t + 2, 30, 30]]);
  assertEquals((c.run("LATENCY", "DOCTOR") as string).includes("command: 2 latency spikes"), true);
  assertEquals(c.run("LATENCY", "RESET", "nosuchevent"), 0);
  assertEquals(c.run("LATENCY", "RESET"), 1);
  assertEquals(c.run("LATENCY", "LATEST"), []);
  assertEquals(
    c.run("LATENCY", "GRAPH", "command"),
    err("ERR No samples available for event 'command'"),
  );
});

Deno.test("LATENCY HISTOGRAM: calls and cumulative power-of-two buckets per command", () => {
  const h = new Harness();
  const c = h.client();
  c.run("CONFIG", "RESETSTAT");
  h.timerStepMs = 0.003; // 3 µs: the 4 µs bucket
  c.run("SET", "a", "b");
  h.timerStepMs = 0.1; // 100 µs: the 128 µs bucket
  c.run("SET", "a", "c");
  h.timerStepMs = 0;
  c.run("CLIENT", "ID");
  assertEquals(c.run("LATENCY", "HISTOGRAM", "set"), [
    "set",
    ["calls", 2, "histogram_usec", [1, 0, 2, 0, 4, 1, 8, 1, 16, 1, 32, 1, 64, 1, 128, 2]],
  ]);
  assertEquals(c.run("LATENCY", "HISTOGRAM", "client", "nosuch"), [
    "client|id",
    ["calls", 1, "histogram_usec", [1, 1]],
  ]);
  c.run("CONFIG", "SET", "latency-tracking", "no");
  c.run("CONFIG", "RESETSTAT");
  c.run("SET", "a", "b");
  assertEquals(c.run("LATENCY", "HISTOGRAM", "set"), []);
  assertEquals(
    c.run("LATENCY", "HELP", "x"),
    err("ERR wrong number of arguments for 'latency|help' command"),
  );
});
