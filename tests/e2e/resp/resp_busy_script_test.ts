/**
 * A long script through server.ts (native transport), as Redis 7 answers
 * it: once it has run busy-reply-threshold ms, other clients get BUSY while
 * it runs, SCRIPT KILL (from redis-cli) stops it and its caller gets the kill
 * error, a request pipelined behind it on its own connection waits for it, a
 * script that wrote is UNKILLABLE, and FUNCTION KILL stops a function.
 */
import assert from "node:assert/strict";
import { redisCli, startServer } from "./_support.ts";
import { busyEval, busyFcall, RawClient, waitBusy } from "./_raw_client.ts";

Deno.test("a long script: BUSY for others, SCRIPT KILL, UNKILLABLE, FUNCTION KILL", async () => {
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir, ["--transport", "native"]);
  const port = server.port;
  const a = await RawClient.open(port);
  const b = await RawClient.open(port);
  try {
    assert.equal(await redisCli(port, ["CONFIG", "SET", "busy-reply-threshold", "100"]), "OK\n");
    assert.equal(
      await redisCli(port, ["CONFIG", "GET", "lua-time-limit"]),
      "lua-time-limit\n100\n",
    );

    // A read-only endless script, with a PING pipelined behind it on the same connection.
    await a.send(["EVAL", "while true do end", "0"], ["PING"]);
    await waitBusy(b, `-${busyEval}`);
    await b.send(["GET", "k"], ["FUNCTION", "KILL"], ["CLIENT", "LIST"]);
    assert.deepEqual([await b.line(), await b.line(), await b.line()], [
      `-${busyEval}`,
      `-${busyEval}`,
      `-${busyEval}`,
    ]);
    // What a user types in another terminal.
    assert.equal(await redisCli(port, ["SCRIPT", "KILL"]), "OK\n");
    assert.match(
      String(await a.line()),
      /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.$/,
    );
    assert.equal(await a.line(), "+PONG");
    assert.equal(await redisCli(port, ["PING"]), "PONG\n");

    // A script that wrote cannot be killed; it ends by itself (after 1.5 s by its clock).
    const timed = "redis.call('set', KEYS[1], 'y') local t = redis.call('time') " +
      "local stop = t[1] * 1000000 + t[2] + 1500000 " +
      "while true do local n = redis.call('time') if n[1] * 1000000 + n[2] > stop then break end end " +
      "return 'done'";
    await a.send(["EVAL", timed, "1", "x"]);
    await waitBusy(b, `-${busyEval}`);
    await b.send(["SCRIPT", "KILL"]);
    assert.match(
      String(await b.line()),
      /^-UNKILLABLE Sorry the script already executed write commands/,
    );
    assert.deepEqual([await a.line(), await a.line()], ["$4", "done"]);
    assert.equal(await redisCli(port, ["GET", "x"]), "y\n");

    // A function: SCRIPT KILL refuses it, FUNCTION STATS shows it, FUNCTION KILL stops it.
    const lib =
      "#!lua name=spinlib\nredis.register_function('spin', function() while true do end end)";
    assert.equal(await redisCli(port, ["FUNCTION", "LOAD", lib]), "spinlib\n");
    await a.send(["FCALL", "spin", "0"]);
    await waitBusy(b, `-${busyFcall}`);
    await b.send(["SCRIPT", "KILL"]);
    assert.equal(await b.line(), `-${busyFcall}`);
    assert.match(
      await redisCli(port, ["FUNCTION", "STATS"]),
      /^running_script\nname\nspin\ncommand\nFCALL\nspin\n0\nduration_ms\n\d+\n/,
    );
    assert.equal(await redisCli(port, ["FUNCTION", "KILL"]), "OK\n");
    assert.equal(
      await a.line(),
      "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.",
    );
    await b.send(["SCRIPT", "KILL"]);
    assert.equal(await b.line(), "-NOTBUSY No scripts in execution right now.");
  } finally {
    a.close();
    b.close();
    // SIGKILL: a failed check may leave a script spinning, and a busy server ignores SIGTERM.
    await server.kill();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a busy script looping on CLIENT LIST: BUSY for others, HELLO SETNAME ends it, a BLPOP it fed is served after it", async () => {
  const dir = await Deno.makeTempDir();
  const server = await startServer(dir, ["--transport", "native", "--enable-debug-command", "yes"]);
  const port = server.port;
  const blocked = await RawClient.open(port);
  const runner = await RawClient.open(port);
  const other = await RawClient.open(port);
  const namer = await RawClient.open(port);
  try {
    // CLIENT subcommands (but HELP) are noscript, as in Redis 7.0, unless DEBUG lifts that.
    await runner.send(["EVAL", "return redis.call('client', 'list')", "0"]);
    assert.match(
      String(await runner.line()),
      /^-ERR This Redis command is not allowed from script/,
    );
    await blocked.send(["BLPOP", "x", "0"]);
    await runner.send(["DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"], [
      "CONFIG",
      "SET",
      "lua-time-limit",
      "10",
    ]);
    assert.deepEqual([await runner.line(), await runner.line()], ["+OK", "+OK"]);
    // Each loop runs few Lua instructions around a costly call: redis.call itself looks for a
    // busy script, not only the instruction-count hook.
    const script = "local clients redis.call('lpush', KEYS[1], 'y') " +
      "while true do clients = redis.call('client', 'list') " +
      "if string.find(clients, 'abortscript') ~= nil then break end end " +
      "redis.call('lpush', KEYS[1], 'z') return clients";
    await runner.send(["EVAL", script, "1", "x"]);
    await waitBusy(other, `-${busyEval}`);
    // HELLO is allowed while busy: its name ends the script's loop.
    await namer.send(["HELLO", "2", "SETNAME", "abortscript"]);
    assert.match(String(await runner.line()), /^\$\d+$/);
    assert.match(String(await runner.line()), /name=abortscript/);
    // The pop sees both pushes: the script ended before the unblocked client was served.
    const popped = [];
    for (let i = 0; i < 5; i++) popped.push(await blocked.line());
    assert.deepEqual(popped, ["*2", "$1", "x", "$1", "z"]);
  } finally {
    blocked.close();
    runner.close();
    other.close();
    namer.close();
    await server.kill();
    await Deno.remove(dir, { recursive: true });
  }
});
