/**
 * Active expiry, as Redis's activeExpireCycle: sample keys with a TTL, delete
 * the expired ones, and repeat while many samples were expired, within a time
 * budget. Lazy expiry on access (in `Keyspace.lookup`) covers the rest.
 * @module
 */
import type { KvEngine } from "./engine.ts";
import { debugSettingsOf } from "./debug_settings.ts";

const samplesPerRound = 20;
const repeatPercent = 25;

/**
 * Runs one cycle; returns the number of keys deleted. Deletions are logged
 * (as DEL) in one WAL record.
 */
export function activeExpireCycle(x: KvEngine, budgetMs = 25): number {
  if (x.loading || x.pause !== null) return 0;
  const debug = debugSettingsOf(x);
  if (!debug.activeExpire || debug.cronPaused) return 0;
  x.now = x.clock();
  const deadline = x.now + budgetMs;
  let deleted = 0;
  for (const db of x.dbs) {
    for (let round = 0; round < 1000; round++) {
      const n = Math.min(samplesPerRound, db.volatileCount);
      if (n === 0) break;
      let expired = 0;
      for (let i = 0; i < n; i++) {
        const k = db.randomVolatile(x.random);
        if (k === undefined) break;
        const before = db.size;
        db.lookup(k, x.now, false);
        if (db.size < before) expired++;
      }
      deleted += expired;
      if (expired * 100 < n * repeatPercent || x.clock() > deadline) break;
    }
  }
  if (deleted > 0) {
    x.commitRecord();
    if (x.readyKeys.size !== 0) x.serveReadyKeys();
  }
  return deleted;
}
