/** The PgTransport over a socket-transport channel: reads, staging, back-pressure and sends. */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { ByteChannel } from "../../../src/protocol/net/mod.ts";
import { ChannelTransport } from "../../../src/protocol/pg/_channel_transport.ts";

/** A channel whose socket takes `accept` bytes per send; records what it was told. */
class TestChannel implements ByteChannel {
  writing = false;
  closed = false;
  accept = Infinity;
  readonly sent: number[] = [];
  readonly pauses: boolean[] = [];
  readonly working: boolean[] = [];
  held: Uint8Array | null = null;

  setWorking(working: boolean): void {
    this.working.push(working);
  }

  send(chunk: Uint8Array): void {
    const n = Math.min(this.accept, chunk.length);
    this.sent.push(...chunk.subarray(0, n));
    if (n < chunk.length) {
      this.held = chunk.subarray(n);
      this.writing = true;
    }
  }

  /** The socket became writable: the rest goes out. */
  drain(t: ChannelTransport): void {
    this.sent.push(...(this.held ?? []));
    this.held = null;
    this.writing = false;
    t.drained();
  }

  close(): void {
    this.closed = true;
  }

  pauseReading(paused: boolean): void {
    this.pauses.push(paused);
  }
}

/** What the socket transport does when `bytes` arrive. */
function arrive(t: ChannelTransport, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) {
    const into = t.readInto();
    const k = Math.min(into.length, bytes.length - off);
    into.set(bytes.subarray(off, off + k));
    off += k;
    t.received(k);
  }
}

Deno.test("a pending read gets the bytes in its own buffer; later bytes wait staged", async () => {
  const channel = new TestChannel();
  const t = new ChannelTransport(channel);
  const buf = new Uint8Array(8);
  const reading = t.read(buf);
  arrive(t, new Uint8Array([1, 2, 3]));
  strictEqual(await reading, 3);
  deepStrictEqual([...buf.subarray(0, 3)], [1, 2, 3]);
  arrive(t, new Uint8Array([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]));
  strictEqual(t.pendingInput, 10);
  strictEqual(await t.read(buf), 8);
  deepStrictEqual([...buf], [4, 5, 6, 7, 8, 9, 10, 11]);
  strictEqual(await t.read(buf), 2);
  strictEqual(t.pendingInput, 0);
  t.ended();
  strictEqual(await t.read(buf), null);
});

Deno.test("reading pauses while a large backlog is staged and resumes once it is consumed", async () => {
  const channel = new TestChannel();
  const t = new ChannelTransport(channel);
  const data = new Uint8Array(600 * 1024).map((_, i) => i % 251);
  arrive(t, data);
  deepStrictEqual(channel.pauses, [true]);
  const out = new Uint8Array(data.length);
  let got = 0;
  while (got < data.length) got += (await t.read(out.subarray(got, got + 64 * 1024)))!;
  deepStrictEqual(channel.pauses, [true, false]);
  deepStrictEqual(out, data);
});

Deno.test("a send the socket does not take at once settles when the channel drains", async () => {
  const channel = new TestChannel();
  const t = new ChannelTransport(channel);
  strictEqual(t.send(new Uint8Array([1, 2])), undefined);
  channel.accept = 1;
  const rest = t.send(new Uint8Array([3, 4, 5]));
  strictEqual(rest instanceof Promise, true);
  let settled = false;
  void rest!.then(() => settled = true);
  const written = t.write(new Uint8Array([6]));
  await Promise.resolve();
  strictEqual(settled, false);
  channel.accept = Infinity;
  channel.drain(t);
  await rest;
  strictEqual(await written, 1);
  deepStrictEqual(channel.sent, [1, 2, 3, 4, 5, 6]);
  t.close();
  strictEqual(channel.closed, true);
  strictEqual(await t.read(new Uint8Array(4)), null);
});

Deno.test("a push-style read gets bytes by a plain call and tells the channel when it waits", () => {
  const channel = new TestChannel();
  const t = new ChannelTransport(channel);
  const buf = new Uint8Array(8);
  const got: (number | null)[] = [];
  const then = (n: number | null) => got.push(n);
  strictEqual(t.readNow(buf, then), undefined);
  deepStrictEqual(channel.working, [false]);
  arrive(t, new Uint8Array([1, 2, 3]));
  // Handed over synchronously, into the read's own buffer.
  deepStrictEqual(got, [3]);
  deepStrictEqual([...buf.subarray(0, 3)], [1, 2, 3]);
  deepStrictEqual(channel.working, [false, true]);
  // Bytes that arrive while the connection works are staged and returned at once.
  arrive(t, new Uint8Array([4, 5]));
  strictEqual(t.readNow(buf, then), 2);
  deepStrictEqual([...buf.subarray(0, 2)], [4, 5]);
  deepStrictEqual(channel.working, [false, true]);
  // The end of the stream reaches a parked read as null.
  strictEqual(t.readNow(buf, then), undefined);
  t.ended();
  deepStrictEqual(got, [3, null]);
  deepStrictEqual(channel.working, [false, true, false, true]);
  strictEqual(t.readNow(buf, then), null);
});
