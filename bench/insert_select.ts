/**
 * Bulk load through the embedded API: the `INSERT ... SELECT generate_series`
 * that fills bench/sql.ts's events table, timed alone (wall and process CPU
 * time, which is steadier on a loaded machine).
 *
 * Run: `deno run -A --unstable-ffi bench/insert_select.ts [rows]` (default 200000).
 * @module
 */

import process from "node:process";
import { open } from "../mod.ts";

const rows = Number(Deno.args[0] ?? 200_000);
if (!Number.isInteger(rows) || rows < 1) {
  console.error("usage: deno run -A --unstable-ffi bench/insert_select.ts [rows]");
  Deno.exit(2);
}
const db = await open({ memory: true });
await db.query("CREATE TABLE events (eid int PRIMARY KEY, aid int, amount int)");
const t0 = performance.now();
const c0 = process.cpuUsage();
await db.query(
  `INSERT INTO events SELECT g, 1 + ((g % 100000) * 7919) % 100000, g % 1000 FROM generate_series(1, ${rows}) g`,
);
const cpu = process.cpuUsage(c0);
const wall = performance.now() - t0;
const check = await db.query("SELECT count(*) AS n FROM events");
console.log(
  `insert ${rows} rows: ${wall.toFixed(0)} ms wall, ${
    ((cpu.user + cpu.system) / 1000).toFixed(0)
  } ms CPU (count ${String(check.rows[0]?.["n"])})`,
);
await db.close();
