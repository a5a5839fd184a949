import assert from "node:assert/strict";
import { RespConnection } from "../../../src/protocol/resp/connection.ts";
import type { ByteChannel } from "../../../src/protocol/net/mod.ts";
import { defaultKvConfig, openKvStore } from "../../../src/engine/kv_session.ts";
import { MemFileSystem } from "../../../src/storage/os/mod.ts";

/**
 * A transport for one test: delivers `input` into the connection's buffer in
 * reads of the given sizes and records what it is sent (each send is written
 * completely, reported drained a microtask later).
 */
class ChunkedTransport implements ByteChannel {
  readonly written: Uint8Array[] = [];
  writing = false;
  closed = false;
  handler: RespConnection | null = null;
  constructor(readonly input: Uint8Array, readonly sizes: number[]) {}
  send(data: Uint8Array, length = data.length): void {
    this.written.push(data.slice(0, length));
    this.writing = true;
    queueMicrotask(() => {
      this.writing = false;
      this.handler?.drained();
    });
  }
  close(): void {
    this.closed = true;
  }
  async run(c: RespConnection): Promise<void> {
    this.handler = c;
    let offset = 0;
    for (let chunk = 0; offset < this.input.length && !this.closed; chunk++) {
      while (this.writing) await Promise.resolve();
      const buf = c.readInto();
      const size = this.sizes[chunk % this.sizes.length]!;
      const n = Math.min(size, buf.length, this.input.length - offset);
      buf.set(this.input.subarray(offset, offset + n));
      offset += n;
      c.received(n);
    }
    while (this.writing) await Promise.resolve();
    c.ended();
  }
}

Deno.test("RespConnection parses large pipelined bulks split at any read size", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/d");
  const store = await openKvStore({ dataDir: "/d", fs, config: { ...defaultKvConfig } });
  try {
    const value = "v".repeat(1_100_000);
    let text = "";
    for (let i = 0; i < 8; i++) {
      text += `*3\r\n$3\r\nSET\r\n$2\r\nk${i}\r\n$${value.length}\r\n${value}\r\n`;
    }
    text += "*2\r\n$6\r\nSTRLEN\r\n$2\r\nk3\r\n";
    for (
      const sizes of [[65536], [1000, 70000, 3], [1 << 20], [7], [
        65536,
        12345,
        200000,
        1,
        99999,
        1 << 21,
      ]]
    ) {
      const conn = new ChunkedTransport(new TextEncoder().encode(text), sizes);
      const c = new RespConnection(conn, store);
      c.open("t", "t");
      await conn.run(c);
      const out = new TextDecoder().decode(new Uint8Array(conn.written.flatMap((w) => [...w])));
      assert.equal(out, "+OK\r\n".repeat(8) + ":1100000\r\n", `read sizes ${sizes}`);
    }
  } finally {
    store.abandon();
  }
});
