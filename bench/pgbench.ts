/**
 * pgbench benchmark: ThunderDB (`server.ts`, durable: wal_sync = "fsync") and
 * a real PostgreSQL 15 (fsync on) in the same run. Each gets `pgbench -i -s
 * SCALE`, then `pgbench -c 8 -j 2 -T SECONDS` for select-only (`-S`) in
 * `-M simple` and `-M prepared`, and the TPC-B-like default in `-M prepared`.
 * Prints tps for both and the ratio ThunderDB / PostgreSQL. It reports and
 * exits 0 even when ThunderDB is slower or fails a step.
 *
 * Usage: deno run -A --unstable-ffi bench/pgbench.ts [--seconds N] [--scale N]
 * @module
 */
import { startPostgres } from "../tests/_support/postgres.ts";
import { startServer } from "../tests/e2e/_server.ts";
import { pgbenchInit, type PgbenchRun, pgbenchRun } from "../tests/e2e/pg/_pgbench.ts";
import { psql, runProgram, type Target } from "../tests/e2e/pg/_support.ts";
import { helpOnRequest, numberFlag } from "./_help.ts";

helpOnRequest(`
Usage: deno run -A --unstable-ffi bench/pgbench.ts [--seconds N] [--scale N]

Runs pgbench against ThunderDB (server.ts, fsync on) and a real PostgreSQL 15
(fsync on) in the same run: pgbench -i -s SCALE, then -c 8 -j 2 -T SECONDS for
select-only in -M simple and -M prepared and TPC-B-like in -M prepared.
Prints tps and the ratio ThunderDB/PostgreSQL.

  --seconds N   length of each pgbench run (default 30)
  --scale N     pgbench scale factor (default 10)
  --only TEXT   run only the workloads whose name contains TEXT (e.g. tpcb)
`);

const seconds = numberFlag("seconds", 30);
const scale = numberFlag("scale", 10);

interface Workload {
  readonly name: string;
  readonly run: PgbenchRun;
}

const onlyAt = Deno.args.indexOf("--only");
const only = onlyAt >= 0 ? Deno.args[onlyAt + 1] ?? "" : "";

const allWorkloads: readonly Workload[] = [
  { name: "select-only -M simple", run: { mode: "simple", seconds, selectOnly: true } },
  { name: "select-only -M prepared", run: { mode: "prepared", seconds, selectOnly: true } },
  { name: "tpcb-like -M prepared", run: { mode: "prepared", seconds } },
];
const workloads = allWorkloads.filter((w) => w.name.includes(only));

/**
 * Fallbacks used only when ThunderDB rejects a step of stock pgbench, so the
 * table still shows a number; such cells are marked with `*` and the reason
 * is printed below the table.
 */
const notes: string[] = [];

const tablesWithoutFillfactor = `
DROP TABLE IF EXISTS pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history;
CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
CREATE TABLE pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler char(84));
CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84));
CREATE TABLE pgbench_branches (bid int NOT NULL, bbalance int, filler char(88));
`;

/** The built-in TPC-B-like transaction, ending with COMMIT instead of END. */
const tpcbCommitScript = `\\set aid random(1, 100000 * :scale)
\\set bid random(1, 1 * :scale)
\\set tid random(1, 10 * :scale)
\\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
COMMIT;
`;

async function fallbackInit(target: Target, error: unknown): Promise<void> {
  notes.push(
    `pgbench -i failed (${firstLine(error)}); tables created without WITH (fillfactor)` +
      " and loaded with pgbench -i -I Gp (server-side generate, primary keys)",
  );
  const created = await psql(target, tablesWithoutFillfactor);
  if (/ERROR/.test(created.stdout)) throw new Error(created.stdout);
  const result = await runProgram("pgbench", [
    "-h",
    target.host,
    "-p",
    String(target.port),
    "-U",
    target.user,
    "-i",
    "-I",
    "Gp",
    "-s",
    String(scale),
    target.database,
  ]);
  if (result.code !== 0) throw new Error(result.stderr);
}

