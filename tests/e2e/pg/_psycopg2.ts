/**
 * Python psycopg2 scenarios against the real server. Each scenario is a
 * Python snippet run with a connection `conn` and a check helper `check(label,
 * actual, expected)`; the script prints one JSON list of problems.
 * @module
 */
import assert from "node:assert/strict";
import { findPsycopgPython, runProgram, startThunder, thunderTarget } from "./_support.ts";

const prelude = `
import datetime, decimal, io, json, sys, uuid
import psycopg2, psycopg2.extras, psycopg2.errors
psycopg2.extras.register_uuid()
problems = []
def check(label, actual, expected):
    if actual != expected:
        problems.append(f"{label}: expected {expected!r}, got {actual!r}")
def sqlstate(cur, sql, params=None):
    try:
        cur.execute(sql, params)
        return "success"
    except psycopg2.Error as e:
        return f"{e.pgcode}: {e.diag.message_primary}"
conn = psycopg2.connect(host=sys.argv[1], port=int(sys.argv[2]), user=sys.argv[3], dbname=sys.argv[4])
cur = conn.cursor()
`;

/** Every common type as parameters and results, and NULLs. */
export const typesScenario = `
conn.autocommit = True
cur.execute("""CREATE TABLE typed (id int PRIMARY KEY, b boolean, i2 smallint, i4 integer,
  i8 bigint, f4 real, f8 double precision, n numeric(20,6), by bytea, d date, ts timestamp,
  tstz timestamptz, u uuid, t text, j jsonb, ai integer[], at text[])""")
tz = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
row = (1, True, 12, -7, 2**62, 0.25, 3.141592653589793, decimal.Decimal("-1234.25"),
       psycopg2.Binary(bytes([0, 39, 92, 255])), datetime.date(2024, 2, 29),
       datetime.datetime(2024, 2, 29, 13, 14, 15, 123456),
       datetime.datetime(2024, 2, 29, 13, 14, 15, 500000, tzinfo=tz),
       uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "it's \\\\ \\"q\\" é",
       psycopg2.extras.Json({"a": [1, None, "x"]}), [1, None, 3], ["a", None, "c d"])
cur.execute("INSERT INTO typed VALUES (" + ", ".join(["%s"] * 17) + ")", row)
cur.execute("INSERT INTO typed (id) VALUES (%s)", (2,))
cur.execute("SELECT * FROM typed ORDER BY id")
got = cur.fetchall()
r = got[0]
names = ["id", "b", "i2", "i4", "i8", "f4", "f8", "n", "by", "d", "ts", "tstz", "u", "t", "j", "ai", "at"]
expected = (1, True, 12, -7, 2**62, 0.25, 3.141592653589793, decimal.Decimal("-1234.250000"),
            bytes([0, 39, 92, 255]), datetime.date(2024, 2, 29),
            datetime.datetime(2024, 2, 29, 13, 14, 15, 123456),
            datetime.datetime(2024, 2, 29, 13, 14, 15, 500000, tzinfo=tz),
            uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "it's \\\\ \\"q\\" é",
            {"a": [1, None, "x"]}, [1, None, 3], ["a", None, "c d"])
for name, a, e in zip(names, r, expected):
    check(name, bytes(a) if isinstance(a, memoryview) else a, e)
check("NULL row", got[1], (2,) + (None,) * 16)
cur.execute("SELECT id FROM typed WHERE i8 = %s AND u = %s AND d = %s", (2**62, row[12], row[9]))
check("WHERE with parameters", cur.fetchall(), [(1,)])
`;

/** Commit, rollback, errors with SQLSTATE; 25P02 after an error in a block. */
export const transactionsScenario = `
conn.autocommit = False
cur.execute("CREATE TABLE tx (id int PRIMARY KEY)")
conn.commit()
cur.execute("INSERT INTO tx VALUES (1)")
conn.rollback()
cur.execute("INSERT INTO tx VALUES (2)")
conn.commit()
cur.execute("SELECT id FROM tx")
check("commit/rollback", cur.fetchall(), [(2,)])
conn.commit()
cur.execute("INSERT INTO tx VALUES (3)")
check("error in block", sqlstate(cur, "SELECT 1/0"), "22012: division by zero")
check("after error", sqlstate(cur, "SELECT 1"),
      "25P02: current transaction is aborted, commands ignored until end of transaction block")
conn.rollback()
cur.execute("SELECT id FROM tx ORDER BY id")
check("after rollback", cur.fetchall(), [(2,)])
conn.commit()
check("duplicate", sqlstate(cur, "INSERT INTO tx VALUES (2)"),
      ' 23505: duplicate key value violates unique constraint "tx_pkey"'.strip())
conn.rollback()
check("missing table", sqlstate(cur, "SELECT * FROM nope"), '42P01: relation "nope" does not exist')
conn.rollback()
cur.execute("SELECT %s + 1", (41,))
check("usable after errors", cur.fetchone(), (42,))
conn.commit()
`;

/** COPY FROM STDIN and TO STDOUT, text and CSV with HEADER. */
export const copyScenario = `
conn.autocommit = True
cur.execute("CREATE TABLE notes (id bigint, body text)")
cur.copy_expert("COPY notes FROM STDIN WITH (FORMAT csv, HEADER)",
                io.StringIO('id,body\\n1,"a, b"\\n2,\\n'))
cur.copy_expert("COPY notes FROM STDIN", io.StringIO("3\\tx\\\\ty\\n4\\t\\\\N\\n"))
cur.execute("SELECT id, body FROM notes ORDER BY id")
check("rows", cur.fetchall(), [(1, "a, b"), (2, None), (3, "x\\ty"), (4, None)])
out = io.StringIO()
cur.copy_expert("COPY notes TO STDOUT WITH (FORMAT csv, HEADER)", out)
check("csv out", out.getvalue(), 'id,body\\n1,"a, b"\\n2,\\n3,x\\ty\\n4,\\n')
out = io.StringIO()
cur.copy_expert("COPY (SELECT id, body FROM notes ORDER BY id) TO STDOUT", out)
check("text out", out.getvalue(), "1\\ta, b\\n2\\t\\\\N\\n3\\tx\\\\ty\\n4\\t\\\\N\\n")
`;

/** Runs the scenarios in one Python process against a fresh server. */
export async function runPsycopg2(scenarios: readonly string[]): Promise<void> {
  const python = await findPsycopgPython();
  assert.ok(python, "python3 with psycopg2 is needed (Debian: python3-psycopg2)");
  const server = await startThunder();
  try {
    const t = thunderTarget(server);
    const script = prelude + scenarios.join("\n") + "\nconn.close()\nprint(json.dumps(problems))\n";
    const result = await runProgram(python, [
      "-c",
      script,
      t.host,
      String(t.port),
      t.user,
      t.database,
    ]);
    assert.equal(result.code, 0, `python failed:\n${result.stderr}`);
    const problems = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "[]") as string[];
    assert.deepEqual(problems, []);
  } finally {
    assert.equal(await server.stop("SIGTERM"), 0);
  }
}
