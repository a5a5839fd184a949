/**
 * ALTER COLUMN ... TYPE (`src/sql/catalog/ddl_column_type.ts`) through the
 * embedded API: PostgreSQL's error and hint when the values cannot convert
 * by themselves.
 */
import assert from "node:assert/strict";
import { DbError, open } from "../../../mod.ts";

Deno.test("ALTER COLUMN TYPE without a cast to the new type asks for USING", async () => {
  const db = await open({ memory: true });
  try {
    await db.query('CREATE TABLE t (id int, "Label" text, at timestamp)');
    const cases: [string, string, string][] = [
      ['"Label"', "integer", 'You might need to specify "USING "Label"::integer".'],
      ["at", "boolean", 'You might need to specify "USING at::boolean".'],
    ];
    for (const [column, type, hint] of cases) {
      await assert.rejects(db.query(`ALTER TABLE t ALTER COLUMN ${column} TYPE ${type}`), (e) => {
        assert.ok(e instanceof DbError);
        assert.equal(e.sqlstate, "42804");
        const name = column.replaceAll('"', "");
        assert.equal(e.message, `column "${name}" cannot be cast automatically to type ${type}`);
        assert.equal(e.hint, hint);
        return true;
      });
    }
  } finally {
    await db.close();
  }
});
