/**
 * A long script through server.ts (native transport), as Redis 7 answers
 * it: once it has run busy-reply-threshold ms, other clients get BUSY while
 * it runs, SCRIPT KILL (from redis-cli) stops it and its caller gets the kill
 * error, a request pipelined behind it on its own connection waits for it, a
 * script that wrote is UNKILLABLE, and FUNCTION KILL stops a function.
 */
import assert from "node:assert/strict";
import { redisCli, startServer } from "./_support.ts";

const busyEval =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
const busyFcall =
  "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

/** A raw RESP connection that sends commands and reads reply lines. */
class RawClient {
  #text = "";
  readonly #decoder = new TextDecoder();
  private constructor(readonly conn: Deno.TcpConn) {}

  static async open(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Sends commands (pipelined in one write). */
  async send(...commands: string[][]): Promise<void> {
    let out = "";
    for (const argv of commands) {
      out += `*${argv.length}\r\n`;
      for (const a of argv) out += `$${new TextEncoder().encode(a).length}\r\n${a}\r\n`;
    }
    await this.conn.write(new TextEncoder().encode(out));
  }

  /** The next reply line (a simple reply, an error or an integer), within `ms`. */
  async line(ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    const buf = new Uint8Array(4096);
    while (!this.#text.includes("\r\n")) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<null>((r) =>
        timer = setTimeout(() => r(null), deadline - Date.now())
      );
      const n = await Promise.race([this.conn.read(buf), timeout]);
      clearTimeout(timer);
      if (n === null) {
        throw new Error(`no reply within ${ms} ms (have ${JSON.stringify(this.#text)})`);
      }
      this.#text += this.#decoder.decode(buf.subarray(0, n));
    }
    const end = this.#text.indexOf("\r\n");
    const line = this.#text.slice(0, end);
    this.#text = this.#text.slice(end + 2);
    return line;
  }

  close(): void {
    this.conn.close();
  }
}

/** Sends PING from `b` until it answers BUSY (the script is past the threshold). */
async function waitBusy(b: RawClient, expected: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await b.send(["PING"]);
    if (await b.line() === expected) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the script never turned busy");
}

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
      await a.line(),
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
    assert.match(await b.line(), /^-UNKILLABLE Sorry the script already executed write commands/);
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
