/**
 * SHUTDOWN during a busy script through server.ts (native transport), as
 * Redis 7.0.15 does it: SCRIPT KILL answers UNKILLABLE to a script that
 * wrote, SHUTDOWN and SHUTDOWN SAVE answer BUSY, SHUTDOWN NOSAVE stops the
 * process at once (exit 0), the script's caller sees its connection close
 * without a reply, and after a restart the write made before the script is
 * there while the script's own write is not. A SIGTERM during a script is
 * handled once the script ends.
 */
import assert from "node:assert/strict";
import { redisCli, startServer } from "./_support.ts";

const busyEval =
  "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

/** A raw RESP connection: sends commands, reads reply lines, sees the close. */
class Conn {
  #text = "";
  readonly #buf = new Uint8Array(4096);
  private constructor(readonly conn: Deno.TcpConn) {}

  static async open(port: number): Promise<Conn> {
    return new Conn(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async send(...argv: string[]): Promise<void> {
    const enc = new TextEncoder();
    let out = `*${argv.length}\r\n`;
    for (const a of argv) out += `$${enc.encode(a).length}\r\n${a}\r\n`;
    await this.conn.write(enc.encode(out));
  }

  /** The next reply line, or null once the server closed the connection (bounded wait). */
  async line(ms = 15_000): Promise<string | null> {
    const deadline = Date.now() + ms;
    while (!this.#text.includes("\r\n")) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((r) =>
        timer = setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now()))
      );
      const n = await Promise.race([this.conn.read(this.#buf).catch(() => null), timeout]);
      clearTimeout(timer);
      if (n === "timeout") throw new Error(`no reply within ${ms} ms (have ${this.#text})`);
      if (n === null) return null;
      this.#text += new TextDecoder().decode(this.#buf.subarray(0, n));
    }
    const end = this.#text.indexOf("\r\n");
    const line = this.#text.slice(0, end);
    this.#text = this.#text.slice(end + 2);
    return line;
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // Already closed.
    }
  }
}

/** Waits (bounded) until the server logged `text`. */
async function waitForLog(logText: () => string, text: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!logText().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" in the log:\n${logText()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends PING from `b` until it answers BUSY (the script is past the threshold). */
async function waitBusy(b: Conn): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await b.send("PING");
    if (await b.line() === `-${busyEval}`) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the script never turned busy");
}

Deno.test("SHUTDOWN NOSAVE during a busy script stops the server without the script's writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_busyshut_" });
  try {
    const server = await startServer(dir, ["--transport", "native"]);
    const a = await Conn.open(server.port);
    const b = await Conn.open(server.port);
    try {
      await a.send("CONFIG", "SET", "busy-reply-threshold", "100");
      assert.equal(await a.line(), "+OK");
      await a.send("SET", "k1", "v1");
      assert.equal(await a.line(), "+OK");
      await a.send("EVAL", "redis.call('set', 'k2', 'v2') while true do end", "0");
      await waitBusy(b);
      await b.send("SCRIPT", "KILL");
      assert.match(String(await b.line()), /^-UNKILLABLE Sorry the script already executed/);
      await b.send("SHUTDOWN");
      assert.equal(await b.line(), `-${busyEval}`);
      await b.send("SHUTDOWN", "SAVE");
      assert.equal(await b.line(), `-${busyEval}`);
      await b.send("SHUTDOWN", "NOSAVE");
      assert.equal(await b.line(), null);
      // As in Redis, whose process is gone by then: nobody connects anymore.
      await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: server.port }));
      // The script's caller gets no reply: its connection closes.
      assert.equal(await a.line(), null);
      await waitForLog(server.process.logText, "Shutdown complete");
      // It exited by itself (0); the signal `stop` sends finds it gone.
      assert.equal(await server.process.stop(), 0);
      assert.match(server.process.logText(), /"snapshot":false/);
    } finally {
      a.close();
      b.close();
    }
    const again = await startServer(dir, ["--transport", "native"]);
    try {
      assert.equal(await redisCli(again.port, ["GET", "k1"]), "v1\n");
      assert.equal(await redisCli(again.port, ["EXISTS", "k2"]), "0\n");
    } finally {
      await again.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM during a busy script: handled once the script ends by itself", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_busyshut_" });
  try {
    const server = await startServer(dir, ["--transport", "native"]);
    const a = await Conn.open(server.port);
    const b = await Conn.open(server.port);
    try {
      await a.send("CONFIG", "SET", "busy-reply-threshold", "100");
      assert.equal(await a.line(), "+OK");
      // Ends by itself 1.5 s after it starts (by the server's clock).
      const timed = "redis.call('set', 'k3', 'v3') local t = redis.call('time') " +
        "local stop = t[1] * 1000000 + t[2] + 1500000 " +
        "while true do local n = redis.call('time') " +
        "if n[1] * 1000000 + n[2] > stop then break end end return 'done'";
      await a.send("EVAL", timed, "0");
      await waitBusy(b);
      const exit = server.process.stop("SIGTERM");
      assert.equal(await a.line(), "$4");
      assert.equal(await a.line(), "done");
      assert.equal(await exit, 0);
    } finally {
      a.close();
      b.close();
    }
    const again = await startServer(dir, ["--transport", "native"]);
    try {
      assert.equal(await redisCli(again.port, ["GET", "k3"]), "v3\n");
    } finally {
      await again.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
