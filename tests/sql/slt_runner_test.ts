/** The slt runner's sqllogictest record conditions (`skipif` / `onlyif`). */
import assert from "node:assert/strict";
import { appliesTo, parseSlt } from "./slt_runner.ts";

Deno.test("parseSlt() reads skipif/onlyif lines and appliesTo() honours them", () => {
  const records = parseSlt(`onlyif thunderdb # server_version is 15.0 only here
query T
SHOW server_version
----
15.0

skipif thunderdb
statement ok
SELECT 1

skipif postgresql
onlyif thunderdb
statement ok
SELECT 2

statement ok
SELECT 3
`);
  assert.equal(records.length, 4);
  const runs = (target: string) => records.filter((r) => appliesTo(r, target)).map((r) => r.sql);
  assert.deepEqual(runs("thunderdb"), ["SHOW server_version", "SELECT 2", "SELECT 3"]);
  assert.deepEqual(runs("postgresql"), ["SELECT 1", "SELECT 3"]);
  assert.deepEqual(records[0]!.conditions, [{ kind: "onlyif", target: "thunderdb" }]);
});
