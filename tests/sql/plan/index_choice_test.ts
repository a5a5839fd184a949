/**
 * Index choice (`src/sql/plan/index_choice.ts`) for ranges over enum
 * columns: the scan covers the qualifying labels and keeps its filter.
 */
import assert from "node:assert/strict";
import { open } from "../../../mod.ts";

Deno.test("a range over an indexed enum scans the index span of the qualifying labels", async () => {
  const db = await open({ memory: true });
  try {
    await db.query("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
    await db.query("ALTER TYPE mood ADD VALUE 'angry' BEFORE 'sad'");
    await db.query("CREATE TABLE m (id int, e mood); CREATE INDEX m_e ON m (e)");
    await db.query("INSERT INTO m VALUES (1, 'sad'), (2, 'ok'), (3, 'happy'), (4, 'angry')");
    const plan = async (sql: string) =>
      (await db.query(`EXPLAIN ${sql}`)).rows.map((r) => String(r["QUERY PLAN"]));
    // Labels above 'sad': ok and happy, which span 'happy'..'ok' by bytes.
    assert.deepEqual(await plan("SELECT id FROM m WHERE e > 'sad'"), [
      "Index Scan using m_e on m",
      "  Index Cond: ((e >= 'happy') AND (e <= 'ok'))",
      "  Filter: (e > 'sad')",
    ]);
    const above = await db.query("SELECT id FROM m WHERE e > 'sad' ORDER BY e");
    assert.deepEqual(above.rows, [{ id: 2 }, { id: 3 }]);
    const upTo = await db.query("SELECT id FROM m WHERE e <= 'sad' ORDER BY e");
    assert.deepEqual(upTo.rows, [{ id: 4 }, { id: 1 }]);
    // No label qualifies: a plain filtered scan, and no rows.
    assert.match((await plan("SELECT id FROM m WHERE e > 'happy'"))[0]!, /^Seq Scan/);
    assert.deepEqual((await db.query("SELECT id FROM m WHERE e > 'happy'")).rows, []);
  } finally {
    await db.close();
  }
});
