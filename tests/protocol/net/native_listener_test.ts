/**
 * The socket transports over real loopback connections: echo, large sends
 * that the kernel takes in parts, peer disconnects, shutdown with open
 * connections, no descriptor leaks, and the JS event loop staying responsive
 * while the native loop waits.
 */
import assert from "node:assert/strict";
import {
  type ByteChannel,
  type ConnectionHandler,
  listenStream,
  type StreamListener,
} from "../../../src/protocol/net/mod.ts";
import { listenNative } from "../../../src/protocol/net/native_listener.ts";

/** An echo handler that records what happened to it. */
class Echo implements ConnectionHandler {
  readonly buf = new Uint8Array(4096);
  events: string[] = [];
  #queued: Uint8Array[] = [];
  /** With a fixed reply, only its first `replyLength` bytes are sent (`send`'s length). */
  constructor(
    readonly channel: ByteChannel,
    readonly reply?: Uint8Array,
    readonly replyLength?: number,
  ) {}
  get pendingInput(): number {
    return 0;
  }
  readInto(): Uint8Array {
    return this.buf;
  }
  received(n: number): void {
    // With a fixed reply, one per byte received.
    if (this.reply === undefined) this.#queued.push(this.buf.slice(0, n));
    else for (let i = 0; i < n; i++) this.#queued.push(this.reply);
    this.drained();
  }
  drained(): void {
    if (this.channel.writing) return;
    const next = this.#queued.shift();
    if (next === undefined) return;
    if (next === this.reply && this.replyLength !== undefined) {
      this.channel.send(next, this.replyLength);
    } else this.channel.send(next);
  }
  ended(): void {
    this.events.push("ended");
  }
  shutdown(): void {
    this.events.push("shutdown");
    this.channel.close();
  }
}

/**
 * Open sockets of this process. Other descriptors (the runtime's own epoll and
 * event fds, opened lazily by its thread pool) come and go independently of
 * the transport, so only sockets are counted.
 */
function openFds(): number {
  let n = 0;
  for (const e of Deno.readDirSync("/proc/self/fd")) {
    try {
      if (Deno.readLinkSync(`/proc/self/fd/${e.name}`).startsWith("socket:")) n++;
    } catch {
      // Closed between listing and reading: not open any more.
    }
  }
  return n;
}

async function readExactly(conn: Deno.Conn, bytes: number): Promise<Uint8Array> {
  const out = new Uint8Array(bytes);
  let off = 0;
  while (off < bytes) {
    const n = await conn.read(out.subarray(off));
    if (n === null) throw new Error(`EOF after ${off} of ${bytes} bytes`);
    off += n;
  }
  return out;
}

function listen(kind: "native" | "deno", make: (c: ByteChannel) => Echo): {
  listener: StreamListener;
  handlers: Echo[];
} {
  const handlers: Echo[] = [];
  const listener = listenStream({
    hostname: "127.0.0.1",
    port: 0,
    label: "test",
    onConnection(channel) {
      const h = make(channel);
      handlers.push(h);
      return h;
    },
  }, kind);
  assert.equal(listener.kind, kind);
  return { listener, handlers };
}

