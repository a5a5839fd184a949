/**
 * COPY through the real server: psql's `\copy` and `COPY ... FROM STDIN` in
 * CSV (with a header) and text format, `COPY ... TO STDOUT`, server-file COPY
 * refused, and `pgbench -i -s 1` loading its tables with COPY.
 */
import assert from "node:assert/strict";
import { pgbenchInit } from "./pg/_pgbench.ts";
import { psql, psqlValue, startThunder, thunderTarget } from "./pg/_support.ts";

Deno.test("pg COPY: psql \\copy, COPY FROM STDIN / TO STDOUT, pgbench -i", async () => {
  const server = await startThunder();
  try {
    const target = thunderTarget(server);
    const dir = await Deno.makeTempDir({ prefix: "thunder_copy_" });
    try {
      const csvPath = `${dir}/items.csv`;
      await Deno.writeTextFile(csvPath, 'id,name,price\n1,apple,1.50\n2,"pear, green",\n');
      const load = await psql(
        target,
        [
          "\\set ON_ERROR_STOP 1",
          "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric, " +
          "added int DEFAULT 7);",
          `\\copy items (id, name, price) from '${csvPath}' with (format csv, header)`,
          "COPY items (id, name, price) FROM STDIN WITH (FORMAT csv, HEADER true);",
          "id,name,price",
          "3,plum,0.25",
          "\\.",
          "COPY items (id, name, price) FROM stdin;",
          "4\tfig\t\\N",
          "5\ttab\\there\t2",
          "\\.",
          "SELECT id, name, price, added FROM items ORDER BY id;",
          "COPY items TO STDOUT WITH (FORMAT csv, HEADER);",
          "COPY (SELECT id * 10, name FROM items WHERE id < 3 ORDER BY id) TO STDOUT;",
          "",
        ].join("\n"),
      );
      assert.equal(load.code, 0, load.stdout);
      assert.match(load.stdout, /COPY 2\n/);
      assert.match(load.stdout, /COPY 1\n/);
      assert.match(load.stdout, / {2}4 \| fig +\| +\| +7\n/);
      assert.match(load.stdout, / {2}5 \| tab +here +\| +2 \| +7\n/);
      assert.match(load.stdout, /\n5,tab\there,2,7\n/);
      assert.match(load.stdout, /id,name,price,added\n1,apple,1.50,7\n2,"pear, green",,7\n/);
      assert.match(load.stdout, /10\tapple\n20\tpear, green\n/);

      const dup = await psql(target, "COPY items (id, name) FROM STDIN;\n1\tdup\n\\.\n");
      assert.match(dup.stdout, /duplicate key/);
      const nul = await psql(target, "COPY items (id) FROM STDIN;\n9\n\\.\n");
      assert.match(nul.stdout, /null value in column "name"/);
      const file = await psql(target, "COPY items FROM '/etc/passwd';\n");
      assert.match(file.stdout, /must be superuser or have privileges/);
      assert.equal(await psqlValue(target, "SELECT count(*) FROM items"), "5");

      const outPath = `${dir}/out.csv`;
      const dump = await psql(target, `\\copy items to '${outPath}' csv\n`);
      assert.equal(dump.code, 0, dump.stdout);
      assert.equal((await Deno.readTextFile(outPath)).split("\n")[0], "1,apple,1.50,7");

      await pgbenchInit(target, 1);
      assert.equal(await psqlValue(target, "SELECT count(*) FROM pgbench_accounts"), "100000");
      assert.equal(await psqlValue(target, "SELECT count(*) FROM pgbench_branches"), "1");
      assert.equal(await psqlValue(target, "SELECT sum(abalance) FROM pgbench_accounts"), "0");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    assert.equal(await server.stop("SIGTERM"), 0);
  }
});
