import { assertEquals } from "./_harness.ts";
import { KvEngine } from "../../src/kv/engine.ts";
import { defaultKvConfig } from "../../src/kv/config.ts";
import { closeMigrateLinks, migrateLink, migrateLinks } from "../../src/kv/migrate_link.ts";

Deno.test("MIGRATE's cached connection is reused, then closed once idle", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const serving = (async () => {
    for await (const conn of listener) {
      accepted.push(conn);
      // Answers every line with +OK, as a target answers SELECT.
      (async () => {
        const buf = new Uint8Array(1024);
        while ((await conn.read(buf)) !== null) {
          await conn.write(new TextEncoder().encode("+OK\r\n"));
        }
      })().catch(() => {});
    }
  })();
  const x = new KvEngine({ ...defaultKvConfig });
  try {
    const target = { host: "127.0.0.1", port: listener.addr.port };
    const link = await migrateLink(x, target, 1000);
    await link.write(new TextEncoder().encode("PING\r\n"), 1000);
    assertEquals(await link.readLine(1000), "+OK");
    assertEquals(await migrateLink(x, target, 1000), link);
    assertEquals(migrateLinks(x).size, 1);
    link.touch(30);
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(link.closed, true);
    assertEquals(migrateLinks(x).size, 0);
    assertEquals(accepted.length, 1);
  } finally {
    closeMigrateLinks(x);
    listener.close();
    for (const c of accepted) c.close();
    await serving;
  }
});
