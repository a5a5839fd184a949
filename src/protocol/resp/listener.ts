/**
 * The RESP listener: accepts TCP connections through the configured socket
 * transport and serves each with a `RespConnection` over the key-value store.
 * @module
 */
import type { KvStore } from "../../engine/kv_session.ts";
import process from "node:process";
import { log } from "../../common/log.ts";
import { listenStream, type StreamListener, type TransportChoice } from "../net/mod.ts";
import { RespConnection } from "./connection.ts";

/** Options of `startRespServer`. */
export interface RespServerOptions {
  readonly hostname: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly kv: KvStore;
  /** Socket transport: "deno" (when omitted), "native" or "auto" (native where available; server.ts passes `resp.transport`, "auto" by default). */
  readonly transport?: TransportChoice;
}

/** A running listener. */
export interface RespServer {
  /** The port actually bound (the latest, after `rebind`). */
  readonly port: number;
  /** The address bound. */
  readonly hostname: string;
  /** The socket transport in use. */
  readonly transport: "native" | "deno";
  /**
   * Listens on `hostname`:`port` instead (CONFIG SET port/bind): the new
   * socket is bound first, then the old one stops accepting; connections
   * already open stay served.
   * @throws {Deno.errors.AddrInUse} when the port is taken (nothing changes)
   */
  rebind(hostname: string, port: number): void;
  /** Closes the listening socket now (SHUTDOWN NOSAVE inside a busy script); connections stay. */
  stopAccepting(): void;
  /** Stops accepting, closes every connection and waits for them to end. */
  close(): Promise<void>;
}

/**
 * Starts serving the Redis protocol.
 * @throws {Deno.errors.AddrInUse} when the port is taken
 * @example
 * const server = await startRespServer({ hostname: "127.0.0.1", port: 6379, kv: store });
 */
export function startRespServer(options: RespServerOptions): Promise<RespServer> {
  const kv = options.kv;
  const listen = (hostname: string, port: number): StreamListener =>
    listenStream({
      hostname,
      port,
      label: "RESP",
      onTurn: (starting) => kv.turn(starting),
      onConnection(channel, remote, local) {
        const c = new RespConnection(channel, kv);
        c.open(remote, local);
        return c;
      },
    }, options.transport ?? "deno");
  let listener = listen(options.hostname, options.port);
  let hostname = options.hostname;
  /** Listeners that stopped accepting after a rebind; their connections live on. */
  const retired: StreamListener[] = [];
  // A script past busy-reply-threshold serves the other clients (BUSY, SCRIPT KILL) through
  // the native loops (the listener's and those of listeners retired by a rebind, whose
  // connections live on); with the Deno.listen transport nobody is served until it ends.
  const serveNow = (): void => {
    for (const l of [listener, ...retired]) l.serveNow?.();
  };
  if (listener.serveNow !== undefined) kv.engine.onBusy = serveNow;
  kv.engine.port = listener.port;
  kv.engine.processId = Deno.pid;
  kv.engine.cpuUsage = () => process.cpuUsage();
  log.debug("RESP listening", { hostname, port: listener.port, transport: listener.kind });
  let closed = false;
  return Promise.resolve({
    get port() {
      return listener.port;
    },
    get hostname() {
      return hostname;
    },
    get transport() {
      return listener.kind;
    },
    rebind(nextHost: string, port: number) {
      const next = listen(nextHost, port);
      listener.stopAccepting();
      retired.push(listener);
      listener = next;
      hostname = nextHost;
      kv.engine.port = next.port;
      log.info(`Redis listening on ${nextHost}:${next.port}`, { port: next.port });
    },
    stopAccepting() {
      listener.stopAccepting();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (kv.engine.onBusy === serveNow) kv.engine.onBusy = null;
      await Promise.all([listener, ...retired].map((l) => l.close()));
      for (const c of kv.engine.clients.values()) kv.engine.unblock(c);
    },
  });
}