for (const kind of ["native", "deno"] as const) {
  Deno.test(`${kind} transport: echo over many connections, EOF, shutdown, no fd leak`, async () => {
    const before = openFds();
    const { listener, handlers } = listen(kind, (c) => new Echo(c));
    const conns = await Promise.all(
      Array.from(
        { length: 20 },
        () => Deno.connect({ hostname: "127.0.0.1", port: listener.port }),
      ),
    );
    for (let round = 0; round < 5; round++) {
      await Promise.all(conns.map(async (conn, i) => {
        const msg = new TextEncoder().encode(`hello ${i} ${round}\n`);
        await conn.write(msg);
        assert.deepEqual(await readExactly(conn, msg.length), msg);
      }));
    }
    assert.equal(listener.connections, 20);
    // Ten peers leave: their handlers see the end.
    for (const conn of conns.splice(0, 10)) conn.close();
    for (let i = 0; i < 100 && listener.connections > 10; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(listener.connections, 10);
    assert.equal(handlers.filter((h) => h.events.includes("ended")).length, 10);
    // Shutdown closes the rest.
    await listener.close();
    assert.equal(handlers.filter((h) => h.events.includes("shutdown")).length, 10);
    for (const conn of conns) {
      assert.equal(await conn.read(new Uint8Array(10)), null);
      conn.close();
    }
    // A runtime-side close may finish a moment later: wait briefly, then compare.
    for (let i = 0; i < 50 && openFds() !== before; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(openFds(), before);
  });

  Deno.test(`${kind} transport: a large reply to a slow reader arrives whole and in order`, async () => {
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
    // Sent from a larger buffer with a length: the tail must never go out.
    const buffer = new Uint8Array(big.length + 4096).fill(255);
    buffer.set(big);
    const { listener, handlers } = listen(kind, (c) => new Echo(c, buffer, big.length));
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
    try {
      await conn.write(new Uint8Array([1]));
      await conn.write(new Uint8Array([2]));
      await new Promise((r) => setTimeout(r, 100));
      // The kernel cannot hold 32 MiB for a client that has not read yet.
      assert.equal(handlers[0]!.channel.writing, true);
      const got = await readExactly(conn, 2 * big.length);
      assert.deepEqual(got.subarray(0, big.length), big);
      assert.deepEqual(got.subarray(big.length), big);
    } finally {
      conn.close();
      await listener.close();
    }
  });
}

Deno.test("native transport: timers and Deno sockets run while it waits and while it serves", async () => {
  const { listener } = listen("native", (c) => new Echo(c));
  const other = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
  try {
    // Idle: a timer fires close to its time.
    let t = performance.now();
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(performance.now() - t < 500, "timer late while the native loop is idle");
    // Busy with a client: the other listener still accepts and a timer still fires.
    let stop = false;
    const load = (async () => {
      const msg = new Uint8Array(100);
      for (let i = 0; i < 100_000 && !stop; i++) {
        await conn.write(msg);
        await readExactly(conn, msg.length);
      }
    })();
    t = performance.now();
    const [accepted, peer] = await Promise.all([
      other.accept(),
      Deno.connect({ hostname: "127.0.0.1", port: (other.addr as Deno.NetAddr).port }),
    ]);
    await new Promise((r) => setTimeout(r, 5));
    assert.ok(performance.now() - t < 1000, "event loop starved by the native loop");
    accepted.close();
    peer.close();
    stop = true;
    await load;
  } finally {
    conn.close();
    other.close();
    await listener.close();
  }
});

/** Answers each request after a timer, telling the channel it works meanwhile. */
class AfterTimer extends Echo {
  override received(n: number): void {
    this.channel.setWorking?.(true);
    const reply = this.buf.slice(0, n);
    setTimeout(() => {
      this.channel.setWorking?.(false);
      this.channel.send(reply);
    }, 100);
  }
}

Deno.test("native transport: counts the connections that work on something else than reading", async () => {
  const { listener, handlers } = listen("native", (c) => new AfterTimer(c));
  const a = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
  const b = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
  try {
    await a.write(new Uint8Array([1]));
    await b.write(new Uint8Array([2]));
    // Both requests arrive while the first timer runs (100 ms).
    for (let i = 0; i < 100 && listener.working < 2; i++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.equal(listener.working, 2);
    assert.deepEqual(await readExactly(a, 1), new Uint8Array([1]));
    assert.deepEqual(await readExactly(b, 1), new Uint8Array([2]));
    assert.equal(listener.working, 0);
    // A connection that closes while it works is no longer counted.
    await a.write(new Uint8Array([3]));
    for (let i = 0; i < 100 && listener.working === 0; i++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    assert.equal(listener.working, 1);
    handlers[0]!.channel.close();
    assert.equal(listener.working, 0);
    await new Promise((r) => setTimeout(r, 10));
  } finally {
    a.close();
    b.close();
    await listener.close();
  }
});

Deno.test("native transport: not used for an address it cannot bind natively", () => {
  const native = listenNative({
    hostname: "::1",
    port: 0,
    label: "test",
    onConnection: () => {
      throw new Error("unreachable");
    },
  });
  assert.equal(native, null);
});

Deno.test("native transport: a taken port is AddrInUse", async () => {
  const { listener } = listen("native", (c) => new Echo(c));
  try {
    assert.throws(
      () =>
        listenStream({
          hostname: "127.0.0.1",
          port: listener.port,
          label: "test",
          onConnection: (c) => new Echo(c),
        }, "native"),
      Deno.errors.AddrInUse,
    );
  } finally {
    await listener.close();
  }
});
