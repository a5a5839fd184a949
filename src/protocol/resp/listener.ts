/**
 * The RESP listener: accepts TCP connections and serves each with a
 * `RespConnection` over the key-value store.
 * @module
 */
import type { KvStore } from "../../engine/kv_session.ts";
import process from "node:process";
import { log } from "../../common/log.ts";
import { RespConnection } from "./connection.ts";

/** Options of `startRespServer`. */
export interface RespServerOptions {
  readonly hostname: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly kv: KvStore;
}

/** A running listener. */
export interface RespServer {
  /** The port actually bound. */
  readonly port: number;
  /** Stops accepting, closes every connection and waits for them to end. */
  close(): Promise<void>;
}

function addrText(addr: Deno.Addr): string {
  return addr.transport === "tcp" ? `${addr.hostname}:${addr.port}` : String(addr.transport);
}

/**
 * Starts serving the Redis protocol.
 * @throws {Deno.errors.AddrInUse} when the port is taken
 * @example
 * const server = await startRespServer({ hostname: "127.0.0.1", port: 6379, kv: store });
 */
export function startRespServer(options: RespServerOptions): Promise<RespServer> {
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
    transport: "tcp",
  });
  const port = (listener.addr as Deno.NetAddr).port;
  options.kv.engine.port = port;
  options.kv.engine.processId = Deno.pid;
  options.kv.engine.cpuUsage = () => process.cpuUsage();
  const connections = new Set<RespConnection>();
  const running = new Set<Promise<void>>();
  let closed = false;
  const accepting = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (closed) return;
        log.warn("RESP accept failed", { error: String(e) });
        continue;
      }
      try {
        conn.setNoDelay(true);
      } catch (e) {
        // The peer may already be gone; the read loop will notice.
        log.debug("RESP setNoDelay failed", { error: String(e) });
      }
      const c = new RespConnection(conn, options.kv);
      connections.add(c);
      const done = c.run(addrText(conn.remoteAddr), addrText(conn.localAddr)).finally(() => {
        connections.delete(c);
        running.delete(done);
      });
      running.add(done);
    }
  })();
  log.debug("RESP listening", { hostname: options.hostname, port });
  return Promise.resolve({
    port,
    async close() {
      if (closed) return;
      closed = true;
      listener.close();
      await accepting;
      for (const c of connections) c.shutdown();
      for (const c of options.kv.engine.clients.values()) options.kv.engine.unblock(c);
      await Promise.allSettled([...running]);
    },
  });
}
