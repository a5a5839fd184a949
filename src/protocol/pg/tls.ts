/**
 * Server-side TLS after an SSLRequest. Deno offers no server-side upgrade of
 * an accepted TCP connection (`Deno.startTls` is client-only), so the upgrade
 * goes through a private `Deno.listenTls` socket on the loopback interface:
 * the raw client bytes are relayed to it and the accepted `TlsConn` becomes
 * the connection's transport.
 * @module
 */
import { log } from "../../common/log.ts";
import type { PgTransport } from "./_input.ts";

/** Certificate and key, as PEM text. */
export interface TlsKeyPair {
  readonly cert: string;
  readonly key: string;
}

/** Upgrades plain connections to TLS; `close()` stops the private listener. */
export interface TlsUpgrader {
  upgrade(transport: PgTransport): Promise<PgTransport>;
  close(): Promise<void>;
}

async function relay(from: PgTransport, to: PgTransport): Promise<void> {
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null || n === 0) break;
      let off = 0;
      while (off < n) off += await to.write(buf.subarray(off, n));
    }
  } catch {
    // One side closed mid-stream; closing both below ends the other direction.
  }
  try {
    from.close();
  } catch { /* already closed */ }
  try {
    to.close();
  } catch { /* already closed */ }
}

/**
 * Starts the private TLS listener.
 * @throws {Error} when the certificate or key is invalid
 */
export function startTlsUpgrader(pair: TlsKeyPair): TlsUpgrader {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: pair.cert,
    key: pair.key,
  });
  const port = listener.addr.port;
  const waiting = new Map<number, (conn: Deno.TlsConn) => void>();
  const relays = new Set<Promise<void>>();
  const accepting = (async () => {
    for await (const conn of listener) {
      const resolve = waiting.get(conn.remoteAddr.port);
      if (!resolve) {
        conn.close();
        continue;
      }
      waiting.delete(conn.remoteAddr.port);
      resolve(conn);
    }
  })().catch((e) => log.debug("TLS upgrade listener stopped", { error: String(e) }));
  return {
    async upgrade(transport) {
      const inner = await Deno.connect({ hostname: "127.0.0.1", port });
      const tls = new Promise<Deno.TlsConn>((resolve) =>
        waiting.set(inner.localAddr.port, resolve)
      );
      const both = Promise.all([relay(transport, inner), relay(inner, transport)]).then(() => {});
      relays.add(both);
      void both.finally(() => relays.delete(both));
      return await tls;
    },
    async close() {
      listener.close();
      await accepting;
      await Promise.all(relays);
    },
  };
}
