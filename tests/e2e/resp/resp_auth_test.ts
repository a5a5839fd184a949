/**
 * End-to-end: Redis AUTH with ThunderDB users. psql creates, alters and drops
 * a user on a server with authentication enabled; redis-cli and ioredis log
 * in as that user (AUTH, HELLO 3 AUTH), and see each change at once. When
 * the user is dropped its Redis connections are closed (as Redis closes a
 * deleted ACL user's), while its PostgreSQL session goes on (as PostgreSQL's).
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import pg from "pg";
import { redisCli, startServer } from "./_support.ts";
import { runProgram } from "../pg/_support.ts";

const rootPassword = "root-secret";

async function psqlAsRoot(port: number, sql: string): Promise<string> {
  return await psqlAs(port, "thunder", rootPassword, sql);
}

async function psqlAs(port: number, user: string, password: string, sql: string): Promise<string> {
  const r = await runProgram(
    "psql",
    ["-X", "-tA", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", "thunder", "-c", sql],
    { env: { PGPASSWORD: password } },
  );
  return (r.stdout + r.stderr).trim();
}

/** Sends one inline command on a raw connection; returns the reply text, or null at the end. */
async function rawCommand(conn: Deno.Conn, line: string | null): Promise<string | null> {
  if (line !== null) await conn.write(new TextEncoder().encode(`${line}\r\n`));
  const buf = new Uint8Array(1024);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply to ${line}`)), 10_000);
  });
  try {
    const n = await Promise.race([conn.read(buf), timeout]);
    return n === null ? null : new TextDecoder().decode(buf.subarray(0, n));
  } finally {
    clearTimeout(timer);
  }
}

Deno.test({
  name: "Redis AUTH and HELLO AUTH check ThunderDB users created, altered and dropped by SQL",
  sanitizeResources: true,
  sanitizeOps: true,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "thunder_resp_auth_" });
    let server = await startServer(dir, ["--requirepass", rootPassword]);
    const port = () => server.port;
    const pgPort = () => server.process.ports.postgresql!;
    try {
      assert.equal(
        await psqlAsRoot(pgPort(), "CREATE USER alice PASSWORD 'alice-pw'"),
        "CREATE ROLE",
      );
      // A new connection is not authenticated; the default user is the superuser's password.
      assert.match(await redisCli(port(), ["PING"]), /NOAUTH Authentication required/);
      assert.equal(
        (await redisCli(port(), ["-a", rootPassword, "--no-auth-warning", "ACL", "WHOAMI"])).trim(),
        "default",
      );
      const asAlice = ["--user", "alice", "--pass", "alice-pw", "--no-auth-warning"];
      assert.equal((await redisCli(port(), [...asAlice, "ACL", "WHOAMI"])).trim(), "alice");
      assert.match(
        await redisCli(port(), ["--user", "alice", "--pass", "nope", "--no-auth-warning", "PING"]),
        /WRONGPASS invalid username-password pair or user is disabled\./,
      );
      // ioredis logs in with AUTH <user> <pass>; HELLO 3 AUTH works on a fresh connection too.
      const client = new Redis({
        port: port(),
        host: "127.0.0.1",
        username: "alice",
        password: "alice-pw",
        lazyConnect: true,
      });
      try {
        await client.connect();
        assert.equal(await client.set("k", "v"), "OK");
        const info = String(await client.call("CLIENT", "INFO"));
        assert.match(info, / user=alice /);
        const hello = await client.call("HELLO", "3", "AUTH", "alice", "wrong").catch((e: Error) =>
          e.message
        );
        assert.match(String(hello), /WRONGPASS/);
        assert.equal(String(await client.call("ACL", "WHOAMI")), "alice");
      } finally {
        client.disconnect();
      }
      const hello = await redisCli(port(), ["HELLO", "3", "AUTH", "alice", "alice-pw"]);
      assert.match(hello, /proto/);
      // The same user logs in over the PostgreSQL protocol (SCRAM against the stored verifier).
      assert.equal(await psqlAs(pgPort(), "alice", "alice-pw", "SELECT current_user"), "alice");
      // A new password takes effect at once; the old one fails.
      assert.equal(
        await psqlAsRoot(pgPort(), "ALTER USER alice PASSWORD 'second-pw'"),
        "ALTER ROLE",
      );
      assert.match(await redisCli(port(), [...asAlice, "PING"]), /WRONGPASS/);
      const asAlice2 = ["--user", "alice", "--pass", "second-pw", "--no-auth-warning"];
      assert.equal((await redisCli(port(), [...asAlice2, "ACL", "WHOAMI"])).trim(), "alice");
      // ACL rules on a ThunderDB user's name apply however it logs in; a Redis-only user too.
      const asRoot = ["-a", rootPassword, "--no-auth-warning"];
      await redisCli(port(), [
        ...asRoot,
        "ACL",
        "SETUSER",
        "alice",
        "on",
        "~app:*",
        "+@read",
        "+acl",
      ]);
      await redisCli(port(), [
        ...asRoot,
        "ACL",
        "SETUSER",
        "cache",
        "on",
        ">cache-pw",
        "~*",
        "+@all",
      ]);
      assert.match(await redisCli(port(), [...asAlice2, "SET", "app:1", "x"]), /NOPERM/);
      // Users and ACL rules are durable: after a restart both still hold.
      await server.stop();
      server = await startServer(dir, ["--requirepass", rootPassword]);
      assert.equal((await redisCli(port(), [...asAlice2, "ACL", "WHOAMI"])).trim(), "alice");
      assert.match(await redisCli(port(), [...asAlice2, "SET", "app:1", "x"]), /NOPERM/);
      assert.equal((await redisCli(port(), [...asAlice2, "GET", "app:1"])).trim(), "");
      const asCache = ["--user", "cache", "--pass", "cache-pw", "--no-auth-warning"];
      assert.equal((await redisCli(port(), [...asCache, "SET", "app:1", "x"])).trim(), "OK");
      const redisAlice = await Deno.connect({ hostname: "127.0.0.1", port: port() });
      const redisCache = await Deno.connect({ hostname: "127.0.0.1", port: port() });
      const pgAlice = new pg.Client({
        host: "127.0.0.1",
        port: pgPort(),
        user: "alice",
        password: "second-pw",
        database: "thunder",
      });
      try {
        assert.equal(await rawCommand(redisAlice, "AUTH alice second-pw"), "+OK\r\n");
        assert.equal(await rawCommand(redisCache, "AUTH cache cache-pw"), "+OK\r\n");
        await pgAlice.connect();
        assert.equal(await psqlAsRoot(pgPort(), "DROP USER alice"), "DROP ROLE");
        // alice's ACL entry has no password of its own, so nothing logs her in any more.
        assert.equal(await rawCommand(redisAlice, null), null, "alice's Redis client is closed");
        assert.equal(await rawCommand(redisCache, "PING"), "+PONG\r\n");
        assert.deepEqual((await pgAlice.query("SELECT 1 AS one")).rows, [{ one: 1 }]);
      } finally {
        redisAlice.close();
        redisCache.close();
        await pgAlice.end();
      }
      assert.match(await redisCli(port(), [...asAlice2, "PING"]), /WRONGPASS/);
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
