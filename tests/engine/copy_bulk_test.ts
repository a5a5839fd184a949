/**
 * COPY FROM's batched write path at the engine level: row counts across the
 * port's batch sizes and COPY's own batches, indexes usable afterwards, and a
 * constraint failure anywhere in a batch (NOT NULL, CHECK, UNIQUE, FOREIGN
 * KEY) failing the whole COPY with INSERT's SQLSTATE and leaving nothing.
 */
import assert from "node:assert/strict";
import type { Value } from "../../src/common/types.ts";
import { openEngine } from "../../src/engine/engine.ts";
import type { SqlSession } from "../../src/engine/session.ts";
import type { CopyPort } from "../../src/engine/session_api.ts";

/** Feeds `rows` in port batches of `step` rows. */
class RowsPort implements CopyPort {
  constructor(private readonly rows: Value[][], private readonly step: number) {}
  async *copyIn(): AsyncIterable<Value[][]> {
    for (let i = 0; i < this.rows.length; i += this.step) {
      await Promise.resolve();
      yield this.rows.slice(i, i + this.step);
    }
  }
  copyOut(): Promise<number> {
    return Promise.reject(new Error("COPY TO is not used here"));
  }
}

function sqlstate(e: unknown): string | undefined {
  return (e as { sqlstate?: string }).sqlstate;
}

function accounts(from: number, count: number): Value[][] {
  return Array.from({ length: count }, (_, i) => [from + i, (from + i) % 7, null]);
}

async function one(s: SqlSession, sql: string): Promise<Value> {
  const [r] = await s.execute(sql);
  return r!.rows[0]![0]!;
}

async function copyRows(s: SqlSession, rows: Value[][], step: number, sql: string) {
  s.copyPort = new RowsPort(rows, step);
  const [r] = await s.execute(sql);
  return r!.tag;
}

Deno.test("COPY FROM in batches: counts, defaults and indexes across batch boundaries", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await s.execute(
      "CREATE TABLE acc (aid int PRIMARY KEY, bid int NOT NULL, note text, bal int DEFAULT 0 CHECK (bal >= 0))",
    );
    await s.execute("CREATE INDEX acc_bid ON acc (bid)");
    // 2,345 rows: more than one COPY batch, fed by the port in 333-row pieces.
    const first = accounts(1, 2345);
    assert.equal(
      await copyRows(s, first, 333, "COPY acc (aid, bid, note) FROM STDIN"),
      "COPY 2345",
    );
    // A second load appends after it, in one large port batch.
    const second = accounts(10_001, 1500);
    assert.equal(
      await copyRows(s, second, 1500, "COPY acc (aid, bid, note) FROM STDIN"),
      "COPY 1500",
    );
    assert.equal(await one(s, "SELECT count(*) FROM acc"), 3845n);
    assert.equal(await one(s, "SELECT count(*) FROM acc WHERE bal = 0"), 3845n);
    const sum = [...first, ...second].reduce((a, r) => a + (r[0] as number), 0);
    assert.equal(await one(s, "SELECT sum(aid) FROM acc"), BigInt(sum));
    for (const aid of [1, 1000, 1001, 2345, 10_001, 11_500]) {
      assert.equal(await one(s, `SELECT bid FROM acc WHERE aid = ${aid}`), aid % 7);
    }
    assert.equal(await one(s, "SELECT count(*) FROM acc WHERE aid = 2346"), 0n);
    const perBid = [...first, ...second].filter((r) => r[1] === 3).length;
    assert.equal(await one(s, "SELECT count(*) FROM acc WHERE bid = 3"), BigInt(perBid));
  } finally {
    await s.close();
    await engine.close();
  }
});

Deno.test("COPY FROM: a constraint failure mid-batch fails the whole COPY", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    await s.execute("CREATE TABLE branch (bid int PRIMARY KEY)");
    await s.execute("INSERT INTO branch SELECT g FROM generate_series(0, 6) g");
    await s.execute(
      "CREATE TABLE acc (aid int PRIMARY KEY, bid int NOT NULL REFERENCES branch, bal int CHECK (bal >= 0))",
    );
    await copyRows(s, accounts(1, 100), 100, "COPY acc FROM STDIN");
    const sql = "COPY acc FROM STDIN";
    const failures: [string, Value[][]][] = [
      // A duplicate of a stored key, in the second COPY batch.
      ["23505", [...accounts(1000, 1200), [50, 1, null]]],
      // A duplicate between rows of one batch.
      ["23505", [...accounts(3000, 400), [3100, 1, null]]],
      ["23502", [...accounts(4000, 1500), [5600, null, null], ...accounts(5700, 10)]],
      ["23514", [...accounts(6000, 700), [6800, 1, -1]]],
      ["23503", [...accounts(7000, 999), [8000, 99, null], ...accounts(8001, 5)]],
      // As in PostgreSQL's buffered COPY, a NULL is found before an earlier duplicate of its batch.
      ["23502", [...accounts(9000, 10), [1, 1, null], [9500, null, null]]],
    ];
    for (const [code, rows] of failures) {
      for (const step of [rows.length, 97]) {
        s.copyPort = new RowsPort(rows, step);
        await assert.rejects(s.execute(sql), (e) => sqlstate(e) === code, `${code} step ${step}`);
      }
    }
    assert.equal(await one(s, "SELECT count(*) FROM acc"), 100n);
    assert.equal(await one(s, "SELECT max(aid) FROM acc"), 100);

    // Inside a transaction block the failed COPY aborts the block; nothing of it stays.
    await s.execute("BEGIN");
    await copyRows(s, accounts(20_000, 50), 50, sql);
    s.copyPort = new RowsPort([...accounts(21_000, 1100), [20_000, 1, null]], 500);
    await assert.rejects(s.execute(sql), (e) => sqlstate(e) === "23505");
    await s.execute("ROLLBACK");
    assert.equal(await one(s, "SELECT count(*) FROM acc"), 100n);
    // The keys of the failed loads are free.
    assert.equal(await copyRows(s, accounts(1000, 1200), 400, sql), "COPY 1200");
    assert.equal(await one(s, "SELECT count(*) FROM acc"), 1300n);
  } finally {
    await s.close();
    await engine.close();
  }
});
