/**
 * COPY FROM STDIN errors over the wire carry PostgreSQL's CONTEXT line
 * (`COPY t, line N[, column c: "v"]`): psql prints the same ERROR, DETAIL and
 * CONTEXT lines and SQLSTATE for ThunderDB as for a real PostgreSQL 15, for
 * conversion errors, NOT NULL and unique violations (also in a later batch of
 * a large COPY) and wrong column counts, in text and CSV format.
 *
 * Known differences, normalised away: ThunderDB sends no LOCATION (PostgreSQL's
 * C source) and no schema/table/column/constraint name fields, which psql prints in
 * verbose mode; and for NOT NULL and CHECK it sends no "Failing row contains" DETAIL and
 * names only the line, where PostgreSQL also quotes the line's text.
 */
import { comparePsqlCases, type PsqlCase } from "./_psql_compare.ts";

const setup =
  `CREATE TABLE cc (a integer PRIMARY KEY, b integer NOT NULL, c text CHECK (c <> 'bad'));\n`;

/** Drops what ThunderDB does not send (see above). */
function normalise(out: string, failingRow: boolean): string {
  const common = out.replace(
    /^(LOCATION|SCHEMA NAME|TABLE NAME|COLUMN NAME|CONSTRAINT NAME): .*\n/gm,
    "",
  );
  if (!failingRow) return common;
  return common.replace(/^DETAIL:\s+Failing row contains .*\n/gm, "")
    .replace(/^(CONTEXT:\s+COPY \w+, line \d+): ".*"$/gm, "$1");
}

function copyCase(
  name: string,
  options: string,
  lines: readonly string[],
  failingRow = false,
): PsqlCase {
  return {
    name,
    script: () =>
      `\\set VERBOSITY verbose\n${setup}COPY cc FROM STDIN${options};\n${lines.join("\n")}\n` +
      `\\.\nSELECT count(*) FROM cc;\nDROP TABLE cc;\n`,
    after: (_dir, out) => Promise.resolve(normalise(out, failingRow)),
  };
}

/** Many good rows, so the duplicate is found in a later insert batch. */
function manyRows(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i + 1}\t${i}\tr${i}`);
}

/** COPY into columns with type modifiers: the column's assignment cast applies. */
function typmodCase(name: string, lines: readonly string[]): PsqlCase {
  return {
    name,
    script: () =>
      `\\set VERBOSITY verbose\nCREATE TABLE ct (v varchar(2), n numeric(5,2), c char(3));\n` +
      `COPY ct FROM STDIN;\n${lines.join("\n")}\n\\.\n` +
      `SELECT v, n, c || '|' AS c FROM ct;\nDROP TABLE ct;\n`,
    after: (_dir, out) => Promise.resolve(normalise(out, false)),
  };
}

const cases: readonly PsqlCase[] = [
  copyCase("bad integer", "", ["1\t1\tx", "2\t2\ty", "3\tabc\tz"]),
  copyCase("bad integer, first column", "", ["1\t1\tx", "12x\t2\ty"]),
  copyCase("integer out of range", "", ["1\t99999999999\tx"]),
  copyCase("not null", "", ["1\t1\tx", "2\t2\ty", "3\t\\N\tz"], true),
  copyCase("check", "", ["1\t1\tx", "2\t2\tbad"], true),
  copyCase("unique in the copy", "", ["1\t1\tx", "2\t2\ty", "1\t3\tz"]),
  copyCase("unique in a later batch", "", [...manyRows(1500), "700\t1\tdup", "1501\t2\tq"]),
  copyCase("missing data", "", ["1\t1\tx", "2\t2"]),
  copyCase("missing data, one field", "", ["1\t1\tx", "2"]),
  copyCase("bad value before missing data", "", ["12x"]),
  copyCase("extra data", "", ["1\t1\tx", "2\t2\ty\tw"]),
  copyCase("escaped line, bad integer", "", ["1\t1\tx\\ty", "2\t2x\tq\\n"]),
  copyCase("csv bad integer", " (FORMAT csv)", ["1,1,x", '2,"b",y']),
  copyCase("csv header not null", " (FORMAT csv, HEADER)", ["a,b,c", "1,1,x", "2,,y"], true),
  copyCase("csv missing data", " (FORMAT csv)", ["1,1,x", "2,2"]),
  copyCase("csv extra data", " (FORMAT csv)", ["1,1,x,y"]),
  copyCase("csv quoted line end, then a bad value", " (FORMAT csv)", ['1,1,"x', 'y"', "2,zz,q"]),
  copyCase("csv unterminated quote", " (FORMAT csv)", ["1,1,x", '2,2,"y']),
  typmodCase("typmods: numeric rounds, char pads", [
    "ab\t1.234\tx",
    "a\t999.995\\N",
    "\\N\t-1.5\tabc",
  ]),
  typmodCase("typmods: varchar too long", ["ab\t1\tx", "abc\t2\ty"]),
  typmodCase("typmods: numeric overflow", ["ab\t1000\tx"]),
];

Deno.test("COPY FROM STDIN errors print PostgreSQL's ERROR and CONTEXT lines", async () => {
  await comparePsqlCases(cases);
});
