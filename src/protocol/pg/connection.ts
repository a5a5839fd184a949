/**
 * One client connection: startup (SSLRequest, GSSENCRequest, CancelRequest),
 * authentication, then the simple and extended query loops over a `Session`.
 * Output is batched in one `MessageWriter` and written once per simple query,
 * Sync or Flush.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { log } from "../../common/log.ts";
import type { Session } from "../../engine/session_api.ts";
import { authenticate, ClientGone } from "./auth.ts";
import {
  encodeAuthenticationOk,
  encodeBackendKeyData,
  encodeErrorResponse,
  encodeNegotiateProtocolVersion,
  encodeNotificationResponse,
  encodeReadyForQuery,
} from "./backend_messages.ts";
import { createCopyPort } from "./_copy_port.ts";
import { errorFields, isDisconnect } from "./_error_fields.ts";
import { ExtendedQuery } from "./_extended.ts";
import { decodeQuery, decodeStartupMessage } from "./frontend_messages.ts";
import { InputBuffer, type PgTransport } from "./_input.ts";
import { ProtocolViolation } from "./message_reader.ts";
import type { MessageWriter } from "./message_writer.ts";
import { flushBytes, ReplySender } from "./_reply_sender.ts";
import { ReportedSettings } from "./_reported_settings.ts";
import { SimpleQuery } from "./_simple_query.ts";

import type { ConnectionContext } from "./context.ts";

export { errorFields } from "./_error_fields.ts";

/**
 * What serving the buffered messages ended with: undefined when more input is
 * needed, null at the end (Terminate or end of stream), or the promise of a
 * statement that suspended.
 */
type Step = undefined | null | Promise<void>;

/**
 * A message loop parked on a push-style read (see `PgTransport.readNow`). The
 * step is boxed: resolving with a promise itself would wait for it.
 */
interface Parked {
  readonly resolve: (woken: { readonly step: Step }) => void;
  readonly reject: (e: unknown) => void;
}

/** One client connection; `run()` serves it until it ends. */
export class PgConnection {
  readonly #ctx: ConnectionContext;
  readonly writer: MessageWriter;
  readonly input: InputBuffer;
  readonly #out: ReplySender;
  #transport: PgTransport;
  readonly #peer: { readonly hostname: string; readonly port: number } | undefined;
  #session: Session | null = null;
  #extended: ExtendedQuery | null = null;
  #parked: Parked | null = null;
  readonly #settings: ReportedSettings;
  readonly #simple: SimpleQuery;
  #idle = false;
  #closed = false;

