/**
 * Role DDL: CREATE / ALTER / DROP USER and ROLE edit the catalog
 * transactionally, store SCRAM verifiers, survive a restart, and
 * `checkRolePassword` (the credential check behind Redis AUTH) sees each
 * committed change at once.
 */
import assert from "node:assert/strict";
import { openEngine } from "../../src/engine/engine.ts";
import { checkRolePassword, loginVerifier } from "../../src/engine/role_ddl.ts";
import { DbError } from "../../src/common/errors.ts";

function sqlstate(code: string) {
  return (e: unknown) => e instanceof DbError && e.sqlstate === code;
}

Deno.test("role DDL: passwords are SCRAM verifiers checked at once; errors as PostgreSQL's", async () => {
  const engine = await openEngine({ memory: true });
  const s = engine.openSession();
  try {
    const [created] = await s.execute("CREATE USER alice PASSWORD 'pw1'");
    assert.equal(created!.tag, "CREATE ROLE");
    assert.match(loginVerifier(engine.catalog, "alice") ?? "", /^SCRAM-SHA-256\$4096:/);
    assert.equal(checkRolePassword(engine.catalog, "alice", "pw1"), true);
    assert.equal(checkRolePassword(engine.catalog, "alice", "pw2"), false);
    assert.equal(checkRolePassword(engine.catalog, "bob", "pw1"), false);
    await assert.rejects(s.execute("CREATE ROLE alice"), sqlstate("42710"));
    await assert.rejects(s.execute("CREATE ROLE thunder"), sqlstate("42710"));
    await assert.rejects(s.execute("CREATE ROLE pg_mine"), sqlstate("42939"));
    await assert.rejects(s.execute("ALTER ROLE nobody LOGIN"), sqlstate("42704"));
    await assert.rejects(s.execute("DROP ROLE nobody"), sqlstate("42704"));
    const [skipped] = await s.execute("DROP ROLE IF EXISTS nobody");
    assert.equal(skipped!.notices?.[0]?.message, 'role "nobody" does not exist, skipping');
    // A role without LOGIN cannot log in, whatever its password.
    await s.execute("CREATE ROLE carol PASSWORD 'pw'");
    assert.equal(checkRolePassword(engine.catalog, "carol", "pw"), false);
    await s.execute("ALTER ROLE carol LOGIN");
    assert.equal(checkRolePassword(engine.catalog, "carol", "pw"), true);
    // Uncommitted changes are invisible to the check; a rollback undoes them.
    await s.execute("BEGIN");
    await s.execute("ALTER USER alice PASSWORD 'pw2'");
    assert.equal(checkRolePassword(engine.catalog, "alice", "pw1"), true);
    await s.execute("ROLLBACK");
    assert.equal(checkRolePassword(engine.catalog, "alice", "pw1"), true);
    await s.execute("ALTER USER alice PASSWORD 'pw2'");
    assert.equal(checkRolePassword(engine.catalog, "alice", "pw2"), true);
    await s.execute("ALTER USER alice RENAME TO alicia");
    assert.equal(checkRolePassword(engine.catalog, "alicia", "pw2"), true);
    const [roles] = await s.execute(
      "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('alicia', 'carol') ORDER BY 1",
    );
    assert.deepEqual(roles!.rows, [["alicia", true], ["carol", true]]);
    await s.execute("DROP USER alicia, carol");
    assert.equal(checkRolePassword(engine.catalog, "alicia", "pw2"), false);
  } finally {
    await engine.close();
  }
});

Deno.test("role DDL: roles survive a restart; a rolled-back CREATE leaves nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const engine = await openEngine({ path: dir });
    const s = engine.openSession();
    await s.execute("CREATE USER dave PASSWORD 'secret'");
    await s.execute("BEGIN");
    await s.execute("CREATE USER eve PASSWORD 'x'");
    await s.execute("ROLLBACK");
    await engine.close();
    const again = await openEngine({ path: dir });
    try {
      assert.equal(checkRolePassword(again.catalog, "dave", "secret"), true);
      assert.equal(again.catalog.roles.has("eve"), false);
    } finally {
      await again.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
