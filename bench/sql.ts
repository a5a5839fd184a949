/**
 * SQL engine benchmark: ThunderDB embedded (`mod.ts`, in memory) against
 * SQLite (`node:sqlite`, in memory) and PGlite (`@electric-sql/pglite`,
 * PostgreSQL 17 in WASM, in memory) in the same run, on:
 * - inserting 100k rows in one transaction (parameterized INSERT);
 * - 100k point selects by primary key with parameters;
 * - 100k updates by primary key with parameters;
 * - a 3-table join with GROUP BY over 1M rows;
 * - a point select sent as SQL text with a new literal each time: the parse +
 *   plan cost of a cached statement shape (plus a one-row execution).
 * Each line stops after `--budget` seconds per system (default 10) and
 * reports µs per operation over the operations it ran; rows the insert line
 * did not reach are then loaded untimed. Ratios are anchor time / ThunderDB
 * time, so above 1.0 means ThunderDB is faster.
 * Run: `deno run -A --unstable-ffi bench/sql.ts [--rows 100000] [--events 1000000] [--budget 10]
 * [--lines insert,select,update,join,text]` (`--lines` runs only the named lines; the
 * accounts are then loaded untimed when the insert line is left out).
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { PGlite } from "@electric-sql/pglite";
import { open } from "../mod.ts";
import { numberFlag } from "./_help.ts";

if (Deno.args.includes("--help")) {
  console.log(
    "usage: deno run -A --unstable-ffi bench/sql.ts [--rows 100000] [--events 1000000] [--budget 10]\n" +
      "       [--lines insert,select,update,join,text]\n" +
      "  --rows    accounts inserted, selected and updated\n" +
      "  --events  rows of the events table in the 3-table join\n" +
      "  --budget  seconds per line and system before the line stops early\n" +
      "  --lines   run only these lines (default: all)",
  );
  Deno.exit(0);
}

const rows = numberFlag("rows", 100_000);
const events = numberFlag("events", 1_000_000);
const budgetMs = numberFlag("budget", 10) * 1000;
const regions = 10;
const lineKeys = ["insert", "select", "update", "join", "text"] as const;
const linesAt = Deno.args.indexOf("--lines");
const chosen = new Set(linesAt >= 0 ? (Deno.args[linesAt + 1] ?? "").split(",") : lineKeys);
for (const k of chosen) {
  if (!(lineKeys as readonly string[]).includes(k)) {
    throw new Error(`--lines takes ${lineKeys.join(",")}, not ${k}`);
  }
}

/** One system under test: every operation returns when it is done. */
interface System {
  readonly name: string;
  exec(sql: string): Promise<unknown>;
  insert(aid: number): Promise<unknown>;
  select(aid: number): Promise<unknown>;
  update(aid: number, delta: number): Promise<unknown>;
  join(): Promise<unknown>;
  literalSelect(aid: number): Promise<unknown>;
  close(): Promise<void>;
}

const insertSql = "INSERT INTO accounts VALUES ($1, $2, 0, 'filler')";
const selectSql = "SELECT balance FROM accounts WHERE aid = $1";
const updateSql = "UPDATE accounts SET balance = balance + $1 WHERE aid = $2";
const joinSql = `SELECT r.name, CAST(count(*) AS text) AS n, CAST(sum(e.amount) AS text) AS total
  FROM events e JOIN accounts a ON a.aid = e.aid JOIN regions r ON r.rid = a.rid
  GROUP BY r.name`;
const literal = (aid: number) => `SELECT balance FROM accounts WHERE aid = ${aid}`;
const schema = [
  "CREATE TABLE regions (rid int PRIMARY KEY, name text)",
  "CREATE TABLE accounts (aid int PRIMARY KEY, rid int, balance int, filler text)",
  "CREATE TABLE events (eid int PRIMARY KEY, aid int, amount int)",
];
const fillEvents =
  `INSERT INTO events SELECT g, 1 + ((g % ${rows}) * 7919) % ${rows}, g % 1000 FROM generate_series(1, ${events}) g`;
