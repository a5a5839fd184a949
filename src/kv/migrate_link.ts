/**
 * MIGRATE's outbound connections: one cached TCP connection per target
 * host:port (as Redis's migrate cached sockets), closed after 10 s without
 * use, with the last database SELECTed on it. Every connect, write and read
 * is bounded by MIGRATE's timeout. This is the one place the KV engine opens
 * a socket; the replies it reads are single lines (+OK, -ERR ...).
 * @module
 */
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";

/** How long an unused cached connection stays open (Redis's MIGRATE_SOCKET_CACHE_TTL). */
export const migrateLinkIdleMs = 10_000;
/** At most this many cached connections (Redis's MIGRATE_SOCKET_CACHE_ITEMS). */
const linksMax = 64;
/** A reply line longer than this is refused (replies here are short status lines). */
const replyLineBytesMax = 64 * 1024;

/** Why an I/O step failed: "timeout" is not retried, as in Redis. */
export class MigrateIoError extends Error {
  constructor(readonly step: "connecting" | "writing" | "reading", readonly timedOut: boolean) {
    super(`MIGRATE ${step} failed${timedOut ? " (timeout)" : ""}`);
  }
}

/** A cached connection to a target. */
export class MigrateLink {
  /** Database last SELECTed on it, -1 when unknown. */
  lastDb = -1;
  #buf = new Uint8Array(0);
  #idle: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    readonly name: string,
    readonly conn: Deno.TcpConn,
    readonly owner: Map<string, MigrateLink>,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Restarts the idle countdown after a use. */
  touch(idleMs = migrateLinkIdleMs): void {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.close(), idleMs);
    Deno.unrefTimer(Number(this.#idle));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    if (this.owner.get(this.name) === this) this.owner.delete(this.name);
    try {
      this.conn.close();
    } catch {
      // Already closed by the peer or a failed read: nothing left to release.
    }
  }

  /** Writes all of `bytes` within `timeoutMs`. */
  async write(bytes: Uint8Array, timeoutMs: number): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      at += await this.#bounded(this.conn.write(bytes.subarray(at)), timeoutMs, "writing");
    }
  }

  /** Reads one reply line (without CRLF) within `timeoutMs`. */
  async readLine(timeoutMs: number): Promise<string> {
    for (;;) {
      const end = this.#buf.indexOf(10);
      if (end >= 0) {
        const line = latin1(this.#buf.subarray(0, end));
        this.#buf = this.#buf.slice(end + 1);
        return line.endsWith("\r") ? line.slice(0, -1) : line;
      }
      if (this.#buf.length > replyLineBytesMax) throw new MigrateIoError("reading", false);
      const chunk = new Uint8Array(16 * 1024);
      const n = await this.#bounded(this.conn.read(chunk), timeoutMs, "reading");
      if (n === null) throw new MigrateIoError("reading", false);
      const next = new Uint8Array(this.#buf.length + n);
      next.set(this.#buf);
      next.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = next;
    }
  }

  /** `op` within `timeoutMs`; on failure or timeout the connection is closed. */
  async #bounded<T>(op: Promise<T>, timeoutMs: number, step: "writing" | "reading"): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new MigrateIoError(step, true)), timeoutMs);
    });
    try {
      return await Promise.race([op, timeout]);
    } catch (e) {
      this.close();
      // A pending read or write fails once the connection is closed: that failure is this one.
      op.catch(() => {});
      throw e instanceof MigrateIoError ? e : new MigrateIoError(step, false);
    } finally {
      clearTimeout(timer);
    }
  }
}

const linksByEngine = new WeakMap<KvEngine, Map<string, MigrateLink>>();

/** The engine's cached connections by "host:port". */
export function migrateLinks(x: KvEngine): Map<string, MigrateLink> {
  let links = linksByEngine.get(x);
  if (links === undefined) linksByEngine.set(x, links = new Map());
  return links;
}

/** The cached connection to host:port, or a new one (connected within `timeoutMs`). */
export async function migrateLink(
  x: KvEngine,
  target: { readonly host: string; readonly port: number },
  timeoutMs: number,
): Promise<MigrateLink> {
  const links = migrateLinks(x);
  const name = `${target.host}:${target.port}`;
  const cached = links.get(name);
  if (cached !== undefined && !cached.closed) return cached;
  if (links.size >= linksMax) links.values().next().value?.close();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connecting = connect(target.host, target.port);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MigrateIoError("connecting", true)), timeoutMs);
  });
  let conn: Deno.TcpConn;
  try {
    conn = await Promise.race([connecting, timeout]);
  } catch (e) {
    // A connection that completes after the timeout is closed at once.
    connecting.then((late) => late.close(), () => {});
    if (e instanceof MigrateIoError) throw e;
    // Redis's non-blocking connect "succeeds" towards a closed port and its first
    // write fails, so a refused connection is reported as a write error there.
    throw new MigrateIoError(
      e instanceof Deno.errors.ConnectionRefused ? "writing" : "connecting",
      false,
    );
  } finally {
    clearTimeout(timer);
  }
  conn.setNoDelay(true);
  const link = new MigrateLink(name, conn, links);
  links.set(name, link);
  return link;
}

/** Deno.connect, with a synchronous refusal (a bad port) as a rejected promise. */
function connect(hostname: string, port: number): Promise<Deno.TcpConn> {
  try {
    return Deno.connect({ hostname, port });
  } catch (e) {
    return Promise.reject(e);
  }
}

/** Closes every cached connection (server shutdown, tests). */
export function closeMigrateLinks(x: KvEngine): void {
  for (const link of [...migrateLinks(x).values()]) link.close();
}
