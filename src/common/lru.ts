/**
 * A small bounded map with approximate least-recently-used eviction, shared
 * by the statement and plan caches.
 *
 * A `Map` keeps insertion order, so the first key is the oldest. A hit moves
 * its entry to the young end only once the entry has aged a quarter of the
 * capacity (counted in lookups), so most hits on a hot entry leave the map
 * alone; a store always makes its key the youngest and drops the oldest keys
 * beyond the capacity.
 * @module
 */

import { assert } from "./errors.ts";

/** Bounded string-keyed map with approximate LRU eviction. */
export class Lru<V> {
  readonly #capacity: number;
  /** Insertion order is recency order; `tick` is when the slot last moved to the end. */
  readonly #entries = new Map<string, { value: V; tick: number }>();
  #tick = 0;

  /**
   * @param capacity entries kept, at least 1
   */
  constructor(capacity: number) {
    assert(Number.isInteger(capacity) && capacity >= 1, `LRU capacity ${capacity} is below 1`);
    this.#capacity = capacity;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The value under `key`, counting one lookup; an entry that has aged a
   * quarter of the capacity moves to the young end.
   */
  get(key: string): V | undefined {
    const slot = this.#entries.get(key);
    this.#tick++;
    if (slot === undefined) return undefined;
    if (this.#tick - slot.tick > this.#capacity >> 2) this.set(key, slot.value);
    return slot.value;
  }

  /** Stores `value` under `key` as the youngest entry, evicting the oldest beyond the capacity. */
  set(key: string, value: V): void {
    const entries = this.#entries;
    entries.delete(key);
    entries.set(key, { value, tick: this.#tick });
    while (entries.size > this.#capacity) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
  }
}
