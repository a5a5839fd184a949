/**
 * A script past busy-reply-threshold: the engine calls `onBusy` from the Lua
 * hook (here standing for the listener's turn, which runs other clients'
 * commands), those commands get BUSY unless Redis allows them while busy,
 * and SCRIPT KILL / FUNCTION KILL stop a script that has not written.
 */
import { assertEquals, err, Harness, type TestClient, type Value } from "./_harness.ts";
import { decodeRecord } from "../../src/kv/record.ts";
import { latin1 } from "../../src/kv/bytes.ts";

const evalBusy =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
const fcallBusy =
  "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
/** Spins long enough for the tests (each would fail, not hang, if a KILL did not work). */
const spin = "local i = 0 while i < 50000000 do i = i + 1 end";

/**
 * An engine whose scripts turn busy after 10 ms (each clock read moves 1 ms),
 * and a second client whose commands `turn` runs at each busy turn.
 */
function busyHarness(turn: (other: TestClient, n: number) => void) {
  const h = new Harness({ busyReplyThreshold: 10 });
  h.timerStepMs = 1;
  const caller = h.client();
  const other = h.client();
  let n = 0;
  h.engine.onBusy = () => turn(other, n++);
  return { h, caller, other, turns: () => n };
}

Deno.test("busy script: others get BUSY, SCRIPT KILL stops it, its caller gets the kill error", () => {
  const seen: Value[] = [];
  const { h, caller, other } = busyHarness((o, n) => {
    if (n === 0) seen.push(o.run("PING"), o.run("GET", "k"), o.run("FUNCTION", "KILL"));
    if (n === 0) seen.push(o.run("FUNCTION", "STATS"), o.run("CLIENT", "LIST"));
    if (n === 2) seen.push(o.run("SCRIPT", "KILL"));
  });
  const sha = caller.run("SCRIPT", "LOAD", spin);
  assertEquals(
    caller.run("EVAL", spin, "0"),
    err(`ERR Script killed by user with SCRIPT KILL... script: ${sha}, on @user_script:1.`),
  );
  assertEquals(seen, [
    err(evalBusy),
    err(evalBusy),
    err(evalBusy), // FUNCTION KILL does not stop an EVAL
    err(evalBusy), // FUNCTION STATS during an EVAL
    err(evalBusy),
    "OK",
  ]);
  assertEquals(h.engine.busyScript, null);
  assertEquals(other.run("PING"), "PONG");
  assertEquals(other.run("SCRIPT", "KILL"), err("NOTBUSY No scripts in execution right now."));
  const info = String(other.run("INFO", "errorstats"));
  assertEquals(/errorstat_BUSY:count=5\r\n/.test(info), true);
});

Deno.test("busy script: pcall does not catch SCRIPT KILL", () => {
  const { caller } = busyHarness((o, n) => {
    if (n === 1) assertEquals(o.run("SCRIPT", "KILL"), "OK");
  });
  const script = "local f = function() while 1 do redis.call('ping') end end " +
    "while 1 do pcall(f) end";
  const reply = caller.run("EVAL", script, "0");
  assertEquals(
    typeof reply === "object" && reply !== null && "error" in reply &&
      reply.error.startsWith("ERR Script killed by user with SCRIPT KILL..."),
    true,
  );
  // The VM runs the next script normally (its hook is back to counting instructions).
  assertEquals(
    caller.run("EVAL", "local n = 0 for i = 1, 1000 do n = n + i end return n", "0"),
    500500,
  );
});

Deno.test("busy script: a script that wrote is UNKILLABLE and its writes are logged once it ends", () => {
  const seen: Value[] = [];
  const { h, caller } = busyHarness((o, n) => {
    if (n === 0) seen.push(o.run("SCRIPT", "KILL"), o.run("GET", "x"));
  });
  const script = "redis.call('set', 'x', 'y') local i = 0 while i < 2000000 do i = i + 1 end " +
    "return i";
  assertEquals(caller.run("EVAL", script, "0"), 2000000);
  assertEquals(seen, [
    err(
      "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.",
    ),
    err(evalBusy),
  ]);
  const logged = h.wal.records.flatMap((r) =>
    decodeRecord(r.payload).map((c) => c.argv.map((a) => latin1(a)).join(" "))
  );
  assertEquals(logged, ["set x y"]);
  assertEquals(caller.run("GET", "x"), "y");
});

