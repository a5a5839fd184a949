import { assertEquals, err, Harness } from "./_harness.ts";

Deno.test("CLIENT PAUSE WRITE holds writes and PUBLISH, not reads; UNPAUSE runs them in order", async () => {
  const h = new Harness();
  const admin = h.client();
  const a = h.client();
  const b = h.client();
  admin.run("SET", "k", "0");
  assertEquals(admin.run("CLIENT", "PAUSE", 60_000, "WRITE"), "OK");
  assertEquals(a.run("GET", "k"), "0");
  const first = a.start("SET", "k", "1");
  const second = b.start("PUBLISH", "ch", "m");
  assertEquals([first !== undefined, second !== undefined], [true, true]);
  assertEquals(admin.run("GET", "k"), "0");
  const blocked = (admin.run("INFO", "clients") as string).split("\r\n")
    .find((l) => l.startsWith("blocked_clients:"));
  assertEquals(blocked, "blocked_clients:2");
  assertEquals(admin.run("SET"), err("ERR wrong number of arguments for 'set' command"));
  assertEquals(admin.run("CLIENT", "UNPAUSE"), "OK");
  await Promise.all([first, second]);
  assertEquals([a.drain(), b.drain()], [["OK"], [0]]);
  assertEquals(admin.run("GET", "k"), "1");
});

Deno.test("CLIENT PAUSE: EXEC of writes waits, reads in MULTI do not; pause ends by itself", async () => {
  const h = new Harness();
  const admin = h.client();
  const a = h.client();
  a.run("MULTI");
  a.run("GET", "k");
  admin.run("CLIENT", "PAUSE", 20, "WRITE");
  assertEquals(a.run("EXEC"), [null]);
  a.run("MULTI");
  a.run("SET", "k", "v");
  const exec = a.start("EXEC");
  assertEquals(exec !== undefined, true);
  await exec;
  assertEquals(a.drain(), [["OK"]]);
  assertEquals(admin.run("CLIENT", "PAUSE", -1), err("ERR timeout is negative"));
  assertEquals(admin.run("CLIENT", "PAUSE", 10, "SOME"), err("ERR syntax error"));
});

Deno.test("CLIENT PAUSE ALL holds reads; expired keys read as missing but are not deleted", async () => {
  const h = new Harness();
  const admin = h.client();
  const a = h.client();
  admin.run("SET", "e", "v", "PX", 10);
  admin.run("CLIENT", "PAUSE", 20, "ALL");
  const read = a.start("GET", "x");
  // Under ALL even CLIENT UNPAUSE waits: the pause ends at its timeout.
  const unpausing = admin.start("CLIENT", "UNPAUSE");
  assertEquals([read !== undefined, unpausing !== undefined], [true, true]);
  await Promise.all([read, unpausing]);
  assertEquals([a.drain(), admin.drain()], [[null], ["OK"]]);
  admin.run("CLIENT", "PAUSE", 60_000, "WRITE");
  h.nowMs += 100;
  assertEquals(admin.run("EXISTS", "e"), 0);
  assertEquals(h.engine.dbs[0]!.map.has("e"), true);
  admin.run("CLIENT", "UNPAUSE");
  assertEquals(admin.run("GET", "e"), null);
  assertEquals(h.engine.dbs[0]!.map.has("e"), false);
});

Deno.test("CLIENT PAUSE WRITE holds EVAL and FCALL, not EVAL_RO", async () => {
  const h = new Harness();
  const admin = h.client();
  const a = h.client();
  admin.run("SET", "k", "0");
  admin.run("CLIENT", "PAUSE", 60_000, "WRITE");
  assertEquals(a.run("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k"), "0");
  const held = a.start("EVAL", "return redis.call('incr', KEYS[1])", "1", "k");
  assertEquals(held !== undefined, true);
  assertEquals(admin.run("GET", "k"), "0");
  admin.run("CLIENT", "UNPAUSE");
  await held;
  assertEquals(a.drain(), [1]);
});
