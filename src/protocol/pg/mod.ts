/**
 * The PostgreSQL wire protocol (version 3.0): a TCP listener that lets psql,
 * pgbench and the common drivers talk to the engine unchanged. Each
 * connection authenticates (trust, password, md5, SCRAM-SHA-256), opens a
 * `Session` and turns simple and extended queries, COPY and LISTEN/NOTIFY
 * into calls on it.
 *
 * @example
 * ```ts
 * const server = await startPgServer({
 *   hostname: "127.0.0.1", port: 5432, engine, maxConnections: 100,
 *   auth: { method: "scram-sha-256", lookup: (user) => users.verifier(user) },
 * });
 * // ...
 * await server.close();
 * ```
 * @module
 */
import { ConfigError } from "../../common/errors.ts";
import { log } from "../../common/log.ts";
import { connectionsMax, messageBytesMax } from "../../common/limits.ts";
import type { PgAuthOptions } from "./auth.ts";
import { listenNative, type StreamListener, type TransportChoice } from "../net/mod.ts";
import { ChannelTransport } from "./_channel_transport.ts";
import { PgConnection } from "./connection.ts";
import type { ConnectionContext, PgEngine, PgLimits } from "./context.ts";
import { startTlsUpgrader, type TlsUpgrader } from "./tls.ts";

export type { PgAuthOptions } from "./auth.ts";
export type { PgEngine, PgLimits, SessionParams } from "./context.ts";
export type { PgTransport } from "./_input.ts";

/** Options of `startPgServer`. */
export interface PgServerOptions {
  /** Address to bind, e.g. 127.0.0.1 or 0.0.0.0. */
  readonly hostname: string;
  /** 0 picks a free port; the chosen one is `PgServer.port`. */
  readonly port: number;
  /** Opens sessions and routes cancel requests. */
  readonly engine: PgEngine;
  /** How clients authenticate. */
  readonly auth: PgAuthOptions;
  /** PEM files for TLS; without them SSLRequest is answered 'N'. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Authenticated connections at once; the next gets 53300. At most `connectionsMax`. */
  readonly maxConnections: number;
  /** Overrides of `pgLimitsDefault`. */
  readonly limits?: Partial<PgLimits>;
  /** Reported as `server_version`. */
  readonly serverVersion?: string;
  /**
   * Socket transport: "auto" (the default, as `server.pg_transport`: the epoll
   * loop of `protocol/net` where it loads, else `Deno.listen`), "native" (the
   * same, logging a fallback) or "deno" (`Deno.listen` always).
   */
  readonly transport?: TransportChoice;
}

/** A running listener. */
export interface PgServer {
  /** The bound port. */
  readonly port: number;
  /** Connections currently open (including ones still authenticating). */
  readonly connections: number;
  /** The socket transport in use. */
  readonly transport: "native" | "deno";
  /** Stops accepting, closes every connection and waits for them to end. */
  close(): Promise<void>;
}

/** Default limits: 1 minute to authenticate, as PostgreSQL's authentication_timeout; no idle limit. */
export const pgLimitsDefault: PgLimits = {
  messageBytesMax,
  startupMsMax: 60_000,
  idleMsMax: 0,
};

/** Raw sockets allowed beyond `maxConnections`, so CancelRequests and the 53300 answer still get through. */
const spareSockets = 64;

function resolveLimits(options: PgServerOptions): PgLimits {
  const limits = { ...pgLimitsDefault, ...options.limits };
  if (limits.messageBytesMax > messageBytesMax || limits.messageBytesMax < 1024) {
    throw new ConfigError(
      `messageBytesMax ${limits.messageBytesMax} must be within 1024..${messageBytesMax}`,
    );
  }
  if (options.maxConnections < 1 || options.maxConnections > connectionsMax) {
    throw new ConfigError(
      `maxConnections ${options.maxConnections} must be within 1..${connectionsMax}`,
    );
  }
  return limits;
}

/**
 * Starts the PostgreSQL listener.
 * @throws {ConfigError} F0000 for limits out of range
 * @throws {Deno.errors.AddrInUse} when the port is taken
 */
export async function startPgServer(options: PgServerOptions): Promise<PgServer> {
  const limits = resolveLimits(options);
  let tls: TlsUpgrader | undefined;
  if (options.tls) {
    const [cert, key] = await Promise.all([
      Deno.readTextFile(options.tls.certFile),
      Deno.readTextFile(options.tls.keyFile),
    ]);
    tls = startTlsUpgrader({ cert, key });
  }
  let admitted = 0;
  const live = new Set<PgConnection>();
  const running = new Set<Promise<void>>();
  const ctx: ConnectionContext = {
    engine: options.engine,
    auth: options.auth,
    limits,
    serverVersion: options.serverVersion ?? "15.0 (ThunderDB)",
    ...(tls ? { upgradeTls: (t) => tls.upgrade(t) } : {}),
    admit: () => admitted < options.maxConnections && ++admitted > 0,
    release: () => void admitted--,
  };
  const serve = (c: PgConnection): void => {
    live.add(c);
    const done = c.run().finally(() => {
      live.delete(c);
      running.delete(done);
    });
    running.add(done);
  };
  const socketsMax = options.maxConnections + spareSockets;
  const choice = options.transport ?? "auto";
  const native = choice === "deno" ? null : listenNative({
    hostname: options.hostname,
    port: options.port,
    label: "PostgreSQL",
    gatherReplies: true,
    onConnection(channel, remote) {
      const transport = new ChannelTransport(channel);
      if (live.size >= socketsMax) {
        channel.close();
        return transport;
      }
      const c = new PgConnection(transport, ctx, peerAddress(remote));
      transport.onShutdown = () => c.close();
      serve(c);
      return transport;
    },
  });
  if (native !== null) return pgServer(native, live, running, tls);
  if (choice === "native") {
    log.warn("PostgreSQL: native transport unavailable here, using Deno.listen");
  }
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
    transport: "tcp",
  });
  const accepting = (async () => {
    for await (const conn of listener) {
      if (live.size >= socketsMax) {
        conn.close();
        continue;
      }
      try {
        conn.setNoDelay(true);
      } catch {
        // The peer already left; the connection's first read reports it.
      }
      serve(new PgConnection(conn, ctx, conn.remoteAddr));
    }
  })().catch((e) => log.error("PostgreSQL listener stopped", { error: String(e) }));
  log.info("PostgreSQL listener started", {
    hostname: options.hostname,
    port: listener.addr.port,
    transport: "deno",
  });
  return {
    port: listener.addr.port,
    transport: "deno",
    get connections() {
      return live.size;
    },
    async close() {
      listener.close();
      await accepting;
      for (const c of live) c.close();
      await Promise.all(running);
      await tls?.close();
    },
  };
}

/** Splits a `host:port` address of the native transport (IPv4 only). */
function peerAddress(remote: string): { hostname: string; port: number } | undefined {
  const colon = remote.lastIndexOf(":");
  const port = Number(remote.slice(colon + 1));
  return colon > 0 && Number.isInteger(port)
    ? { hostname: remote.slice(0, colon), port }
    : undefined;
}

/** The running server over the native transport. */
function pgServer(
  listener: StreamListener,
  live: Set<PgConnection>,
  running: Set<Promise<void>>,
  tls: TlsUpgrader | undefined,
): PgServer {
  log.info("PostgreSQL listener started", { port: listener.port, transport: listener.kind });
  return {
    port: listener.port,
    transport: listener.kind,
    get connections() {
      return live.size;
    },
    async close() {
      await listener.close();
      for (const c of live) c.close();
      await Promise.all(running);
      await tls?.close();
    },
  };
}
