import { assertEquals, Harness, type Value } from "./_harness.ts";

/** A RESP2 map reply (a flat array) as an object. */
function fields(v: Value): Record<string, Value> {
  const out: Record<string, Value> = {};
  const items = v as Value[];
  for (let i = 0; i < items.length; i += 2) out[items[i] as string] = items[i + 1]!;
  return out;
}

Deno.test("MEMORY STATS counts keys per database from the engine's estimates", () => {
  const c = new Harness().client();
  assertEquals(fields(c.run("MEMORY", "STATS"))["keys.count"], 0);
  c.run("SET", "a", "x".repeat(1000));
  c.run("SET", "b", "y", "EX", 100);
  c.run("SELECT", 2);
  c.run("SET", "c", "z");
  const stats = fields(c.run("MEMORY", "STATS"));
  assertEquals(stats["keys.count"], 3);
  assertEquals(fields(stats["db.0"]!), {
    "overhead.hashtable.main": 48,
    "overhead.hashtable.expires": 24,
  });
  assertEquals(fields(stats["db.2"]!)["overhead.hashtable.main"], 24);
  assertEquals(stats["db.1"], undefined);
  assertEquals((stats["dataset.bytes"] as number) > 1000, true);
  assertEquals(stats["startup.allocated"], c.h.engine.bytesBaseline);
  assertEquals(c.run("MEMORY", "PURGE"), "OK");
  assertEquals(c.run("MEMORY", "MALLOC-STATS"), "Stats not supported for the current allocator");
  assertEquals(c.run("MEMORY", "NOPE"), {
    error: "ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try MEMORY HELP.",
  });
});
