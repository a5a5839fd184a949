/**
 * psql meta-commands against the real server (`\dt`, `\di`, `\dn`, `\x`,
 * `\timing`), compared with what psql prints against PostgreSQL 15 for the
 * same schema and data.
 */
import { comparePsqlCases } from "./_psql_compare.ts";

Deno.test("psql: meta-commands print what they print against PostgreSQL", async () => {
  await comparePsqlCases([
    { name: "\\dt", script: () => "\\dt\n" },
    { name: "\\di", script: () => "\\di\n" },
    { name: "\\dn", script: () => "\\dn\n" },
    {
      name: "\\x",
      script: () => "\\x\nSELECT id, name, price, qty FROM items ORDER BY id;\n\\x\n",
    },
    {
      name: "\\timing",
      script: () => "\\timing on\nSELECT count(*) FROM items;\n\\timing off\n",
    },
    {
      name: "plain query with NULL and numeric scale",
      script: () => "SELECT * FROM items ORDER BY id;\n",
    },
  ]);
});
