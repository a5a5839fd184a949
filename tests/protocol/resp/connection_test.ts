import assert from "node:assert/strict";
import { RespConnection } from "../../../src/protocol/resp/connection.ts";
import { defaultKvConfig, openKvStore } from "../../../src/engine/kv_session.ts";
import { MemFileSystem } from "../../../src/storage/os/mod.ts";

/** A fake connection that delivers `input` in chunks of the given sizes and records writes. */
class FakeConn {
  readonly written: Uint8Array[] = [];
  #offset = 0;
  #chunk = 0;
  constructor(readonly input: Uint8Array, readonly sizes: number[]) {}
  read(buf: Uint8Array): Promise<number | null> {
    if (this.#offset >= this.input.length) return Promise.resolve(null);
    const size = this.sizes[this.#chunk++ % this.sizes.length]!;
    const n = Math.min(size, buf.length, this.input.length - this.#offset);
    buf.set(this.input.subarray(this.#offset, this.#offset + n));
    this.#offset += n;
    return Promise.resolve(n);
  }
  write(data: Uint8Array): Promise<number> {
    this.written.push(data.slice());
    return Promise.resolve(data.length);
  }
  close(): void {}
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
      const conn = new FakeConn(new TextEncoder().encode(text), sizes);
      const c = new RespConnection(conn as unknown as Deno.Conn, store);
      await c.run("t", "t");
      const out = new TextDecoder().decode(new Uint8Array(conn.written.flatMap((w) => [...w])));
      assert.equal(out, "+OK\r\n".repeat(8) + ":1100000\r\n", `read sizes ${sizes}`);
    }
  } finally {
    store.abandon();
  }
});
