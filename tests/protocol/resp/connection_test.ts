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

/** A socket that never takes what it is sent: every send stays unsent. */
class StuckChannel implements ByteChannel {
  writing = false;
  closed = false;
  unsent = 0;
  sends = 0;
  send(_data: Uint8Array, length = _data.length): void {
    this.sends++;
    this.unsent += length;
    this.writing = true;
  }
  close(): void {
    this.closed = true;
  }
}

/** Feeds `text` into the connection as one read. */
function feed(c: RespConnection, text: string): void {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) {
    const buf = c.readInto();
    const n = Math.min(buf.length, bytes.length - off);
    buf.set(bytes.subarray(off, off + n));
    off += n;
    c.received(n);
  }
}

Deno.test("RespConnection: a batch past the output hard limit is dropped and the client closed", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/d");
  const store = await openKvStore({ dataDir: "/d", fs, config: { ...defaultKvConfig } });
  try {
    const ch = new StuckChannel();
    const c = new RespConnection(ch, store);
    c.open("t", "t");
    store.config.clientOutputBufferLimit = {
      ...store.config.clientOutputBufferLimit,
      normal: { hard: 1000, soft: 0, softSeconds: 0 },
    };
    const value = "v".repeat(2000);
    feed(c, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000\r\n${value}\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`);
    assert.equal(ch.sends, 0);
    assert.ok(ch.closed);
    assert.equal(store.engine.clients.size, 0);
    assert.equal(store.engine.clientsMemory, 0);
  } finally {
    store.abandon();
  }
});

Deno.test("RespConnection: pending output counts toward the pubsub limit; memory is accounted", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/d");
  const store = await openKvStore({ dataDir: "/d", fs, config: { ...defaultKvConfig } });
  try {
    store.config.clientOutputBufferLimit = {
      ...store.config.clientOutputBufferLimit,
      pubsub: { hard: 5000, soft: 0, softSeconds: 0 },
    };
    const ch = new StuckChannel();
    const sub = new RespConnection(ch, store);
    sub.open("s", "s");
    feed(sub, "*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n");
    const pubCh = new StuckChannel();
    const pub = new RespConnection(pubCh, store);
    pub.open("p", "p");
    let rounds = 0;
    for (; rounds < 100 && !ch.closed; rounds++) {
      // The publisher's socket takes its replies (one PUBLISH at a time).
      pubCh.writing = false;
      pubCh.unsent = 0;
      pub.drained();
      feed(pub, `*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n$100\r\n${"x".repeat(100)}\r\n`);
      if (!ch.closed) {
        const b = sub.buffers();
        assert.equal(b.omem, b.obl + ch.unsent);
        assert.ok(b.omem < 5000);
      }
    }
    assert.ok(ch.closed, "closed at the hard limit");
    assert.ok(rounds > 30 && rounds < 60, `rounds: ${rounds}`);
    assert.equal(store.engine.clients.size, 1);
  } finally {
    store.abandon();
  }
});

Deno.test("RespConnection: the query buffer grows for a big request and shrinks in cron", async () => {
  const fs = new MemFileSystem();
  fs.mkdir("/d");
  const store = await openKvStore({ dataDir: "/d", fs, config: { ...defaultKvConfig } });
  try {
    const ch = new StuckChannel();
    const c = new RespConnection(ch, store);
    c.open("t", "t");
    let b = c.buffers();
    assert.equal(b.qbuf + b.qbufFree, 16 * 1024);
    const value = "v".repeat(200_000);
    feed(c, `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200000\r\n${value.slice(0, 150_000)}`);
    b = c.buffers();
    assert.ok(b.qbuf >= 150_000, `qbuf ${b.qbuf}`);
    const client = [...store.engine.clients.values()][0]!;
    assert.ok(client.memory >= 200_000, `memory ${client.memory}`);
    assert.equal(store.engine.clientsMemory, client.memory);
    feed(c, `${value.slice(150_000)}\r\n`);
    assert.equal(c.buffers().qbuf, 0);
    // Sized for the request once its length was known, and not grown for its last bytes.
    assert.equal(c.buffers().qbufFree, 29 + 200_002);
    c.cron(1000, 0); // the peak of the last period was the big request: kept
    assert.ok(c.buffers().qbufFree >= 200_000);
    c.cron(1100, 0); // the next period has not ended: kept
    assert.ok(c.buffers().qbufFree >= 200_000);
    c.cron(1400, 0); // no big request in that period: shrinks to the least
    assert.equal(c.buffers().qbufFree, 16 * 1024);
    c.cron(1500, 3000); // idle: given back
    assert.equal(c.buffers().qbufFree, 0);
    assert.equal(client.memory, ch.unsent);
  } finally {
    store.abandon();
  }
});
