/**
 * The plan cache over the wire: statements of one shape with different
 * literals, sent by psql and by pgbench in simple-protocol mode, return what
 * PostgreSQL 15 returns (literal kinds, literals that must stay literal, DDL
 * between runs of a shape) and keep balances that add up under concurrency.
 * (Errors other than syntax errors carry no position in ThunderDB yet, so the
 * psql comparison leaves them to tests/sql/plan_cache_test.ts.)
 */
import assert from "node:assert/strict";
import { comparePsqlCases } from "./_psql_compare.ts";
import { psql, psqlValue, runProgram, startThunder, thunderTarget } from "./_support.ts";

const shapes = `
SELECT id, name, price FROM items WHERE id = 1;
SELECT id, name, price FROM items WHERE id = 2;
SELECT id, name FROM items WHERE name = 'pear';
SELECT id, name FROM items WHERE name = 'fig';
SELECT 1 AS a, 1.50 AS b, 'x' AS c, 5000000000 AS d;
SELECT 2 AS a, 2.5 AS b, 'y' AS c, 6000000000 AS d;
SELECT 7 / 2 AS i, 7.0 / 2 AS n;
SELECT 9 / 2 AS i, 9.0 / 2 AS n;
SELECT 2147483646 + 1 AS ok;
SELECT 2147483647 + 1 AS overflow;
SELECT id FROM items ORDER BY 1 LIMIT 2;
SELECT id, name FROM items ORDER BY 2 LIMIT 1;
SELECT 'abcdef'::varchar(2) AS v;
SELECT 'abcdef'::varchar(4) AS v;
SELECT price * 2 AS p FROM items WHERE id = 1;
SELECT price * 2.5 AS p FROM items WHERE id = 2;
SELECT id FROM items WHERE id = '3';
UPDATE items SET qty = qty + -2 WHERE id = 1;
UPDATE items SET qty = qty + 7 WHERE id = 2;
SELECT id, qty FROM items ORDER BY id;
INSERT INTO notes VALUES (1, 'one'), (2, 'two');
INSERT INTO notes VALUES (3, 'three'), (4000000000, 'big');
SELECT * FROM notes WHERE id > 2 ORDER BY id;
ALTER TABLE notes ADD COLUMN extra int DEFAULT 7;
SELECT * FROM notes WHERE id > 3 ORDER BY id;
DROP TABLE notes;
CREATE TABLE notes (id text, body int);
INSERT INTO notes VALUES ('1', 10);
SELECT * FROM notes WHERE id > '0';
SELECT * FROM notes WHERE body > 5;
`;

Deno.test("plan cache: psql statements of one shape with new literals print what PostgreSQL prints", async () => {
  await comparePsqlCases([{ name: "shapes with new literals", script: () => shapes }]);
});

const script = `\\set id random(1, 50)
\\set d random(-500, 500)
UPDATE acc SET n = n + :d, big = big + 5000000000, amt = amt + :d.25 WHERE id = :id;
INSERT INTO log VALUES (:id, :d, 'note :id');
SELECT n FROM acc WHERE id = :id;
`;

Deno.test("plan cache: pgbench -M simple with a custom script keeps every sum right", async () => {
  const server = await startThunder();
  const dir = await Deno.makeTempDir();
  try {
    const target = thunderTarget(server);
    const setup = await psql(
      target,
      `CREATE TABLE acc (id int PRIMARY KEY, n int, big int8, amt numeric(14,2));
INSERT INTO acc SELECT g, 0, 0, 0 FROM generate_series(1, 50) g;
CREATE TABLE log (id int, d int, note text);`,
    );
    assert.doesNotMatch(setup.stdout, /ERROR/);
    await Deno.writeTextFile(`${dir}/script.sql`, script);
    const run = await runProgram("pgbench", [
      ...["-h", target.host, "-p", String(target.port), "-U", target.user],
      ...["-n", "-c", "4", "-j", "2", "-t", "150", "-M", "simple", "-f", `${dir}/script.sql`],
      target.database,
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /number of transactions actually processed: 600\/600/);
    const check = (sql: string) => psqlValue(target, sql);
    assert.equal(await check("SELECT count(*) FROM log"), "600");
    assert.equal(
      await check(
        "SELECT count(*) FROM acc a WHERE n <> (SELECT coalesce(sum(d), 0) FROM log l WHERE l.id = a.id)",
      ),
      "0",
    );
    assert.equal(await check("SELECT sum(big) FROM acc"), String(600n * 5000000000n));
    assert.equal(
      await check(
        "SELECT (SELECT sum(amt) FROM acc) = sum(CASE WHEN d < 0 THEN d - 0.25 ELSE d + 0.25 END) FROM log",
      ),
      "t",
    );
    assert.equal(await check("SELECT count(*) FROM log WHERE note <> 'note ' || id"), "0");
  } finally {
    assert.equal(await server.stop("SIGTERM"), 0);
    await Deno.remove(dir, { recursive: true });
  }
});
