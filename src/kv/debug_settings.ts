/**
 * Switches DEBUG sets on an engine: active expiry on or off (DEBUG
 * SET-ACTIVE-EXPIRE), the periodic work paused (DEBUG PAUSE-CRON), and
 * commands scripts may not call allowed anyway (DEBUG
 * SET-DISABLE-DENY-SCRIPTS). They live beside the engine, as the script
 * cache does, and start as a fresh server's.
 * @module
 */
import type { KvEngine } from "./engine.ts";

/** The DEBUG switches of one engine. */
export interface DebugSettings {
  /** Whether the active expire cycle runs (lazy expiry on access always does). */
  activeExpire: boolean;
  /** Whether the periodic work is paused: active expiry and snapshots (WAL flushes go on). */
  cronPaused: boolean;
  /** Whether scripts may call commands flagged noscript (DEBUG, for one). */
  denyScriptsDisabled: boolean;
}

const settings = new WeakMap<KvEngine, DebugSettings>();

/** The DEBUG switches of engine `x`. */
export function debugSettingsOf(x: KvEngine): DebugSettings {
  let s = settings.get(x);
  if (s === undefined) {
    s = { activeExpire: true, cronPaused: false, denyScriptsDisabled: false };
    settings.set(x, s);
  }
  return s;
}