Deno.test("busy function: FUNCTION STATS shows it, SCRIPT KILL refuses, FUNCTION KILL stops it", () => {
  const seen: Value[] = [];
  const { caller, other } = busyHarness((o, n) => {
    if (n !== 0) return;
    const stats = o.run("FUNCTION", "STATS") as Value[];
    seen.push(stats[0]!, (stats[1] as Value[]).slice(0, 4), o.run("SCRIPT", "KILL"));
    seen.push(o.run("PING"), o.run("FUNCTION", "KILL"));
  });
  const lib = `#!lua name=lib\nredis.register_function('spin', function()\n${spin}\nend)`;
  assertEquals(caller.run("FUNCTION", "LOAD", lib), "lib");
  assertEquals(
    caller.run("FCALL", "spin", "0"),
    err("ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:3."),
  );
  assertEquals(seen, [
    "running_script",
    ["name", "spin", "command", ["FCALL", "spin", "0"]],
    err(fcallBusy),
    err(fcallBusy),
    "OK",
  ]);
  assertEquals((other.run("FUNCTION", "STATS") as Value[]).slice(0, 2), ["running_script", null]);
});

Deno.test("busy script: MULTI passes, queued commands get BUSY and EXEC aborts", () => {
  const seen: Value[] = [];
  let third: TestClient | null = null;
  const { h, caller, other } = busyHarness((o, n) => {
    if (n === 0) seen.push(o.run("MULTI"), o.run("INCR", "n"), o.run("EXEC"));
    if (n === 1) seen.push(o.run("MULTI"), o.run("WATCH", "n"), o.run("DISCARD"));
    if (n === 2) seen.push(third!.run("MULTI"), third!.run("INCR", "n"));
    if (n === 3) seen.push(o.run("SCRIPT", "KILL"));
  });
  third = h.client();
  caller.run("EVAL", spin, "0");
  assertEquals(seen, [
    "OK",
    err(evalBusy),
    err(`EXECABORT Transaction discarded because of: ${evalBusy}`),
    "OK",
    err("ERR WATCH inside MULTI is not allowed"),
    "OK",
    "OK",
    err(evalBusy),
    "OK",
  ]);
  // The transaction that met BUSY is doomed; the one EXEC aborted is over.
  assertEquals(third.run("INCR", "n"), "QUEUED");
  assertEquals(
    third.run("EXEC"),
    err("EXECABORT Transaction discarded because of previous errors."),
  );
  assertEquals(other.run("PING"), "PONG");
  assertEquals(other.run("GET", "n"), null);
});

Deno.test("busy script: a client it woke is served after it, not by a command let in meanwhile", async () => {
  const seen: Value[] = [];
  const { caller, h } = busyHarness((o, n) => {
    if (n === 0) seen.push(o.run("HELLO", "2", "SETNAME", "meanwhile"), o.run("LPOP", "x"));
  });
  const blocked = h.client();
  const wait = blocked.start("BLPOP", "x", "0");
  const script =
    "redis.call('lpush', KEYS[1], 'y') local i = 0 while i < 2000000 do i = i + 1 end " +
    "redis.call('lpush', KEYS[1], 'z') return 'done'";
  assertEquals(caller.run("EVAL", script, "1", "x"), "done");
  await wait;
  assertEquals(blocked.drain(), [["x", "z"]]);
  assertEquals(seen.length, 2);
  assertEquals(seen[1], err(evalBusy));
  assertEquals(h.engine.clients.get(seen.length === 2 ? 2 : 0)?.name, "meanwhile");
});

Deno.test("MONITOR shows a script's command line, then the commands it calls", () => {
  const h = new Harness();
  const m = h.client();
  const c = h.client();
  assertEquals(m.run("MONITOR"), "OK");
  c.run(
    "EVAL",
    "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])",
    "1",
    "foo",
    "bar",
  );
  c.run(
    "FUNCTION",
    "LOAD",
    "#!lua name=t\nredis.register_function('t', function() return redis.call('set', 'foo', 'baz') end)",
  );
  c.run("FCALL", "t", "0");
  const lines = (m.drain() as string[]).map((l) => l.replace(/^\d+\.\d{6} /, ""));
  assertEquals(lines, [
    `[0 127.0.0.1:1] "EVAL" "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])" "1" "foo" "bar"`,
    `[0 lua] "set" "foo" "bar"`,
    `[0 lua] "get" "foo"`,
    `[0 127.0.0.1:1] "FUNCTION" "LOAD" "#!lua name=t\\nredis.register_function('t', function() return redis.call('set', 'foo', 'baz') end)"`,
    `[0 127.0.0.1:1] "FCALL" "t" "0"`,
    `[0 lua] "set" "foo" "baz"`,
  ]);
});

Deno.test("without a listener that polls (onBusy null), a long script runs alone to its end", () => {
  const h = new Harness({ busyReplyThreshold: 10 });
  h.timerStepMs = 1;
  assertEquals(h.engine.onBusy, null);
  assertEquals(
    h.client().run("EVAL", "local i = 0 while i < 2000000 do i = i + 1 end return i", "0"),
    2000000,
  );
  assertEquals(h.engine.busyScript, null);
});
