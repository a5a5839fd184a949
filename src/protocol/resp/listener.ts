/**
 * The RESP listener: accepts TCP connections through the configured socket
 * transport and serves each with a `RespConnection` over the key-value store.
 * @module
 */
import type { KvStore } from "../../engine/kv_session.ts";
import process from "node:process";
import { log } from "../../common/log.ts";
import { listenStream, type TransportChoice } from "../net/mod.ts";
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
  /** The port actually bound. */
  readonly port: number;
  /** The socket transport in use. */
  readonly transport: "native" | "deno";
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
  const listener = listenStream({
    hostname: options.hostname,
    port: options.port,
    label: "RESP",
    onTurn: (starting) => kv.turn(starting),
    onConnection(channel, remote, local) {
      const c = new RespConnection(channel, kv);
      c.open(remote, local);
      return c;
    },
  }, options.transport ?? "deno");
  // A script past busy-reply-threshold serves the other clients (BUSY, SCRIPT KILL) through
  // the native loop; with the Deno.listen transport nobody is served until it ends.
  if (listener.serveNow !== undefined) kv.engine.onBusy = listener.serveNow;
  kv.engine.port = listener.port;
  kv.engine.processId = Deno.pid;
  kv.engine.cpuUsage = () => process.cpuUsage();
  log.debug("RESP listening", {
    hostname: options.hostname,
    port: listener.port,
    transport: listener.kind,
  });
  let closed = false;
  return Promise.resolve({
    port: listener.port,
    transport: listener.kind,
    async close() {
      if (closed) return;
      closed = true;
      if (kv.engine.onBusy === listener.serveNow) kv.engine.onBusy = null;
      await listener.close();
      for (const c of kv.engine.clients.values()) kv.engine.unblock(c);
    },
  });
}
