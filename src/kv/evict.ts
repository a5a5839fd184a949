/**
 * Eviction at maxmemory (allkeys-lru): samples keys and removes the least
 * recently used until memory fits, logging each removal and announcing it as
 * an "evicted" keyspace event.
 * @module
 */
import type { KvEngine } from "./engine.ts";
import { notifyFlags } from "./notify.ts";

/**
 * Evicts under allkeys-lru; returns whether memory is (now)
 * within maxmemory.
 */
export function memoryAvailable(x: KvEngine): boolean {
  const max = x.config.maxmemory;
  if (max === 0 || x.usedMemory() <= max) return true;
  if (x.config.maxmemoryPolicy === "noeviction") return false;
  for (let round = 0; round < 100_000 && x.usedMemory() > max; round++) {
    let best: { db: number; key: string; lru: number } | null = null;
    for (let s = 0; s < 5; s++) {
      const nonEmpty = x.dbs.filter((d) => d.size > 0);
      if (nonEmpty.length === 0) break;
      const db = nonEmpty[Math.floor(x.random() * nonEmpty.length)]!;
      const k = db.randomKey(x.random)!;
      const e = db.map.get(k)!;
      if (best === null || e.lru < best.lru) best = { db: db.index, key: k, lru: e.lru };
    }
    if (best === null) return false;
    x.deleteKey(best.db, best.key);
    x.logDeletion(best.db, best.key);
    x.stats.evicted++;
    x.notify(notifyFlags.evicted, "evicted", best.db, best.key);
  }
  return x.usedMemory() <= max;
}