  /**
   * @param peer the client's address, shown in pg_stat_activity
   */
  constructor(
    transport: PgTransport,
    ctx: ConnectionContext,
    peer?: { readonly hostname: string; readonly port: number },
  ) {
    this.#peer = peer;
    this.#transport = transport;
    this.#ctx = ctx;
    this.input = new InputBuffer(transport, ctx.limits.messageBytesMax);
    this.#out = new ReplySender(transport, () => this.close());
    this.writer = this.#out.writer;
    this.#settings = new ReportedSettings(this.writer);
    this.#simple = new SimpleQuery({
      writer: this.writer,
      textOptions: () => this.#settings.textOptions,
      noteResult: (r) => this.#settings.noteResult(r),
      flushIfLarge: () => this.#flushIfLarge(),
      readyForQuery: (session) => this.#readyForQuery(session),
    });
  }

  /** Queues the writer's bytes for sending; resolves when they are written. */
  flush(): Promise<void> {
    return this.#out.flush();
  }

  /** Closes the transport (idempotent); a pending read then ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#out.close();
    try {
      this.#transport.close();
    } catch {
      // Already closed by the peer: nothing left to release.
    }
  }

  /** Serves the connection to its end; never throws. */
  async run(): Promise<void> {
    let admitted = false;
    const timer = setTimeout(() => this.close(), this.#ctx.limits.startupMsMax);
    try {
      const user = await this.#handshake();
      if (user === undefined) return;
      admitted = this.#ctx.admit();
      if (!admitted) throw new DbError("53300", "sorry, too many clients already");
      await authenticate(this, user, this.#ctx.auth);
      clearTimeout(timer);
      await this.#open(user);
      await this.#loop();
    } catch (e) {
      await this.#fail(e);
    } finally {
      clearTimeout(timer);
      this.#extended?.closeAll();
      const session = this.#session;
      this.#session = null;
      if (admitted) this.#ctx.release();
      await this.#out.finish();
      this.close();
      if (session) {
        await session.close().catch((e) => log.warn("Session close failed", { error: String(e) }));
      }
    }
  }

  async #fail(e: unknown): Promise<void> {
    if (e instanceof ClientGone || this.#closed || isDisconnect(e)) return;
    try {
      encodeErrorResponse(this.writer, errorFields(e, "FATAL"));
      await this.flush();
    } catch {
      // The client is gone; the error has nowhere to go.
    }
  }

  /** Reads startup packets until a StartupMessage; returns its user, or undefined to end quietly. */
  async #handshake(): Promise<string | undefined> {
    for (;;) {
      if (!(await this.input.nextStartup())) return undefined;
      const packet = decodeStartupMessage(this.input.reader);
      switch (packet.kind) {
        case "cancel":
          this.#ctx.engine.cancel(packet.processId, packet.secret);
          return undefined;
        case "gssenc":
          await this.#transport.write(new Uint8Array([0x4e]));
          continue;
        case "ssl":
          await this.#ssl();
          continue;
        case "startup": {
          this.#settings.startup = new Map(packet.params);
          const unsupported = [...packet.params.keys()].filter((k) => k.startsWith("_pq_."));
          if (packet.minor > 0 || unsupported.length > 0) {
            encodeNegotiateProtocolVersion(this.writer, 0, unsupported);
          }
          const user = packet.params.get("user");
          if (!user) {
            throw new DbError("28000", "no PostgreSQL user name specified in startup packet");
          }
          return user;
        }
      }
    }
  }

  async #ssl(): Promise<void> {
    const upgrade = this.#ctx.upgradeTls;
    if (!upgrade) {
      await this.#transport.write(new Uint8Array([0x4e]));
      return;
    }
    if (this.input.buffered > 0) {
      throw new ProtocolViolation("Received unencrypted data after SSL request");
    }
    await this.#transport.write(new Uint8Array([0x53]));
    this.#transport = await upgrade(this.#transport);
    this.input.transport = this.#transport;
    this.#out.transport = this.#transport;
  }

  async #open(user: string): Promise<void> {
    const params = this.#settings.startup;
    const peer = this.#peer;
    const session = await this.#ctx.engine.openSession({
      user,
      database: params.get("database") || user,
      applicationName: params.get("application_name") ?? "",
      params,
      ...(peer ? { clientAddr: peer.hostname, clientPort: peer.port } : {}),
    });
    this.#session = session;
    session.copyPort = createCopyPort({
      writer: this.writer,
      input: this.input,
      flush: () => this.flush(),
      textOptions: () => this.#settings.textOptions,
    });
    session.onNotification = (n) => {
      encodeNotificationResponse(this.writer, n);
      if (this.#idle) void this.#out.flush().catch(() => this.close());
    };
    this.#extended = new ExtendedQuery({
      session,
      writer: this.writer,
      textOptions: () => this.#settings.textOptions,
      onResult: (r) => this.#settings.noteResult(r),
      flushIfLarge: () => this.#flushIfLarge(),
      readyForQuery: (s) => this.#readyForQuery(s),
    });
    encodeAuthenticationOk(this.writer);
    this.writer.begin("S").cstring("server_version").cstring(this.#ctx.serverVersion).end();
    this.#settings.send(session, true);
    encodeBackendKeyData(this.writer, session.id, session.secret);
    encodeReadyForQuery(this.writer, session.txStatus);
    await this.flush();
  }

  #readyForQuery(session: Session): void {
    this.#settings.beforeReady(session);
    encodeReadyForQuery(this.writer, session.txStatus);
    this.#out.answered = true;
  }

  /**
   * The message loop: handles every message already buffered without
   * awaiting, as long as each one runs synchronously; replies go out in one
   * write when the buffer holds no further complete message, or before a
   * statement suspends. Over a push-style transport (`readNow`) the loop
   * stays parked while statements run synchronously: new bytes are served
   * by `#pushed`, called by the transport, with no promise per message.
   */
  async #loop(): Promise<void> {
    let step = this.#serveBuffered();
    for (;;) {
      if (step === null) return this.#out.send();
      if (step !== undefined) {
        await step;
        step = this.#serveBuffered();
        continue;
      }
      this.#out.send();
      if (this.#out.unsent > flushBytes) await this.#out.writing;
      this.#idle = true;
      if (this.#transport.readNow === undefined || this.#ctx.limits.idleMsMax > 0) {
        const n = await this.#read();
        this.#idle = false;
        step = this.input.added(n) ? this.#serveBuffered() : null;
      } else {
        step = (await this.#parkedInput()).step;
      }
    }
  }

  /** Serves the complete messages in the input buffer while they run synchronously. */
  #serveBuffered(): Step {
    const input = this.input;
    for (;;) {
      const type = input.take();
      if (type === undefined) return undefined;
      if (type === 0x58) return null; // Terminate
      const pending = this.#dispatch(type);
      if (pending) {
        // Replies to earlier Syncs go out before a statement that may wait long.
        if (this.#out.answered) this.#out.send();
        return pending;
      }
    }
  }

  /**
   * Parks the loop on a push-style read; resolves once serving the input
   * needs the loop again, with how serving ended.
   */
  #parkedInput(): Promise<{ readonly step: Step }> {
    return new Promise((resolve, reject) => {
      this.#parked = { resolve, reject };
      const n = this.#transport.readNow!(this.input.readView(), this.#pushed);
      if (n !== undefined) this.#pushed(n);
    });
  }

  /**
   * Bytes (or the end) arrived for the parked loop: serves them at once and
   * parks again while statements run synchronously; wakes the loop when one
   * suspends, at the end, or when replies back up.
   */
  readonly #pushed = (n: number | null): void => {
    const transport = this.#transport;
    for (;;) {
      this.#idle = false;
      let step: Step;
      try {
        step = this.input.added(n) ? this.#serveBuffered() : null;
      } catch (e) {
        return this.#unpark(null, e);
      }
      if (step !== undefined) return this.#unpark(step);
      this.#out.send();
      if (this.#out.unsent > flushBytes || transport.readNow === undefined) {
        return this.#unpark(undefined);
      }
      this.#idle = true;
      const next = transport.readNow(this.input.readView(), this.#pushed);
      if (next === undefined) return;
      n = next;
    }
  };

  /** Resumes the parked loop with `step`, or with `error` thrown. */
  #unpark(step: Step, error?: unknown): void {
    const parked = this.#parked;
    this.#parked = null;
    if (parked === null) return;
    if (error !== undefined) parked.reject(error);
    else parked.resolve({ step });
  }

  /** Reads once into the input buffer, ending the session after the idle timeout. */
  #read(): Promise<number | null> {
    const idleMs = this.#ctx.limits.idleMsMax;
    // Without an idle limit (the default): no timer and no extra async frame per wait.
    const view = this.input.readView();
    return idleMs > 0 ? this.#readTimed(idleMs, view) : this.#transport.read(view);
  }

  async #readTimed(idleMs: number, view: Uint8Array): Promise<number | null> {
    const timer = setTimeout(() => this.#idleTimeout(), idleMs);
    try {
      return await this.#transport.read(view);
    } finally {
      clearTimeout(timer);
      this.#idle = false;
    }
  }
  #idleTimeout(): void {
    encodeErrorResponse(this.writer, {
      severity: "FATAL",
      code: "57P05",
      message: "terminating connection due to idle-session timeout",
    });
    void this.flush().finally(() => this.close());
  }

  /** Handles one message; returns a promise only when it must be awaited. */
  #dispatch(type: number): void | Promise<void> {
    const session = this.#session!;
    const r = this.input.reader;
    if (type === 0x51) return this.#simpleQuery(session, decodeQuery(r)); // Q
    if (type === 0x53) return this.#extended!.sync(); // S
    if (type === 0x48) return this.#out.send(); // H: Flush
    if (type === 0x64 || type === 0x63 || type === 0x66) return; // stray COPY messages
    if (type === 0x46) { // FunctionCall: answered like a simple query
      encodeErrorResponse(this.writer, {
        severity: "ERROR",
        code: "0A000",
        message: "Function call messages are not supported",
      });
      return this.#readyForQuery(session);
    }
    return this.#extended!.message(type, r);
  }

  /** Simple query ('Q'); returns a promise only when a statement suspended. */
  #simpleQuery(session: Session, sql: string): void | Promise<void> {
    const ext = this.#extended!;
    ext.skipping = false;
    ext.closePortals();
    return this.#simple.run(session, sql);
  }

  #flushIfLarge(): void {
    if (this.writer.length >= flushBytes) void this.#out.flush().catch(() => this.close());
  }
}