const fillRegions = `INSERT INTO regions SELECT g, 'region ' || g FROM generate_series(0, ${
  regions - 1
}) g`;
const fillAccounts = (from: number) =>
  `INSERT INTO accounts SELECT g, g % ${regions}, 0, 'filler' FROM generate_series(${from}, ${rows}) g`;

async function thunder(): Promise<System> {
  const db = await open({ memory: true });
  return {
    name: "ThunderDB",
    exec: (sql) => db.query(sql),
    insert: (aid) => db.query(insertSql, [aid, aid % regions]),
    select: (aid) => db.query(selectSql, [aid]),
    update: (aid, delta) => db.query(updateSql, [delta, aid]),
    join: () => db.query(joinSql),
    literalSelect: (aid) => db.query(literal(aid)),
    close: () => db.close(),
  };
}

function sqlite(): System {
  const db = new DatabaseSync(":memory:");
  for (const sql of schema) db.exec(sql);
  const ins = db.prepare("INSERT INTO accounts VALUES (?, ?, 0, 'filler')");
  const prepared = new Map<string, ReturnType<DatabaseSync["prepare"]>>();
  const stmt = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) prepared.set(sql, s = db.prepare(sql));
    return s;
  };
  let fill = 0;
  return {
    name: "SQLite",
    exec: (sql) => {
      // node:sqlite has no generate_series: fill the tables from JavaScript.
      if (sql.startsWith("INSERT INTO events")) {
        const st = db.prepare("INSERT INTO events VALUES (?, ?, ?)");
        for (let g = 1; g <= events; g++) st.run(g, 1 + ((g * 7919) % rows), g % 1000);
      } else if (sql.startsWith("INSERT INTO regions")) {
        const st = db.prepare("INSERT INTO regions VALUES (?, ?)");
        for (let g = 0; g < regions; g++) st.run(g, `region ${g}`);
      } else if (sql.startsWith("INSERT INTO accounts")) {
        for (let g = fill + 1; g <= rows; g++) ins.run(g, g % regions);
      } else db.exec(sql);
      return Promise.resolve();
    },
    insert: (aid) => {
      fill = aid;
      return Promise.resolve(ins.run(aid, aid % regions));
    },
    select: (aid) => Promise.resolve(stmt("SELECT balance FROM accounts WHERE aid = ?").get(aid)),
    update: (aid, delta) =>
      Promise.resolve(
        stmt("UPDATE accounts SET balance = balance + ? WHERE aid = ?").run(delta, aid),
      ),
    join: () => Promise.resolve(stmt(joinSql).all()),
    // No statement cache in node:sqlite: every text is prepared (parsed and planned).
    literalSelect: (aid) => Promise.resolve(db.prepare(literal(aid)).get()),
    close: () => Promise.resolve(db.close()),
  };
}

async function pglite(): Promise<System> {
  const db = new PGlite();
  await db.waitReady;
  return {
    name: "PGlite",
    exec: (sql) => db.exec(sql),
    insert: (aid) => db.query(insertSql, [aid, aid % regions]),
    select: (aid) => db.query(selectSql, [aid]),
    update: (aid, delta) => db.query(updateSql, [delta, aid]),
    join: () => db.query(joinSql),
    literalSelect: (aid) => db.query(literal(aid)),
    close: () => db.close(),
  };
}

/** Runs `op(0..n-1)` until done or out of budget; returns µs/op and the count run. */
async function timed(
  n: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ us: number; ran: number }> {
  const start = performance.now();
  let i = 0;
  while (i < n) {
    await op(i++);
    if ((i & 63) === 0 && performance.now() - start > budgetMs) break;
  }
  return { us: ((performance.now() - start) * 1000) / i, ran: i };
}

