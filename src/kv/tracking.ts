/**
 * Client-side caching support (CLIENT TRACKING), as Redis 7.0 does it. In
 * the default mode the server remembers which clients read which keys (the
 * tracking table, keys without their database, as Redis) and tells them once
 * when such a key changes; in BCAST mode clients get every change to keys
 * under their prefixes. Messages are RESP3 `invalidate` pushes, or, for a
 * REDIRECT target in RESP2, messages on `__redis__:invalidate`. A change a
 * client makes while its own command runs is told after that command's
 * reply, so it never splits the reply (nor an EXEC's).
 * @module
 */
import type { KvClient } from "./client.ts";

/** A client's tracking settings (null on the client when tracking is off). */
export interface TrackingState {
  /** Client id messages go to, 0 for the client itself. */
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  /** CLIENT CACHING yes|no for the next command, null when not given. */
  caching: "yes" | "no" | null;
  /** BCAST prefixes ("" is every key). */
  readonly prefixes: string[];
  /** The redirect target went away (reported once as tracking-redir-broken). */
  brokenRedirect: boolean;
}

/** The channel RESP2 redirect targets subscribe to. */
export const invalidateChannel = "__redis__:invalidate";

interface PrefixEntry {
  readonly clients: Set<KvClient>;
  /** Changed keys not yet broadcast, with the client that changed them (null: several or none). */
  readonly pending: Map<string, KvClient | null>;
}

/** Tracking state shared by all clients. */
export class Tracking {
  /** key -> ids of clients that read it. */
  readonly table = new Map<string, Set<number>>();
  readonly prefixes = new Map<string, PrefixEntry>();
  /** Clients with tracking on. */
  readonly clients = new Set<KvClient>();
  /** The client whose command is running (its own invalidations wait for its reply). */
  executing: KvClient | null = null;
  /** Invalidations for a client whose command runs (null key: a flush), sent after its reply. */
  readonly #deferred: [KvClient, string | null][] = [];

  /**
   * @param clientsById the engine's clients (redirect targets)
   * @param tableKeysMax tracking-table-max-keys, read after each command
   */
  constructor(
    readonly clientsById: ReadonlyMap<number, KvClient>,
    readonly tableKeysMax: () => number,
  ) {}

  /** Whether any client tracks (every hook is skipped otherwise). */
  get active(): boolean {
    return this.clients.size !== 0;
  }

  /** Turns tracking on for `c` with `state`. */
  enable(c: KvClient, state: TrackingState): void {
    c.tracking = state;
    this.clients.add(c);
    for (const p of state.prefixes) {
      let e = this.prefixes.get(p);
      if (e === undefined) this.prefixes.set(p, e = { clients: new Set(), pending: new Map() });
      e.clients.add(c);
    }
  }

  /** Adds BCAST prefixes to a tracking client. */
  addPrefixes(c: KvClient, prefixes: readonly string[]): void {
    const st = c.tracking!;
    const fresh = prefixes.filter((p) => !st.prefixes.includes(p));
    st.prefixes.push(...fresh);
    this.enable(c, { ...st, prefixes: fresh });
    c.tracking = st;
  }

  /** Turns tracking off for `c` (CLIENT TRACKING off, RESET, disconnect). */
  disable(c: KvClient): void {
    const st = c.tracking;
    if (st === null) return;
    for (const p of st.prefixes) {
      const e = this.prefixes.get(p);
      if (e === undefined) continue;
      e.clients.delete(c);
      if (e.clients.size === 0) this.prefixes.delete(p);
    }
    c.tracking = null;
    this.clients.delete(c);
  }

  /** Remembers the keys a tracking client read (default mode, OPTIN / OPTOUT honoured). */
  remember(c: KvClient, keys: readonly string[]): void {
    const st = c.tracking!;
    if (st.bcast) return;
    if (st.optin && st.caching !== "yes") return;
    if (st.optout && st.caching === "no") return;
    for (const k of keys) {
      let ids = this.table.get(k);
      if (ids === undefined) this.table.set(k, ids = new Set());
      ids.add(c.id);
    }
  }

