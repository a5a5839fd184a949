/**
 * End-to-end: redis-cli (one-shot commands, RESP3, --pipe bulk load, --scan)
 * and raw sockets against a real server process.
 */
import assert from "node:assert/strict";
import { redisCli, startServer } from "./_support.ts";

async function rawExchange(port: number, request: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(request));
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) break;
    chunks.push(buf.slice(0, n));
  }
  conn.close();
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

/** Every test runs over both socket transports of the RESP listener. */
for (const transport of ["native", "deno"]) {
  Deno.test(`redis-cli: commands, errors, RESP3, --pipe of 100,000 commands, --scan (${transport} transport)`, async () => {
    const dir = await Deno.makeTempDir();
    const server = await startServer(dir, ["--transport", transport]);
    try {
      const p = server.port;
      assert.equal(await redisCli(p, ["PING"]), "PONG\n");
      assert.equal(await redisCli(p, ["SET", "greeting", "hello world"]), "OK\n");
      assert.equal(await redisCli(p, ["GET", "greeting"]), "hello world\n");
      assert.equal(
        (await redisCli(p, ["LPUSH", "greeting", "x"])).trim(),
        "WRONGTYPE Operation against a key holding the wrong kind of value",
      );
      assert.equal(
        (await redisCli(p, ["NOPE"])).trim(),
        "ERR unknown command 'NOPE', with args beginning with:",
      );
      assert.equal(await redisCli(p, ["-3", "HSET", "h", "a", "1"]), "1\n");
      assert.equal(await redisCli(p, ["-3", "HGETALL", "h"]), "a 1\n");
      assert.equal(await redisCli(p, ["-3", "ZADD", "z", "1.5", "m"]), "1\n");
      assert.equal(await redisCli(p, ["-3", "ZSCORE", "z", "m"]), "1.5\n");
      const resp3 = await rawExchange(
        p,
        "HELLO 3\r\nHGETALL h\r\nZSCORE z m\r\nGET nope\r\nQUIT\r\n",
      );
      assert.match(resp3, /^%7\r\n\$6\r\nserver\r\n\$5\r\nredis\r\n/);
      assert.equal(
        resp3.slice(resp3.indexOf("%1")),
        "%1\r\n$1\r\na\r\n$1\r\n1\r\n,1.5\r\n_\r\n+OK\r\n",
      );
      assert.match(await redisCli(p, ["INFO", "server"]), /redis_version:7/);
      assert.match(
        await redisCli(p, ["CONFIG", "GET", "maxmemory*"]),
        /maxmemory\n0\nmaxmemory-policy\nnoeviction/,
      );
      assert.equal(await redisCli(p, ["COMMAND", "COUNT"]).then((s) => Number(s) > 150), true);
      const interactive = await redisCli(p, [], "SET a 1\nINCR a\nGET a\nQUIT\n");
      assert.equal(interactive, "OK\n2\n2\n");

      let payload = "";
      for (let i = 0; i < 100_000; i++) {
        const k = `bulk:${i}`;
        const v = `value-${i}`;
        payload += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
      }
      const piped = await redisCli(p, ["--pipe"], payload);
      assert.match(piped, /errors: 0, replies: 100000/);
      assert.equal(await redisCli(p, ["GET", "bulk:99999"]), "value-99999\n");
      const scanned = (await redisCli(p, ["--scan", "--pattern", "bulk:1*"])).trim().split("\n");
      assert.equal(new Set(scanned).size, 11_111);
      assert.equal((await redisCli(p, ["DBSIZE"])).trim(), String(100_000 + 4));
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`a protocol error closes only that connection; limits are enforced (${transport} transport)`, async () => {
    const dir = await Deno.makeTempDir();
    const server = await startServer(dir, [
      "--transport",
      transport,
      "--maxclients",
      "3",
      "--requirepass",
      "pw",
    ]);
    try {
      const p = server.port;
      assert.equal(
        await rawExchange(p, "*x\r\n"),
        "-ERR Protocol error: invalid multibulk length\r\n",
      );
      assert.equal(
        await rawExchange(p, "*1\r\n:5\r\n"),
        "-ERR Protocol error: expected '$', got ':'\r\n",
      );
      assert.equal(
        await rawExchange(p, "*20\r\n"),
        "-ERR Protocol error: unauthenticated multibulk length\r\n",
      );
      assert.equal(
        await rawExchange(p, "GET k\r\nQUIT\r\n"),
        "-NOAUTH Authentication required.\r\n+OK\r\n",
      );
      assert.equal(
        await rawExchange(p, 'AUTH pw\r\nSET k "v w"\r\nGET k\r\nQUIT\r\n'),
        "+OK\r\n+OK\r\n$3\r\nv w\r\n+OK\r\n",
      );
      const held = await Promise.all(
        [1, 2, 3].map(() => Deno.connect({ hostname: "127.0.0.1", port: p })),
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await rawExchange(p, "PING\r\n"), "-ERR max number of clients reached\r\n");
      for (const c of held) c.close();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await rawExchange(p, "AUTH pw\r\nPING\r\nQUIT\r\n"), "+OK\r\n+PONG\r\n+OK\r\n");
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`a client that disconnects while blocked is not handed an element; pipelined commands after a block run (${transport} transport)`, async () => {
    const dir = await Deno.makeTempDir();
    const server = await startServer(dir, ["--transport", transport]);
    try {
      const p = server.port;
      const blocked = await Deno.connect({ hostname: "127.0.0.1", port: p });
      await blocked.write(new TextEncoder().encode("BLPOP q 0\r\n"));
      await new Promise((r) => setTimeout(r, 200));
      blocked.close();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await redisCli(p, ["RPUSH", "q", "item"])).trim(), "1");
      assert.equal((await redisCli(p, ["LRANGE", "q", "0", "-1"])).trim(), "item");
      const reply = await rawExchange(p, "BLPOP q 1\r\nSET after 1\r\nGET after\r\nQUIT\r\n");
      assert.equal(reply, "*2\r\n$1\r\nq\r\n$4\r\nitem\r\n+OK\r\n$1\r\n1\r\n+OK\r\n");
      const timed = await rawExchange(p, "BLPOP q 0.1\r\nPING\r\nQUIT\r\n");
      assert.equal(timed, "*-1\r\n+PONG\r\n+OK\r\n");
      const resp3 = await rawExchange(p, "HELLO 3\r\nSUBSCRIBE ch\r\nGET k\r\nQUIT\r\n");
      assert.equal(
        resp3.slice(resp3.indexOf(">3")),
        ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n_\r\n+OK\r\n",
      );
      const slow = await Deno.connect({ hostname: "127.0.0.1", port: p });
      await slow.write(new TextEncoder().encode("SUBSCRIBE firehose\r\n"));
      await new Promise((r) => setTimeout(r, 200));
      const publisher = await Deno.connect({ hostname: "127.0.0.1", port: p });
      const message = "x".repeat(1024 * 1024);
      const publish = new TextEncoder().encode(
        `*3\r\n$7\r\nPUBLISH\r\n$8\r\nfirehose\r\n$${message.length}\r\n${message}\r\n`.repeat(8),
      );
      for (let i = 0; i < 12; i++) {
        for (let off = 0; off < publish.length;) {
          off += await publisher.write(publish.subarray(off));
        }
      }
      publisher.close();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await redisCli(p, ["PUBSUB", "NUMSUB", "firehose"])).trim(), "firehose\n0");
      slow.close();
      assert.equal((await redisCli(p, ["SAVE"])).trim(), "OK");
      assert.ok(Number((await redisCli(p, ["LASTSAVE"])).trim()) > 1_600_000_000);
      const list = await redisCli(p, ["CLIENT", "LIST"]);
      assert.match(
        list,
        /^id=\d+ addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ .* cmd=client\|list user=default .*resp=2$/m,
      );
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
