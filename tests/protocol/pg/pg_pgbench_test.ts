/** The PostgreSQL listener under the real pgbench client (simple, extended and prepared modes). */
import { match, ok, strictEqual } from "node:assert/strict";
import { startHarness } from "./_harness.ts";

Deno.test("pgbench runs a custom script in every query mode without failures", async () => {
  const h = await startHarness();
  const dir = await Deno.makeTempDir();
  const script = `${dir}/select.sql`;
  await Deno.writeTextFile(script, "\\set n random(1, 1000)\nselect :n::int4;\n");
  try {
    for (const mode of ["simple", "extended", "prepared"]) {
      const out = await new Deno.Command("pgbench", {
        args: [
          "-n",
          "-f",
          script,
          "-t",
          "300",
          "-c",
          "2",
          "-M",
          mode,
          "-h",
          "127.0.0.1",
          "-p",
          String(h.port),
          "-U",
          "bench",
          "app",
        ],
        env: { PGCONNECT_TIMEOUT: "5" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      strictEqual(out.code, 0, new TextDecoder().decode(out.stderr));
      match(text, /number of transactions actually processed: 600\/600/);
      match(text, /number of failed transactions: 0 /);
      const tps = Number(/tps = ([\d.]+)/.exec(text)?.[1]);
      ok(tps > 0, text);
    }
  } finally {
    await h.server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
