/**
 * Eviction at maxmemory, as Redis's maxmemory-policy: samples keys (all of
 * them, or only those with a TTL for the volatile-* policies) and removes the
 * best candidate of each sample (least recently used, least frequently used,
 * nearest expiry, or any for the random policies) until memory fits, logging each removal and
 * announcing it as an "evicted" keyspace event.
 * @module
 */
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";
import { notifyFlags } from "./notify.ts";
import { lfuCounter } from "./lfu.ts";

/** Keys sampled per eviction, as Redis's maxmemory-samples default. */
const samples = 5;

/** Lower is evicted first. */
function rank(x: KvEngine, policy: string, e: Entry): number {
  if (policy.endsWith("-ttl")) return e.expireAt;
  if (policy.endsWith("-random")) return 0;
  if (policy.endsWith("-lfu")) return lfuCounter(e, x.now);
  return e.lru;
}

/** One eviction candidate, or null when the policy finds none. */
function candidate(x: KvEngine): { db: number; key: string } | null {
  const policy = x.config.maxmemoryPolicy;
  const volatile = policy.startsWith("volatile-");
  let best: { db: number; key: string; rank: number } | null = null;
  const eligible = x.dbs.filter((d) => (volatile ? d.volatileCount : d.size) > 0);
  if (eligible.length === 0) return null;
  for (let s = 0; s < samples; s++) {
    const db = eligible[Math.floor(x.random() * eligible.length)]!;
    const k = volatile ? db.randomVolatile(x.random) : db.randomKey(x.random);
    if (k === undefined) continue;
    const r = rank(x, policy, db.map.get(k)!);
    if (best === null || r < best.rank) best = { db: db.index, key: k, rank: r };
    if (policy.endsWith("-random")) break;
  }
  return best;
}

/**
 * Evicts under the configured policy; returns whether memory is (now)
 * within maxmemory.
 */
export function memoryAvailable(x: KvEngine): boolean {
  const max = x.config.maxmemory;
  if (max === 0 || x.usedMemory() <= max) return true;
  if (x.config.maxmemoryPolicy === "noeviction") return false;
  for (let round = 0; round < 100_000 && x.usedMemory() > max; round++) {
    const victim = candidate(x);
    if (victim === null) return false;
    x.deleteKey(victim.db, victim.key);
    x.logDeletion(victim.db, victim.key);
    x.stats.evicted++;
    x.notify(notifyFlags.evicted, "evicted", victim.db, victim.key);
  }
  return x.usedMemory() <= max;
}
