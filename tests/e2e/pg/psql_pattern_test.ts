/**
 * psql catalog meta-commands with a name pattern (`\l NAME`, `\d NAME` with foreign
 * keys both ways, `\du NAME`, `\dt PATTERN`, `\di PATTERN`, `\dn PATTERN`, `\x`) and
 * `\copy` in both directions against the real server, compared with what
 * psql prints against PostgreSQL 15 for the same schema.
 */
import { comparePsqlCases } from "./_psql_compare.ts";

async function readOrMissing(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "<not written>";
    throw error;
  }
}

const csvIn = 'id,body\n1,hello\n2,"with, comma"\n3,\n';

Deno.test("psql: catalog meta-commands print what PostgreSQL 15 prints", async () => {
  await comparePsqlCases([
    { name: "\\l thunder", script: () => "\\l thunder\n" },
    { name: "\\d items", script: () => "\\d items\n" },
    { name: "\\d notes", script: () => "\\d notes\n" },
    { name: "\\du thunder", script: () => "\\du thunder\n" },
    { name: "\\dt it*", script: () => "\\dt it*\n" },
    { name: "\\dt public.*", script: () => "\\dt public.*\n" },
    { name: "\\dt nosuch", script: () => "\\dt nosuch\n" },
    { name: "\\di items*", script: () => "\\di items*\n" },
    { name: "\\dn pub*", script: () => "\\dn pub*\n" },
    { name: "\\l", script: () => "\\l thunder\n\\x\n\\l thunder\n\\x\n" },
    {
      name: "\\d with a foreign key",
      script: () =>
        "CREATE TABLE orders (id int PRIMARY KEY, item int REFERENCES items (id));\n" +
        "\\d orders\n\\d items\n",
    },
  ]);
});

Deno.test("psql: \\copy in and out (CSV with HEADER, text)", async () => {
  await comparePsqlCases([{
    name: "\\copy",
    script: (dir) => {
      Deno.writeTextFileSync(`${dir}/in.csv`, csvIn);
      return `\\copy notes FROM '${dir}/in.csv' WITH (FORMAT csv, HEADER)
SELECT id, body, body IS NULL AS is_null FROM notes ORDER BY id;
\\copy notes TO '${dir}/out.csv' WITH (FORMAT csv, HEADER)
\\copy (SELECT id, body FROM notes ORDER BY id) TO '${dir}/out.txt'
`;
    },
    after: async (dir, output) =>
      `${output}\n[out.csv]\n${await readOrMissing(
        `${dir}/out.csv`,
      )}\n[out.txt]\n${await readOrMissing(
        `${dir}/out.txt`,
      )}`,
  }]);
});
