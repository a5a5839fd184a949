/**
 * The seam between a wire protocol's connection and the transport that does
 * its socket I/O. The transport reads bytes into the handler's buffer and
 * reports them; the handler parses, executes and hands back bytes to send.
 * Two transports implement it: the native epoll loop (`native_listener.ts`)
 * and the portable `Deno.listen` one (`deno_listener.ts`).
 * @module
 */

/** The sending side a transport gives each connection. */
export interface ByteChannel {
  /**
   * Sends `chunk`, or its first `length` bytes when given (so a caller with
   * a reused buffer needs no view per send). At most one send is unfinished
   * at a time: call it only when `writing` is false. The transport may keep
   * the bytes until it reports `drained`, so the caller must not reuse their
   * memory before then.
   */
  send(chunk: Uint8Array, length?: number): void;
  /** True while a send is not completely written (wait for `drained`). */
  readonly writing: boolean;
  /**
   * Bytes of sends the socket has not accepted yet (a client's pending
   * output, for output buffer limits and memory accounting). Optional (0).
   */
  readonly unsent?: number;
  /** Closes the socket now, dropping unsent bytes. No `ended` follows. */
  close(): void;
  /**
   * Stops (true) or resumes (false) reading from the socket, for a handler
   * that holds a backlog of input it has not consumed yet. Optional.
   */
  pauseReading?(paused: boolean): void;
  /**
   * The handler works (true: runs or awaits something other than input, such
   * as a commit's fsync) or waits for input (false). Optional; a channel
   * starts as waiting. While any connection works, the native loop does not
   * block the event-loop thread, so work finished by the runtime (a thread's
   * fsync, a timer) is seen at once.
   */
  setWorking?(working: boolean): void;
}

/** What a transport drives: one protocol connection. */
export interface ConnectionHandler {
  /** Free space to read the next bytes into (the handler grows its buffer as needed). */
  readInto(): Uint8Array;
  /** `n` bytes were read into the last `readInto` view. */
  received(n: number): void;
  /** Bytes read but not yet consumed; the transport stops reading while writing with these. */
  readonly pendingInput: number;
  /** The last send is completely written. */
  drained(): void;
  /** The peer closed the connection or it failed; the socket is already closed. */
  ended(): void;
  /** Server shutdown: close now. */
  shutdown(): void;
  /**
   * True while the handler runs a request synchronously: a `serveNow` turn
   * made from inside that request does not read or write this connection.
   */
  readonly executing?: boolean;
}

/** Which transport a listener uses; "auto" picks native where it loads. */
export type TransportChoice = "auto" | "native" | "deno";

/** Options of a stream listener. */
export interface StreamListenOptions {
  readonly hostname: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Name for log lines ("RESP", "PostgreSQL"). */
  readonly label: string;
  /**
   * Native transport: replies sent while the loop serves one turn's ready
   * sockets are copied aside and sent after all of them, so the clients they
   * wake are woken close together instead of between the requests of others
   * (as the `Deno.listen` path's writes leave, one microtask after the reads).
   */
  readonly gatherReplies?: boolean;
  /**
   * Native transport: called before and after the loop serves one turn's
   * ready sockets, synchronously (the RESP listener logs a turn's writes as
   * one WAL record).
   */
  readonly onTurn?: (starting: boolean) => void;
  /** Creates the handler of an accepted connection (remote and local `host:port`). */
  readonly onConnection: (channel: ByteChannel, remote: string, local: string) => ConnectionHandler;
}

/** A running listener. */
export interface StreamListener {
  /** The port actually bound. */
  readonly port: number;
  /** The transport in use. */
  readonly kind: "native" | "deno";
  /** Open connections. */
  readonly connections: number;
  /** Connections that work on something else than reading (see `ByteChannel.setWorking`). */
  readonly working: number;
  /** Stops accepting and frees the port; open connections stay served until `close`. */
  stopAccepting(): void;
  /** Stops accepting, shuts every connection down and waits for the transport to stop. */
  close(): Promise<void>;
  /**
   * Native transport only: serves the connections that are ready now,
   * synchronously, from inside a request that runs long (a Redis script past
   * busy-reply-threshold). The `Deno.listen` transport cannot poll
   * synchronously and has none.
   */
  readonly serveNow?: () => void;
}