/** tps per workload, or the reason it has none. */
type Results = Map<string, string>;

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n").filter((l) => /error|ERROR/.test(l));
  return (lines[0] ?? text.split("\n")[0] ?? "failed").slice(0, 100);
}

async function runWithFallback(
  target: Target,
  w: Workload,
): Promise<{ tps: number; failed: number; marker: string }> {
  try {
    return { ...await pgbenchRun(target, w.run), marker: "" };
  } catch (error) {
    if (w.run.selectOnly || !/at or near "end"/i.test(String(error))) throw error;
    notes.push(`${w.name}: END; rejected, so the same script ran with COMMIT; (-f)`);
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/tpcb.sql`, tpcbCommitScript);
      const report = await pgbenchRun(target, { ...w.run, scriptFile: `${dir}/tpcb.sql` });
      return { ...report, marker: "+" };
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}

async function measure(label: string, target: Target): Promise<Results> {
  const results: Results = new Map();
  console.log(`${label}: pgbench -i -s ${scale}`);
  const started = performance.now();
  let marker = "";
  try {
    await pgbenchInit(target, scale);
  } catch (error) {
    try {
      await fallbackInit(target, error);
      marker = "*";
    } catch (fallbackError) {
      for (const w of workloads) results.set(w.name, `init failed: ${firstLine(fallbackError)}`);
      return results;
    }
  }
  console.log(`${label}: initialised in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const w of workloads) {
    try {
      const report = await runWithFallback(target, w);
      const failed = report.failed > 0 ? ` (${report.failed} failed)` : "";
      console.log(`${label}: ${w.name}: ${report.tps.toFixed(0)} tps${failed}${report.marker}`);
      results.set(w.name, `${report.tps.toFixed(0)}${marker}${report.marker}`);
    } catch (error) {
      results.set(w.name, `failed: ${firstLine(error)}`);
    }
  }
  return results;
}

async function thunderResults(): Promise<Results> {
  let server;
  try {
    server = await startServer({ waitFor: ["http", "postgresql"], timeoutMs: 60_000 });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    return new Map(workloads.map((w) => [w.name, "server did not start"]));
  }
  try {
    const port = server.ports.postgresql ?? 0;
    return await measure("ThunderDB", {
      host: "127.0.0.1",
      port,
      user: "thunder",
      database: "thunder",
    });
  } finally {
    await server.stop("SIGTERM");
    await Deno.remove(server.dataDir, { recursive: true });
  }
}

async function postgresResults(): Promise<Results> {
  const pg = await startPostgres({ fsync: true });
  try {
    return await measure("PostgreSQL", {
      host: pg.host,
      port: pg.port,
      user: pg.user,
      database: pg.database,
    });
  } finally {
    await pg.stop();
  }
}

function cell(value: string | undefined): string {
  return value ?? "-";
}

function tps(value: string | undefined): number | undefined {
  const match = /^(\d+)/.exec(value ?? "");
  return match === null ? undefined : Number(match[1]);
}

const thunder = await thunderResults();
const postgres = await postgresResults();
console.log(`\npgbench -c 8 -j 2 -T ${seconds}, scale ${scale} (tps; fsync on for both)\n`);
const rows = workloads.map((w) => {
  const a = thunder.get(w.name);
  const b = postgres.get(w.name);
  const [ta, tb] = [tps(a), tps(b)];
  const ratio = ta !== undefined && tb !== undefined && tb > 0 ? (ta / tb).toFixed(2) : "-";
  return [w.name, cell(a), cell(b), ratio];
});
const header = ["workload", "ThunderDB", "PostgreSQL", "ThunderDB/PostgreSQL"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("-+-"));
for (const r of rows) console.log(line(r));
if (notes.length > 0) {
  console.log("\n* / +: ThunderDB needed a fallback for stock pgbench:");
  for (const note of notes) console.log(`  - ${note}`);
}
