/**
 * One logical database (SELECT 0..15): a map from key to entry, with the
 * bookkeeping Redis needs on top of it: expiry (absolute ms timestamps, lazy on
 * access plus an active sampler), random keys, LRU clocks and SCAN cursors.
 * @module
 */
import type { Deque } from "./deque.ts";
import type { ZSet } from "./zset.ts";
import type { Stream } from "./stream.ts";

/** Redis value types, as TYPE reports them. */
export type ValueType = "string" | "list" | "hash" | "set" | "zset" | "stream";

/**
 * The value stored under a key. Strings, hash values and list elements are
 * latin1 strings (one char per byte): binary safe, and far cheaper for V8 to
 * allocate than many small typed arrays.
 */
export type KvValue = string | Deque | Map<string, string> | Set<string> | ZSet | Stream;

/** A key's entry. */
export class Entry {
  /** Absolute expiry in ms since the epoch, 0 when persistent. */
  expireAt = 0;
  /** Last access (ms) for LRU eviction and OBJECT IDLETIME. */
  lru = 0;
  /** Position in `Keyspace.#keys` (random sampling). */
  idx = -1;
  /** Position in `Keyspace.#volatile`, -1 when persistent. */
  vidx = -1;
  /** Estimated memory in bytes, refreshed after each write. */
  bytes = 0;
  /** Redis's big encoding (hashtable, skiplist; "raw" for strings), see encoding.ts. */
  big = false;
  constructor(public type: ValueType, public value: KvValue) {}
}

/** Called when a key is removed because it expired (the engine logs it). */
export type ExpireHook = (db: Keyspace, key: string) => void;

/** One database. */
export class Keyspace {
  readonly map = new Map<string, Entry>();
  #keys: string[] = [];
  #volatile: string[] = [];
  #scanCursors = new Map<number, Iterator<string>>();
  #scanNext = 1;
  /** Sum of `Entry.bytes`. */
  bytes = 0;
  /** During CLIENT PAUSE: expired keys read as missing but stay (see pause.ts). */
  expiryPaused = false;

  constructor(public index: number, public onExpire: ExpireHook) {}

  get size(): number {
    return this.map.size;
  }

  /** Keys with a TTL. */
  get volatileCount(): number {
    return this.#volatile.length;
  }

  /**
   * The live entry of `key`, deleting it first when expired (unless `loading`,
   * where records replay in their original order and must see the key).
   */
  lookup(key: string, now: number, loading: boolean): Entry | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    if (e.expireAt !== 0 && e.expireAt <= now && !loading) {
      if (this.expiryPaused) return undefined;
      this.delete(key);
      this.onExpire(this, key);
      return undefined;
    }
    return e;
  }

  /** Stores a new entry (replacing any old one; the TTL goes with the old entry). */
  set(key: string, entry: Entry): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      // Overwrite: the new entry takes the old one's slot in `#keys`.
      entry.idx = old.idx;
      old.idx = -1;
      if (old.vidx !== -1) this.#removeVolatile(old);
      this.bytes -= old.bytes;
    } else {
      entry.idx = this.#keys.length;
      this.#keys.push(key);
    }
    this.map.set(key, entry);
    if (entry.expireAt !== 0) this.#addVolatile(key, entry);
    this.bytes += entry.bytes;
  }

  /** Removes a key; returns its entry. */
  delete(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.#unlink(key, e);
    this.map.delete(key);
    return e;
  }

  #unlink(key: string, e: Entry): void {
    const last = this.#keys.pop()!;
    if (last !== key) {
      this.#keys[e.idx] = last;
      this.map.get(last)!.idx = e.idx;
    }
    e.idx = -1;
    if (e.vidx !== -1) this.#removeVolatile(e);
    this.bytes -= e.bytes;
  }

  #addVolatile(key: string, e: Entry): void {
    e.vidx = this.#volatile.length;
    this.#volatile.push(key);
  }

  #removeVolatile(e: Entry): void {
    const last = this.#volatile.pop()!;
    if (e.vidx < this.#volatile.length) {
      this.#volatile[e.vidx] = last;
      this.map.get(last)!.vidx = e.vidx;
    }
    e.vidx = -1;
  }

  /** Sets (at > 0) or clears (at = 0) the expiry of an existing key. */
  setExpire(key: string, e: Entry, at: number): void {
    e.expireAt = at;
    if (at !== 0 && e.vidx === -1) this.#addVolatile(key, e);
    if (at === 0 && e.vidx !== -1) this.#removeVolatile(e);
  }

  /** Re-estimates an entry's memory after a write. */
  resize(e: Entry, bytes: number): void {
    if (e.idx !== -1) this.bytes += bytes - e.bytes;
    e.bytes = bytes;
  }

  /** A uniformly random key, or undefined when empty (may be expired). */
  randomKey(random: () => number): string | undefined {
    if (this.#keys.length === 0) return undefined;
    return this.#keys[Math.floor(random() * this.#keys.length)];
  }

  /** A random key with a TTL (active expiry sampling). */
  randomVolatile(random: () => number): string | undefined {
    if (this.#volatile.length === 0) return undefined;
    return this.#volatile[Math.floor(random() * this.#volatile.length)];
  }

  /** Removes everything. */
  clear(): void {
    this.map.clear();
    this.#keys = [];
    this.#volatile = [];
    this.#scanCursors.clear();
    this.bytes = 0;
  }

  /**
   * One SCAN step: up to `count` keys from the cursor on. Cursors name live
   * map iterators, which see every key present for the whole scan even while
   * keys are added or removed.
   */
  scan(cursor: number, count: number): { next: number; keys: string[] } {
    return scanIterator(
      this.#scanCursors,
      cursor,
      count,
      () => this.map.keys(),
      () => this.#scanNext++,
    );
  }
}

const scanCursorsMax = 1024;

/**
 * Shared SCAN logic over any live iterator source (keys, hash fields, set and
 * sorted-set members). An unknown cursor restarts from the beginning.
 */
export function scanIterator(
  cursors: Map<number, Iterator<string>>,
  cursor: number,
  count: number,
  open: () => Iterator<string>,
  nextId: () => number,
): { next: number; keys: string[] } {
  let it = cursor === 0 ? undefined : cursors.get(cursor);
  if (cursor !== 0) cursors.delete(cursor);
  if (it === undefined) it = open();
  const keys: string[] = [];
  while (keys.length < count) {
    const r = it.next();
    if (r.done) return { next: 0, keys };
    keys.push(r.value);
  }
  const id = nextId();
  if (cursors.size >= scanCursorsMax) {
    const oldest = cursors.keys().next();
    if (!oldest.done) cursors.delete(oldest.value);
  }
  cursors.set(id, it);
  return { next: id, keys };
}
