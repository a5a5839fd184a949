import { assertEquals, Harness } from "./_harness.ts";

Deno.test("WATCH of an already expired key: its deletion is no change, a new value is one", () => {
  const h = new Harness({ enableDebugCommand: "yes" });
  const c = h.client();
  const other = h.client();
  c.run("SET", "x", "v", "PX", 1);
  h.nowMs += 5;
  c.run("WATCH", "x");
  assertEquals(other.run("EXISTS", "x"), 0); // lazy expiry deletes it
  c.run("MULTI");
  c.run("PING");
  assertEquals(c.run("EXEC"), ["PONG"]);

  c.run("SET", "x", "v", "PX", 1);
  h.nowMs += 5;
  c.run("WATCH", "x");
  other.run("FLUSHDB");
  c.run("MULTI");
  c.run("PING");
  assertEquals(c.run("EXEC"), ["PONG"]);

  c.run("SET", "x", "v", "PX", 1);
  h.nowMs += 5;
  c.run("WATCH", "x");
  other.run("SET", "x", "new");
  c.run("MULTI");
  c.run("PING");
  assertEquals(c.run("EXEC"), null);
});

Deno.test("WATCH of a live key that expires before EXEC fails the EXEC, deleted or not", () => {
  const h = new Harness();
  const c = h.client();
  c.run("SET", "k", "1", "PX", 100);
  c.run("WATCH", "k");
  h.nowMs += 200;
  c.run("MULTI");
  c.run("PING");
  assertEquals(c.run("EXEC"), null);
  // Once unwatched, the same key watched while expired starts a new, stale watch.
  c.run("WATCH", "k");
  c.run("MULTI");
  c.run("PING");
  assertEquals(c.run("EXEC"), ["PONG"]);
});
