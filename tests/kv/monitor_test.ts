import { assertEquals, err, Harness } from "./_harness.ts";
import { quoteArg } from "../../src/kv/monitor.ts";
import { fromLatin1 } from "../../src/kv/bytes.ts";

Deno.test("MONITOR: commands after they ran, quoted, MULTI in order, secrets redacted", () => {
  const h = new Harness();
  const m = h.client();
  const c = h.client();
  assertEquals(m.run("MONITOR"), "OK");
  const lines = () => (m.drain() as string[]).map((l) => l.replace(/^\d+\.\d{6} /, ""));
  c.run("SET", "foo", 'a "b"\n');
  c.run("NOSUCH", "x");
  c.run("GET");
  c.run("CONFIG", "GET", "maxmemory");
  c.run("SELECT", 2);
  c.run("MULTI");
  c.run("INCR", "n");
  c.run("EXEC");
  c.run("AUTH", "secret");
  c.run("HELLO", 2, "AUTH", "default", "secret");
  assertEquals(lines(), [
    `[0 127.0.0.1:1] "SET" "foo" "a \\"b\\"\\n"`,
    `[0 127.0.0.1:1] "SELECT" "2"`,
    `[2 127.0.0.1:1] "MULTI"`,
    `[2 127.0.0.1:1] "INCR" "n"`,
    `[2 127.0.0.1:1] "EXEC"`,
    `[2 127.0.0.1:1] "AUTH" "(redacted)"`,
    `[2 127.0.0.1:1] "HELLO" "2" "AUTH" "(redacted)" "(redacted)"`,
  ]);
  assertEquals(quoteArg(fromLatin1("\u0000\u00ff\t\\")), '"\\x00\\xff\\t\\\\"');
  assertEquals((c.run("CLIENT", "LIST") as string).includes(" flags=O "), true);
  assertEquals(m.run("RESET"), "RESET");
  c.run("PING");
  assertEquals(m.drain(), []);
  c.run("MULTI");
  c.run("MONITOR");
  assertEquals(c.run("EXEC"), [err("ERR MONITOR isn't allowed for DENY BLOCKING client")]);
});
