/**
 * Consumer groups of a stream: each group has a last-delivered ID, a read
 * counter (for lag), a pending entries list (PEL: delivered, not yet
 * acknowledged entries) and its consumers, each with its own PEL. As in
 * Redis, a pending entry is one object shared by the group's and its
 * consumer's PEL. PELs are kept sorted by ID for range reads.
 * @module
 */

/** A stream entry ID (see stream.ts). */
type StreamId = bigint;

/** Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown. */
export const entriesReadInvalid = -1;

/** An ID-ordered map: binary search over a sorted ID array beside a hash map. */
export class IdMap<T> {
  readonly #ids: StreamId[] = [];
  readonly #values = new Map<StreamId, T>();

  get size(): number {
    return this.#ids.length;
  }

  get(id: StreamId): T | undefined {
    return this.#values.get(id);
  }

  /** Inserts or replaces. */
  set(id: StreamId, value: T): void {
    if (!this.#values.has(id)) this.#ids.splice(lowerBound(this.#ids, id), 0, id);
    this.#values.set(id, value);
  }

  delete(id: StreamId): boolean {
    if (!this.#values.delete(id)) return false;
    this.#ids.splice(lowerBound(this.#ids, id), 1);
    return true;
  }

  /** The smallest and largest IDs, undefined when empty. */
  first(): StreamId | undefined {
    return this.#ids[0];
  }
  last(): StreamId | undefined {
    return this.#ids[this.#ids.length - 1];
  }

  /** IDs in `[start, end]`, ascending (a copy: safe to modify the map meanwhile). */
  range(start: StreamId, end: StreamId): StreamId[] {
    const out: StreamId[] = [];
    for (let i = lowerBound(this.#ids, start); i < this.#ids.length; i++) {
      if (this.#ids[i]! > end) break;
      out.push(this.#ids[i]!);
    }
    return out;
  }

  /** Entries in ID order. */
  *entries(): Generator<[StreamId, T], undefined> {
    for (const id of [...this.#ids]) yield [id, this.#values.get(id)!];
  }
}

/** First index with `ids[i] >= id` in ascending `ids`. */
export function lowerBound(ids: readonly StreamId[], id: StreamId): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A delivered, unacknowledged entry (Redis's streamNACK). */
export interface PendingEntry {
  /** The owner; null only transiently while XCLAIM FORCE creates it. */
  consumer: Consumer | null;
  /** Last delivery (ms since the epoch). */
  deliveryTime: number;
  deliveryCount: number;
}

/** A consumer of a group. */
export class Consumer {
  readonly pel = new IdMap<PendingEntry>();
  constructor(readonly name: string, public seenTime: number) {}
}

/** A consumer group. */
export class ConsumerGroup {
  readonly pel = new IdMap<PendingEntry>();
  readonly consumers = new Map<string, Consumer>();
  constructor(
    public lastId: StreamId,
    public entriesRead: number,
  ) {}

  /** Consumers in name order (as Redis's radix tree lists them). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0
    );
  }

  /** Removes a pending entry from the group and its owner. */
  ack(id: StreamId): boolean {
    const p = this.pel.get(id);
    if (p === undefined) return false;
    this.pel.delete(id);
    p.consumer?.pel.delete(id);
    return true;
  }

  /** Gives a pending entry to `consumer` (creating it in both PELs if new). */
  assign(id: StreamId, p: PendingEntry, consumer: Consumer): void {
    if (p.consumer !== consumer) {
      p.consumer?.pel.delete(id);
      p.consumer = consumer;
    }
    this.pel.set(id, p);
    consumer.pel.set(id, p);
  }

  /** A deep copy (COPY of the stream). */
  clone(): ConsumerGroup {
    const g = new ConsumerGroup(this.lastId, this.entriesRead);
    for (const c of this.consumers.values()) {
      const copy = new Consumer(c.name, c.seenTime);
      g.consumers.set(c.name, copy);
      for (const [id, p] of c.pel.entries()) {
        g.assign(id, {
          consumer: null,
          deliveryTime: p.deliveryTime,
          deliveryCount: p.deliveryCount,
        }, copy);
      }
    }
    return g;
  }

  /** Deletes a consumer and its pending entries; returns how many it had. */
  deleteConsumer(name: string): number {
    const c = this.consumers.get(name);
    if (c === undefined) return 0;
    const n = c.pel.size;
    for (const [id] of c.pel.entries()) this.pel.delete(id);
    this.consumers.delete(name);
    return n;
  }
}
