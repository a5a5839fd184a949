/**
 * The server process over RESP (server.ts, redis-cli): SHUTDOWN stops it
 * cleanly and a restart keeps the data (also with NOSAVE: the WAL replays);
 * SHUTDOWN ABORT cancels a SIGTERM held by DEBUG PAUSE-CRON; ACL rules apply;
 * CONFIG SET port moves the listener (open connections stay); CONFIG REWRITE
 * writes the --config file, which a restart reads back.
 */
import assert from "node:assert/strict";
import { type ServerProcess, startServer } from "../_server.ts";
import { redisCli } from "./_support.ts";

/** Waits (bounded) until the server logged `text`. */
async function waitForLog(server: ServerProcess, text: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!server.logText().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" in the log:\n${server.logText()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function start(dataDir: string, args: string[] = []): Promise<ServerProcess> {
  return startServer({
    dataDir,
    waitFor: ["redis"],
    args: ["--set", "resp.enable_debug_command=yes", ...args],
  });
}

/** A loopback port of 33000-33999 that is free now. */
function freePort(): number {
  for (let i = 0; i < 100; i++) {
    const port = 33_000 + Math.floor(Math.random() * 1000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch {
      // Taken: try another.
    }
  }
  throw new Error("no free port in 33000-33999");
}

/** Sends one inline command on an open connection; returns the reply's first line. */
async function inline(conn: Deno.TcpConn, command: string): Promise<string> {
  await conn.write(new TextEncoder().encode(`${command}\r\n`));
  const buf = new Uint8Array(256);
  const n = await conn.read(buf);
  return new TextDecoder().decode(buf.subarray(0, n ?? 0)).split("\r\n")[0]!;
}

Deno.test("redis-cli SHUTDOWN stops the server, and a restart keeps the data", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_shutdown_" });
  try {
    for (const flag of ["SAVE", "NOSAVE"]) {
      const server = await start(dir);
      const port = server.ports.redis!;
      assert.equal((await redisCli(port, ["SET", `k-${flag}`, "v"])).trim(), "OK");
      assert.equal(
        (await redisCli(port, ["SHUTDOWN", "NOSAVE", "SAVE"])).trim(),
        "ERR syntax error",
      );
      // redis-cli reports nothing: the server closes the connection without a reply.
      assert.equal((await redisCli(port, ["SHUTDOWN", flag])).trim(), "");
      await waitForLog(server, "Shutdown complete");
      assert.ok(server.logText().includes(`"snapshot":${flag === "SAVE"}`), server.logText());
      assert.equal(await server.stop(), 0);
    }
    const server = await start(dir);
    try {
      const port = server.ports.redis!;
      assert.equal((await redisCli(port, ["MGET", "k-SAVE", "k-NOSAVE"])).trim(), "v\nv");
    } finally {
      assert.equal(await server.stop(), 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SHUTDOWN ABORT cancels a SIGTERM held by DEBUG PAUSE-CRON; ACL rules apply", async () => {
  const server = await start(await Deno.makeTempDir({ prefix: "thunder_shutdown_" }));
  try {
    const port = server.ports.redis!;
    assert.equal(
      (await redisCli(port, ["SHUTDOWN", "ABORT"])).trim(),
      "ERR No shutdown in progress.",
    );
    assert.equal((await redisCli(port, ["DEBUG", "PAUSE-CRON", "1"])).trim(), "OK");
    Deno.kill(serverPid(await redisCli(port, ["INFO", "server"])), "SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await redisCli(port, ["SHUTDOWN", "ABORT"])).trim(), "OK");
    await waitForLog(server, "Shutdown manually aborted");
    assert.equal((await redisCli(port, ["DEBUG", "PAUSE-CRON", "0"])).trim(), "OK");
    assert.equal((await redisCli(port, ["PING"])).trim(), "PONG");
    // SHUTDOWN is @admin @dangerous.
    await redisCli(port, ["ACL", "SETUSER", "app", "on", ">pw", "~*", "+@all", "-@dangerous"]);
    assert.match(
      await redisCli(port, ["--user", "app", "--pass", "pw", "--no-auth-warning", "SHUTDOWN"]),
      /NOPERM this user has no permissions to run the 'shutdown' command/,
    );
    assert.equal((await redisCli(port, ["PING"])).trim(), "PONG");
  } finally {
    assert.equal(await server.stop(), 0);
    await Deno.remove(server.dataDir, { recursive: true });
  }
});

function serverPid(info: string): number {
  const m = /process_id:(\d+)/.exec(info);
  assert.ok(m !== null, info);
  return Number(m[1]);
}

for (const transport of ["native", "deno"]) {
  Deno.test(`CONFIG SET port moves the ${transport} listener; open connections stay`, async () => {
    await movesListener(transport);
  });
}

async function movesListener(transport: string): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "thunder_shutdown_" });
  const server = await start(dir, ["--set", `resp.transport=${transport}`]);
  assert.ok(server.logText().includes(`"transport":"${transport}"`), server.logText());
  const old = server.ports.redis!;
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: old });
  try {
    const next = freePort();
    assert.equal(await inline(conn, `CONFIG SET port ${next}`), "+OK");
    assert.equal((await redisCli(next, ["PING"])).trim(), "PONG");
    assert.match(await redisCli(old, ["PING"]), /Connection refused/);
    assert.equal(await inline(conn, "PING"), "+PONG");
    // A port in use: the listener stays where it is.
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      assert.match(
        await redisCli(next, ["CONFIG", "SET", "port", String(taken.addr.port)]),
        /Unable to listen on this port/,
      );
    } finally {
      taken.close();
    }
    assert.match(
      await redisCli(next, ["CONFIG", "SET", "bind", "999.999.999.999"]),
      /Failed to bind/,
    );
    assert.equal((await redisCli(next, ["PING"])).trim(), "PONG");
  } finally {
    conn.close();
    assert.equal(await server.stop(), 0);
    await Deno.remove(server.dataDir, { recursive: true });
  }
}

