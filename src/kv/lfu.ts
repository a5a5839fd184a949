/**
 * LFU access frequency, as Redis keeps it under the allkeys-lfu and
 * volatile-lfu policies: a logarithmic 8-bit counter (a hit makes it grow
 * with probability 1 / ((counter - 5) * 10 + 1)) that decays by one per idle
 * minute. Under those policies an entry's `lru` holds the counter and the
 * minute of its last access (minute * 256 + counter) instead of a time.
 * @module
 */
import type { Entry } from "./keyspace.ts";

/** A new key's counter, so that it is not evicted before it had a chance. */
export const lfuInitialCounter = 5;
const logFactor = 10;
const decayMinutes = 1;

function minuteOf(nowMs: number): number {
  return Math.floor(nowMs / 60_000);
}

/** The packed value of a counter at `nowMs`. */
export function lfuPack(counter: number, nowMs: number): number {
  return minuteOf(nowMs) * 256 + counter;
}

/** The counter after the decay of the minutes since the last access (OBJECT FREQ). */
export function lfuCounter(e: Entry, nowMs: number): number {
  const counter = e.lru % 256;
  const idle = minuteOf(nowMs) - Math.floor(e.lru / 256);
  const periods = idle > 0 ? Math.floor(idle / decayMinutes) : 0;
  return Math.max(0, counter - periods);
}

/** Records an access: decays, then maybe increments the counter. */
export function lfuTouch(e: Entry, nowMs: number, random: () => number): void {
  let counter = lfuCounter(e, nowMs);
  if (counter < 255) {
    const base = Math.max(0, counter - lfuInitialCounter);
    if (random() < 1 / (base * logFactor + 1)) counter++;
  }
  e.lru = lfuPack(counter, nowMs);
}