const key = (i: number) => 1 + ((i * 7919) % rows);
const joinAnswers = new Map<string, unknown>();

interface Line {
  readonly key: typeof lineKeys[number];
  readonly name: string;
  readonly count: number;
  run(s: System): Promise<{ us: number; ran: number }>;
}

const lines: Line[] = [
  {
    key: "insert",
    name: `insert ${rows} rows, one transaction`,
    count: rows,
    run: async (s) => {
      await s.exec("BEGIN");
      const r = await timed(rows, (i) => s.insert(i + 1));
      await s.exec("COMMIT");
      if (r.ran < rows) await s.exec(fillAccounts(r.ran + 1));
      return r;
    },
  },
  {
    key: "select",
    name: "point select by primary key",
    count: rows,
    run: (s) => timed(rows, (i) => s.select(key(i))),
  },
  {
    key: "update",
    name: "update by primary key",
    count: rows,
    run: (s) => timed(rows, (i) => s.update(key(i), (i % 21) - 10)),
  },
  {
    key: "join",
    name: `3-table join + group by (${events} rows)`,
    count: 5,
    run: (s) => timed(5, async () => joinAnswers.set(s.name, await s.join())),
  },
  {
    key: "text",
    name: "point select as text, new literal each time",
    count: rows,
    run: (s) => timed(rows, (i) => s.literalSelect(key(i + 17))),
  },
];

async function prepare(s: System): Promise<void> {
  if (s.name !== "SQLite") { for (const sql of schema) await s.exec(sql); }
  await s.exec(fillRegions);
}

const systems = [await thunder(), sqlite(), await pglite()];
for (const s of systems) await prepare(s);
// Lines left out are skipped; the accounts the other lines need are loaded untimed.
if (!chosen.has("insert")) { for (const s of systems) await s.exec(fillAccounts(1)); }
const run = lines.filter((line) => chosen.has(line.key));
const results: number[][] = [];
for (const line of run) {
  const us: number[] = [];
  for (const s of systems) {
    if (line.name.startsWith("3-table")) {
      const t0 = performance.now();
      await s.exec(fillEvents);
      console.error(
        `${s.name}: loaded ${events} events in ${(performance.now() - t0).toFixed(0)} ms`,
      );
    }
    const r = await line.run(s);
    if (r.ran < line.count) {
      console.error(`${s.name}: ${line.name}: ran ${r.ran} of ${line.count} (budget)`);
    }
    us.push(r.us);
  }
  results.push(us);
}
// The join's answer must agree: a wrong fast answer is no result.
if (chosen.has("join")) {
  const agreed = agree([...joinAnswers.values()]);
  console.error(`join answers agree: ${agreed}`);
  if (!agreed) console.error(JSON.stringify([...joinAnswers], (_k, v) => String(v)));
}

console.log(
  `\n${new Date().toISOString()}, load average ${
    Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
  }, --rows ${rows} --events ${events} --budget ${budgetMs / 1000}`,
);
console.log(
  "\n| work | ThunderDB µs/op | SQLite µs/op | PGlite µs/op | vs SQLite | vs PGlite |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
run.forEach((line, i) => {
  const [t, s, p] = results[i]!;
  console.log(
    `| ${line.name} | ${fmt(t!)} | ${fmt(s!)} | ${fmt(p!)} | ${(s! / t!).toFixed(2)}x | ${
      (p! / t!).toFixed(2)
    }x |`,
  );
});
for (const s of systems) await s.close();

function fmt(us: number): string {
  return us >= 1000 ? us.toFixed(0) : us.toFixed(2);
}

function agree(answers: unknown[]): boolean {
  const norm = answers.map((a) => {
    const list = Array.isArray(a) ? a : (a as { rows: unknown[] }).rows;
    return JSON.stringify(
      list.map((r) => Object.values(r as Record<string, unknown>).map((v) => String(v)))
        .sort(),
    );
  });
  return norm.every((n) => n === norm[0]);
}