  /** A key changed (write, expiry, eviction): tell who read it and queue it for BCAST. */
  keyModified(key: string): void {
    const by = this.executing;
    for (const [prefix, e] of this.prefixes) {
      if (!key.startsWith(prefix)) continue;
      const prior = e.pending.get(key);
      e.pending.set(key, prior === undefined || prior === by ? by : null);
    }
    const ids = this.table.get(key);
    if (ids !== undefined) {
      this.table.delete(key);
      for (const id of ids) {
        const c = this.clientsById.get(id);
        const st = c?.tracking;
        if (c === undefined || st === null || st === undefined || st.bcast) continue;
        if (st.noloop && c === by) continue;
        this.#tell(c, key);
      }
    }
    if (by === null) this.broadcast();
  }

  /** FLUSHDB / FLUSHALL: every tracking client is told to drop everything (a null key list). */
  flushed(): void {
    for (const c of this.clients) this.#tell(c, null);
    this.table.clear();
  }

  #tell(c: KvClient, key: string | null): void {
    const target = this.#target(c);
    if (target === null) return;
    if (target === this.executing) this.#deferred.push([target, key]);
    else send(target, key === null ? null : [key]);
  }

  /** Where `c`'s messages go; null (after a tracking-redir-broken once) when the target left. */
  #target(c: KvClient): KvClient | null {
    const st = c.tracking!;
    if (st.redirect === 0) return c;
    const t = this.clientsById.get(st.redirect);
    if (t !== undefined && !t.closed) return t;
    if (!st.brokenRedirect) {
      st.brokenRedirect = true;
      if (c.resp === 3) {
        c.reply.push(2);
        c.reply.bulkText("tracking-redir-broken");
        c.reply.integer(st.redirect);
        c.transport.flushSoon();
      }
    }
    return null;
  }

  /**
   * After a top-level command: sends the invalidations its client caused
   * for itself, the BCAST batches, and trims the table to its limit.
   */
  afterCommand(): void {
    if (this.executing !== null) this.sendDeferred(this.executing);
    this.executing = null;
    this.broadcast();
    this.#trim();
  }

  /** Sends what was held back for `c` while its command ran. */
  sendDeferred(c: KvClient): void {
    if (this.#deferred.length === 0) return;
    const keep: [KvClient, string | null][] = [];
    for (const d of this.#deferred.splice(0)) {
      if (d[0] === c) send(c, d[1] === null ? null : [d[1]]);
      else keep.push(d);
    }
    this.#deferred.push(...keep);
  }

  /** Sends each prefix's pending keys to its clients (NOLOOP: not their own changes). */
  broadcast(): void {
    for (const e of this.prefixes.values()) {
      if (e.pending.size === 0) continue;
      for (const c of e.clients) {
        const keys: string[] = [];
        for (const [k, by] of e.pending) if (!(c.tracking!.noloop && by === c)) keys.push(k);
        const target = keys.length === 0 ? null : this.#target(c);
        if (target !== null) send(target, keys);
      }
      e.pending.clear();
    }
  }

  /** Evicts the oldest keys beyond tracking-table-max-keys, telling their readers. */
  #trim(): void {
    const max = this.tableKeysMax();
    if (max <= 0) return;
    while (this.table.size > max) {
      const key = this.table.keys().next().value!;
      const ids = this.table.get(key)!;
      this.table.delete(key);
      for (const id of ids) {
        const c = this.clientsById.get(id);
        if (c?.tracking) this.#tell(c, key);
      }
    }
  }

  /** INFO's tracking_total_items: remembered (key, client) pairs. */
  get items(): number {
    let n = 0;
    for (const ids of this.table.values()) n += ids.size;
    return n;
  }
}

/** Writes one invalidation message (keys, or null for "everything") to `target`. */
function send(target: KvClient, keys: string[] | null): void {
  if (target.resp === 3) {
    target.reply.push(2);
    target.reply.bulkText("invalidate");
  } else if (target.channels.has(invalidateChannel)) {
    target.reply.push(3);
    target.reply.bulkText("message");
    target.reply.bulkText(invalidateChannel);
  } else return;
  if (keys === null) target.reply.nullArray();
  else {
    target.reply.array(keys.length);
    for (const k of keys) target.reply.bulkLatin1(k);
  }
  target.transport.flushSoon();
}
