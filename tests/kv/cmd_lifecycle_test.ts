/**
 * SHUTDOWN, CONFIG SET port/bind and CONFIG REWRITE at the engine: an
 * embedded engine (no server process attached) refuses them; with a server
 * attached (a recording stand-in for server.ts's, whose real one
 * tests/e2e/resp/resp_shutdown_test.ts drives) SHUTDOWN snapshots first
 * unless NOSAVE, a failed snapshot stops it unless FORCE, and a shutdown held
 * by DEBUG PAUSE-CRON can be aborted.
 */
import assert from "node:assert/strict";
import { err, Harness } from "./_harness.ts";
import {
  attachServerHost,
  embeddedLifecycle,
  type ServerHost,
  shutdownServer,
  signalShutdownFlags,
} from "../../src/kv/server_control.ts";
import { debugSettingsOf } from "../../src/kv/debug_settings.ts";

function withHost(h: Harness) {
  const stops: { snapshot: boolean; reason: string }[] = [];
  const binds: [string, number][] = [];
  let hostname = "127.0.0.1";
  const host: ServerHost = {
    stop: (o) => void stops.push(o),
    get hostname() {
      return hostname;
    },
    rebind(name, port) {
      if (port === 1) return Promise.resolve("Unable to listen on this port");
      binds.push([name, port]);
      hostname = name;
      h.engine.port = port;
      return Promise.resolve(null);
    },
    rewriteConfig: () => Promise.resolve(null),
  };
  attachServerHost(h.engine, host);
  return { stops, binds };
}

Deno.test("an embedded engine refuses SHUTDOWN, CONFIG SET port and CONFIG REWRITE", async () => {
  const h = new Harness();
  const c = h.client();
  await c.start("SHUTDOWN");
  assert.deepEqual(c.drain(), [err(embeddedLifecycle)]);
  assert.deepEqual(c.run("SHUTDOWN", "ABORT"), err("ERR No shutdown in progress."));
  await c.start("CONFIG", "SET", "port", "7000");
  assert.deepEqual(c.drain(), [err(embeddedLifecycle)]);
  await c.start("CONFIG", "REWRITE");
  assert.deepEqual(c.drain(), [err("ERR The server is running without a config file")]);
});

Deno.test("SHUTDOWN's flags: syntax errors as Redis's, not inside MULTI", () => {
  const h = new Harness();
  const c = h.client();
  for (const args of [["NOSAVE", "SAVE"], ["ABORT", "NOW"], ["BOGUS"]]) {
    assert.deepEqual(c.run("SHUTDOWN", ...args), err("ERR syntax error"), args.join(" "));
  }
  assert.equal(c.run("MULTI"), "OK");
  assert.deepEqual(c.run("SHUTDOWN"), err("ERR Command not allowed inside a transaction"));
  assert.deepEqual(
    c.run("EXEC"),
    err("EXECABORT Transaction discarded because of previous errors."),
  );
});

Deno.test("SHUTDOWN snapshots first unless NOSAVE, and closes the connection without a reply", async () => {
  for (const [flag, snapshots] of [["SAVE", 1], ["NOSAVE", 0], [undefined, 1]] as const) {
    const h = new Harness();
    let saves = 0;
    h.engine.checkpoint = () => (saves++, Promise.resolve());
    const { stops } = withHost(h);
    const c = h.client();
    await c.start("SHUTDOWN", ...(flag === undefined ? [] : [flag]));
    assert.deepEqual(c.drain(), []);
    assert.equal(saves, snapshots);
    assert.deepEqual(stops, [{ snapshot: snapshots === 1, reason: "User requested shutdown" }]);
  }
});

Deno.test("a failed snapshot stops SHUTDOWN unless FORCE", async () => {
  const h = new Harness();
  h.engine.checkpoint = () => Promise.reject(new Error("disk full"));
  const { stops } = withHost(h);
  const c = h.client();
  await c.start("SHUTDOWN");
  assert.deepEqual(c.drain(), [err("ERR Errors trying to SHUTDOWN. Check logs.")]);
  assert.equal(stops.length, 0);
  await c.start("SHUTDOWN", "FORCE", "NOW");
  assert.deepEqual(c.drain(), []);
  assert.equal(stops.length, 1);
});

Deno.test("SHUTDOWN ABORT cancels a shutdown held by DEBUG PAUSE-CRON", async () => {
  const h = new Harness();
  const { stops } = withHost(h);
  debugSettingsOf(h.engine).cronPaused = true;
  const pending = shutdownServer(h.engine, signalShutdownFlags(h.engine.config, "SIGTERM"), "t");
  await new Promise((resolve) => setTimeout(resolve, 30));
  const c = h.client();
  assert.equal(c.run("SHUTDOWN", "ABORT"), "OK");
  assert.equal(await pending, "ERR Errors trying to SHUTDOWN. Check logs.");
  assert.deepEqual(c.run("SHUTDOWN", "ABORT"), err("ERR No shutdown in progress."));
  assert.equal(stops.length, 0);
  debugSettingsOf(h.engine).cronPaused = false;
});

Deno.test("shutdown settings: CONFIG GET/SET, and the signal's flags", () => {
  const h = new Harness();
  const c = h.client();
  assert.deepEqual(c.run("CONFIG", "GET", "shutdown-*"), [
    "shutdown-timeout",
    "10",
    "shutdown-on-sigint",
    "default",
    "shutdown-on-sigterm",
    "default",
  ]);
  assert.equal(c.run("CONFIG", "SET", "shutdown-on-sigterm", "NOSAVE now"), "OK");
  assert.deepEqual(signalShutdownFlags(h.engine.config, "SIGTERM"), {
    save: "nosave",
    now: true,
    force: false,
  });
  assert.deepEqual(signalShutdownFlags(h.engine.config, "SIGINT").save, "default");
  assert.deepEqual(
    c.run("CONFIG", "SET", "shutdown-on-sigint", "later"),
    err(
      "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force",
    ),
  );
  assert.equal(c.run("CONFIG", "SET", "shutdown-timeout", "3"), "OK");
  assert.deepEqual(c.run("CONFIG", "GET", "shutdown-timeout"), ["shutdown-timeout", "3"]);
});

Deno.test("CONFIG SET port/bind move the listener; a failure changes nothing", async () => {
  const h = new Harness();
  const { binds } = withHost(h);
  const c = h.client();
  await c.start("CONFIG", "SET", "port", "7001", "maxclients", "50");
  assert.deepEqual(c.drain(), ["OK"]);
  assert.deepEqual(binds, [["127.0.0.1", 7001]]);
  assert.equal(h.engine.config.maxclients, 50);
  await c.start("CONFIG", "SET", "port", "1");
  assert.deepEqual(c.drain(), [
    err(
      "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port",
    ),
  ]);
  assert.deepEqual(c.run("CONFIG", "GET", "port"), ["port", "7001"]);
  // A bad other setting moves the listener back.
  await c.start("CONFIG", "SET", "bind", "127.0.0.2", "maxclients", "zero");
  assert.equal((c.drain()[0] as { error: string }).error.startsWith("ERR CONFIG SET failed"), true);
  assert.deepEqual(binds.at(-1), ["127.0.0.1", 7001]);
  assert.deepEqual(c.run("CONFIG", "GET", "bind"), ["bind", "127.0.0.1"]);
});
