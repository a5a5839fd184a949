/**
 * psql catalog meta-commands with a name pattern (`\l NAME`, `\d NAME`, `\du NAME`) and
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
