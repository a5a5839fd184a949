/**
 * The portable transport: `Deno.listen` with one async read loop per
 * connection. Used where the native transport does not load and when the
 * configuration asks for it.
 * @module
 */
import { log } from "../../common/log.ts";
import type {
  ByteChannel,
  ConnectionHandler,
  StreamListener,
  StreamListenOptions,
} from "./transport.ts";

const readBytes = 64 * 1024;

/** True for the errors a peer's disconnect produces. */
export function isDisconnect(e: unknown): boolean {
  return e instanceof Deno.errors.BadResource || e instanceof Deno.errors.ConnectionReset ||
    e instanceof Deno.errors.BrokenPipe || e instanceof Deno.errors.NotConnected ||
    e instanceof Deno.errors.Interrupted || e instanceof Deno.errors.ConnectionAborted;
}

function addrText(addr: Deno.Addr): string {
  return addr.transport === "tcp" ? `${addr.hostname}:${addr.port}` : String(addr.transport);
}

/** One connection over a `Deno.Conn`. */
class DenoChannel implements ByteChannel {
  handler: ConnectionHandler | null = null;
  writing = false;
  #closed = false;
  #resume: (() => void) | null = null;
  /** The unwritten rest of the send in flight. */
  #pending: Uint8Array | null = null;
  readonly #in = new Uint8Array(readBytes);

  constructor(readonly conn: Deno.Conn, readonly label: string) {}

  get unsent(): number {
    return this.#pending === null ? 0 : this.#pending.length;
  }

  send(chunk: Uint8Array, length?: number): void {
    if (this.#closed) return;
    if (length !== undefined && length < chunk.length) chunk = chunk.subarray(0, length);
    this.writing = true;
    this.#pending = chunk;
    this.conn.write(chunk).then(this.#written, this.#writeFailed);
  }

  /**
   * A write finished: writes the rest of a partial one, or reports the drain.
   * Bound once, so a send costs the runtime's write promise and nothing more.
   */
  readonly #written = (n: number): void => {
    const chunk = this.#pending;
    if (chunk === null || this.#closed) return;
    if (n < chunk.length) {
      this.#pending = chunk.subarray(n);
      this.conn.write(this.#pending).then(this.#written, this.#writeFailed);
      return;
    }
    this.#pending = null;
    this.writing = false;
    const resume = this.#resume;
    this.#resume = null;
    resume?.();
    this.handler?.drained();
  };

  readonly #writeFailed = (e: unknown): void => {
    this.#pending = null;
    this.writing = false;
    if (!isDisconnect(e)) log.warn(`${this.label} write failed`, { error: String(e) });
    this.#fail();
  };

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = null;
    this.writing = false;
    this.#resume?.();
    try {
      this.conn.close();
    } catch (e) {
      // Already closed by the peer or by shutdown: nothing left to release.
      if (!(e instanceof Deno.errors.BadResource)) throw e;
    }
  }

  #fail(): void {
    if (this.#closed) return;
    this.close();
    this.handler?.ended();
  }

  /** Reads until the peer closes or the handler closes the channel. */
  async run(handler: ConnectionHandler): Promise<void> {
    try {
      while (!this.#closed) {
        // A client that does not read its replies stops being read.
        if (this.writing && handler.pendingInput > 0) {
          await new Promise<void>((resolve) => this.#resume = resolve);
          continue;
        }
        // The handler may drain and move its buffer while this read is pending
        // (a blocked command wakes), so read into our own and copy.
        const n = await this.conn.read(this.#in);
        if (n === null) break;
        for (let off = 0; off < n && !this.#closed;) {
          const into = handler.readInto();
          const k = Math.min(into.length, n - off);
          into.set(this.#in.subarray(off, off + k));
          off += k;
          handler.received(k);
        }
      }
    } catch (e) {
      if (!this.#closed && !isDisconnect(e)) {
        log.warn(`${this.label} connection failed`, { error: String(e) });
      }
    }
    this.#fail();
  }
}

/** Listens with `Deno.listen`. */
export function listenDeno(options: StreamListenOptions): StreamListener {
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
    transport: "tcp",
  });
  const channels = new Set<DenoChannel>();
  const running = new Set<Promise<void>>();
  let closed = false;
  let accepts = true;
  const accepting = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (closed || !accepts) return;
        log.warn(`${options.label} accept failed`, { error: String(e) });
        continue;
      }
      try {
        conn.setNoDelay(true);
      } catch (e) {
        // The peer may already be gone; the read loop will notice.
        log.debug(`${options.label} setNoDelay failed`, { error: String(e) });
      }
      const channel = new DenoChannel(conn, options.label);
      const handler = options.onConnection(
        channel,
        addrText(conn.remoteAddr),
        addrText(conn.localAddr),
      );
      channel.handler = handler;
      channels.add(channel);
      const done = channel.run(handler).finally(() => {
        channels.delete(channel);
        running.delete(done);
      });
      running.add(done);
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    kind: "deno",
    get connections() {
      return channels.size;
    },
    /** Not tracked: the `Deno.listen` path never blocks the event loop. */
    working: 0,
    stopAccepting() {
      if (!accepts) return;
      accepts = false;
      listener.close();
    },
    async close() {
      if (closed) return;
      closed = true;
      this.stopAccepting();
      await accepting;
      for (const c of channels) c.handler?.shutdown();
      await Promise.allSettled([...running]);
    },
  };
}
