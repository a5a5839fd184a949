/**
 * WATCH and keys with a TTL, as Redis 7.0 treats them. A key that had
 * already expired (but was not yet deleted) when it was watched counts as
 * absent: its deletion later (lazy or active expiry, DEL, FLUSHDB) is no
 * change, while a new value under its name is one. A key that was alive
 * when watched and has expired by EXEC is a change, even if nothing has
 * deleted it yet. (Unlike Redis, a new value set under a stale key's name
 * and deleted again before EXEC goes unnoticed: only EXEC looks.)
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";

/** Per client: the db-qualified keys watched while expired, with the expired entry then there. */
const staleWatches = new WeakMap<KvClient, Map<string, Entry>>();

/**
 * Whether WATCH should register `name` for change notifications: false for
 * a key already expired, which is remembered here instead.
 */
export function watchNotifies(
  x: KvEngine,
  c: KvClient,
  db: number,
  q: string,
  name: string,
): boolean {
  let stale = staleWatches.get(c);
  // A client that watches nothing (UNWATCH, EXEC, DISCARD ran) starts afresh.
  if (stale !== undefined && c.watched.size === 0) stale.clear();
  const e = x.dbs[db]!.map.get(name);
  if (e === undefined || e.expireAt === 0 || e.expireAt > x.now) {
    stale?.delete(q);
    return true;
  }
  if (stale === undefined) staleWatches.set(c, stale = new Map());
  stale.set(q, e);
  return false;
}

/** Whether a watched key changed by expiring, or a stale one got a new value (EXEC then fails). */
export function watchedKeyExpired(x: KvEngine, c: KvClient): boolean {
  const stale = staleWatches.get(c);
  for (const q of c.watched) {
    const cut = q.indexOf("\u0000");
    const e = x.dbs[Number(q.slice(0, cut))]?.map.get(q.slice(cut + 1));
    const was = stale?.get(q);
    if (was !== undefined) {
      if (e !== undefined && e !== was) return true;
    } else if (e !== undefined && e.expireAt !== 0 && e.expireAt <= x.now) return true;
  }
  return false;
}
