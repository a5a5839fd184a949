/**
 * `Session.settingsVersion`: the PostgreSQL connection re-reads the settings it
 * reports (ParameterStatus) only when this moved, so every way a setting can
 * change must move it, and statements that change none must not.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";

Deno.test("settingsVersion moves with SET, set_config, RESET and local values, not with queries", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    const moved = async (sql: string): Promise<boolean> => {
      const before = s.settingsVersion;
      await s.execute(sql);
      return s.settingsVersion !== before;
    };
    assert.equal(await moved("SELECT 1"), false);
    assert.equal(await moved("SET application_name = 'a'"), true);
    assert.equal(await moved("SELECT set_config('application_name', 'b', false)"), true);
    assert.equal(s.getSetting("application_name"), "b");
    assert.equal(await moved("RESET application_name"), true);
    assert.equal(await moved("BEGIN"), false);
    assert.equal(await moved("SELECT set_config('timezone', 'Europe/Paris', true)"), true);
    // COMMIT restores the transaction-local value: the version moves again.
    assert.equal(await moved("COMMIT"), true);
    assert.equal(s.getSetting("timezone"), "UTC");
    assert.equal(await moved("COMMIT"), false);
  } finally {
    await s.close();
    await engine.close();
  }
});