Deno.test("CONFIG REWRITE writes the --config file; a restart reads it back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_shutdown_" });
  const file = `${dir}/thunderdb.toml`;
  const original =
    '# Mine.\n[resp]\n# Keep this comment.\nappendfsync = "everysec"\n\n[log]\nlevel = "info"\n';
  await Deno.writeTextFile(file, original);
  try {
    const plain = await start(`${dir}/data`);
    const plainPort = plain.ports.redis!;
    assert.equal(
      (await redisCli(plainPort, ["CONFIG", "REWRITE"])).trim(),
      "ERR The server is running without a config file",
    );
    assert.equal(await plain.stop(), 0);
    const server = await start(`${dir}/data`, ["--config", file]);
    const port = server.ports.redis!;
    const set = ["CONFIG", "SET", "maxmemory-policy", "allkeys-lru", "appendfsync", "always"];
    assert.equal((await redisCli(port, set)).trim(), "OK");
    assert.equal((await redisCli(port, ["CONFIG", "REWRITE"])).trim(), "OK");
    assert.equal(await server.stop(), 0);
    const text = await Deno.readTextFile(file);
    assert.ok(
      text.startsWith('# Mine.\n[resp]\n# Keep this comment.\nappendfsync = "always"\n'),
      text,
    );
    assert.ok(text.includes('maxmemory_policy = "allkeys-lru"'), text);
    assert.ok(text.includes('[log]\nlevel = "info"'), text);
    const again = await start(`${dir}/data`, ["--config", file]);
    try {
      const out = await redisCli(again.ports.redis!, ["CONFIG", "GET", "maxmemory-policy"]);
      assert.equal(out.trim(), "maxmemory-policy\nallkeys-lru");
    } finally {
      assert.equal(await again.stop(), 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
