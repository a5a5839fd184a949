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
import { busyEval, RawClient, waitBusy } from "./_raw_client.ts";

/** Waits (bounded) until the server logged `text`. */
async function waitForLog(logText: () => string, text: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!logText().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" in the log:\n${logText()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("SHUTDOWN NOSAVE during a busy script stops the server without the script's writes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "thunder_busyshut_" });
  try {
    const server = await startServer(dir, ["--transport", "native"]);
    const a = await RawClient.open(server.port);
    const b = await RawClient.open(server.port);
    try {
      await a.send(["CONFIG", "SET", "busy-reply-threshold", "100"]);
      assert.equal(await a.line(), "+OK");
      await a.send(["SET", "k1", "v1"]);
      assert.equal(await a.line(), "+OK");
      await a.send(["EVAL", "redis.call('set', 'k2', 'v2') while true do end", "0"]);
      await waitBusy(b, `-${busyEval}`);
      await b.send(["SCRIPT", "KILL"]);
      assert.match(String(await b.line()), /^-UNKILLABLE Sorry the script already executed/);
      await b.send(["SHUTDOWN"]);
      assert.equal(await b.line(), `-${busyEval}`);
      await b.send(["SHUTDOWN", "SAVE"]);
      assert.equal(await b.line(), `-${busyEval}`);
      await b.send(["SHUTDOWN", "NOSAVE"]);
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
    const a = await RawClient.open(server.port);
    const b = await RawClient.open(server.port);
    try {
      await a.send(["CONFIG", "SET", "busy-reply-threshold", "100"]);
      assert.equal(await a.line(), "+OK");
      // Ends by itself 1.5 s after it starts (by the server's clock).
      const timed = "redis.call('set', 'k3', 'v3') local t = redis.call('time') " +
        "local stop = t[1] * 1000000 + t[2] + 1500000 " +
        "while true do local n = redis.call('time') " +
        "if n[1] * 1000000 + n[2] > stop then break end end return 'done'";
      await a.send(["EVAL", timed, "0"]);
      await waitBusy(b, `-${busyEval}`);
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
