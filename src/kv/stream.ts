/**
 * The stream type of Redis 5+: entries ordered by ID (`ms-seq`, two unsigned
 * 64-bit numbers), each a list of field/value pairs. An ID is one bigint
 * (`ms << 64 | seq`), so comparing IDs is comparing numbers.
 *
 * Entries live in nodes of at most `stream-node-max-entries` entries, as
 * Redis's listpacks in its radix tree: approximate trimming (`~`) removes
 * whole nodes only, so it trims exactly as much as Redis does. Deleted entries
 * stay in their node as tombstones until the node empties. Lookup is a binary
 * search over nodes and then inside one; appending is amortized O(1).
 * @module
 */

import { ConsumerGroup, entriesReadInvalid, lowerBound } from "./stream_group.ts";

/** A stream entry ID: `ms << 64n | seq`. */
export type StreamId = bigint;

const u64Max = (1n << 64n) - 1n;
/** The largest ID, `18446744073709551615-18446744073709551615`. */
export const idMax: StreamId = (1n << 128n) - 1n;

/** Builds an ID from its parts. */
export function makeId(ms: bigint, seq: bigint): StreamId {
  return (ms << 64n) | seq;
}

/** The millisecond part of an ID. */
export function idMs(id: StreamId): bigint {
  return id >> 64n;
}

/** The sequence part of an ID. */
export function idSeq(id: StreamId): bigint {
  return id & u64Max;
}

/** Formats an ID as Redis prints it (`ms-seq`). */
export function formatId(id: StreamId): string {
  return `${id >> 64n}-${id & u64Max}`;
}

/** Parses an unsigned 64-bit decimal; null when malformed or out of range. */
export function parseU64(text: string): bigint | null {
  if (!/^\d{1,20}$/.test(text)) return null;
  const v = BigInt(text);
  return v > u64Max ? null : v;
}

/** A parsed ID argument. */
export interface ParsedId {
  readonly id: StreamId;
  /** The argument was `ms-*` (XADD only): the sequence is generated. */
  readonly autoSeq: boolean;
}

/**
 * Parses `ms`, `ms-seq` (and `ms-*` when `allowAutoSeq`); a missing sequence
 * is `missingSeq` (0 for a range start, the maximum for a range end).
 */
export function parseId(
  text: string,
  missingSeq: bigint,
  allowAutoSeq = false,
): ParsedId | null {
  const dash = text.indexOf("-");
  if (dash < 0) {
    const ms = parseU64(text);
    return ms === null ? null : { id: makeId(ms, missingSeq), autoSeq: false };
  }
  const ms = parseU64(text.slice(0, dash));
  if (ms === null) return null;
  const rest = text.slice(dash + 1);
  if (allowAutoSeq && rest === "*") return { id: makeId(ms, 0n), autoSeq: true };
  const seq = parseU64(rest);
  return seq === null ? null : { id: makeId(ms, seq), autoSeq: false };
}

/** Redis's default `stream-node-max-entries`. */
export const streamNodeMaxEntriesDefault = 100;

/** One node: IDs in order, and each entry's fields and values (null once deleted). */
class StreamNode {
  readonly ids: StreamId[] = [];
  readonly values: (string[] | null)[] = [];
  live = 0;
}

/** One entry as read: its ID and its field/value pairs, flattened. */
export interface StreamEntry {
  readonly id: StreamId;
  readonly fields: readonly string[];
}

/** What a trim removes: entries beyond a length, or below an ID. */
export type TrimTarget =
  | { readonly kind: "maxlen"; readonly maxlen: number }
  | { readonly kind: "minid"; readonly minid: StreamId };

/** A stream value with its consumer groups. */
export class Stream {
  #nodes: StreamNode[] = [];
  /** Consumer groups by name. */
  readonly groups = new Map<string, ConsumerGroup>();
  /** Live entries. */
  length = 0;
  /** The last ID ever added (or set by XSETID). */
  lastId: StreamId = 0n;
  /** The largest ID removed by XDEL. */
  maxDeletedId: StreamId = 0n;
  /** Entries ever added. */
  entriesAdded = 0;
  /** Bytes of fields and values, for memory estimates. */
  bytes = 0;

  /** Nodes in use (XINFO's radix-tree-keys). */
  get nodeCount(): number {
    return this.#nodes.length;
  }

  /** Appends an entry whose ID is above `lastId`; a new node starts when the last is full. */
  append(id: StreamId, fields: string[], nodeMaxEntries: number): void {
    let node = this.#nodes[this.#nodes.length - 1];
    if (node === undefined || (nodeMaxEntries > 0 && node.ids.length >= nodeMaxEntries)) {
      node = new StreamNode();
      this.#nodes.push(node);
    }
    node.ids.push(id);
    node.values.push(fields);
    node.live++;
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    this.bytes += entryBytes(fields);
  }

  /** Index of the node that would hold `id` (the last whose first ID is <= id), or -1. */
  #nodeFor(id: StreamId): number {
    let lo = 0;
    let hi = this.#nodes.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.#nodes[mid]!.ids[0]! <= id) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Deletes one entry; false when absent. */
  delete(id: StreamId): boolean {
    const n = this.#nodeFor(id);
    if (n < 0) return false;
    const node = this.#nodes[n]!;
    const i = lowerBound(node.ids, id);
    if (node.ids[i] !== id || node.values[i] === null) return false;
    this.bytes -= entryBytes(node.values[i]!);
    node.values[i] = null;
    node.live--;
    this.length--;
    if (node.live === 0) this.#nodes.splice(n, 1);
    if (id > this.maxDeletedId) this.maxDeletedId = id;
    return true;
  }

  /** The first live entry, or undefined when empty. */
  first(): StreamEntry | undefined {
    return this.entries(0n, idMax, false).next().value;
  }

  /** The last live entry, or undefined when empty. */
  last(): StreamEntry | undefined {
    return this.entries(0n, idMax, true).next().value;
  }

  /** Live entries with `start <= id <= end`, ascending or (`reverse`) descending. */
  *entries(start: StreamId, end: StreamId, reverse: boolean): Generator<StreamEntry, undefined> {
    if (start > end) return;
    if (!reverse) {
      let n = Math.max(0, this.#nodeFor(start));
      for (; n < this.#nodes.length; n++) {
        const node = this.#nodes[n]!;
        for (let i = lowerBound(node.ids, start); i < node.ids.length; i++) {
          const id = node.ids[i]!;
          if (id > end) return;
          const fields = node.values[i];
          if (fields !== null && fields !== undefined) yield { id, fields };
        }
      }
      return;
    }
    for (let n = this.#nodeFor(end); n >= 0; n--) {
      const node = this.#nodes[n]!;
      for (let i = upperBound(node.ids, end) - 1; i >= 0; i--) {
        const id = node.ids[i]!;
        if (id < start) return;
        const fields = node.values[i];
        if (fields !== null && fields !== undefined) yield { id, fields };
      }
    }
  }

  /**
   * Trims as Redis's streamTrim does: whole nodes from the head while the
   * target allows, at most `limit` entries when `limit` > 0; then, unless
   * `approx`, single entries of the next node. Returns the entries removed.
   */
  trim(target: TrimTarget, approx: boolean, limit: number): number {
    let removed = 0;
    while (this.#nodes.length !== 0) {
      const node = this.#nodes[0]!;
      const whole = target.kind === "maxlen"
        ? this.length - node.live >= target.maxlen
        : node.ids[node.ids.length - 1]! < target.minid;
      if (whole) {
        if (limit > 0 && removed + node.live > limit) break;
        for (const v of node.values) if (v !== null) this.bytes -= entryBytes(v);
        removed += node.live;
        this.length -= node.live;
        this.#nodes.shift();
        continue;
      }
      if (approx) break;
      for (let i = 0; i < node.ids.length; i++) {
        const v = node.values[i];
        if (v === null || v === undefined) continue;
        if (
          target.kind === "maxlen" ? this.length <= target.maxlen : node.ids[i]! >= target.minid
        ) {
          break;
        }
        this.bytes -= entryBytes(v);
        node.values[i] = null;
        node.live--;
        this.length--;
        removed++;
      }
      break;
    }
    return removed;
  }

  /** A deep copy (COPY). */
  clone(nodeMaxEntries = streamNodeMaxEntriesDefault): Stream {
    const s = new Stream();
    for (const e of this.entries(0n, idMax, false)) s.append(e.id, [...e.fields], nodeMaxEntries);
    s.lastId = this.lastId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    for (const [name, g] of this.groups) s.groups.set(name, g.clone());
    return s;
  }

  /** Whether an entry with this ID is live. */
  has(id: StreamId): boolean {
    const n = this.#nodeFor(id);
    if (n < 0) return false;
    const node = this.#nodes[n]!;
    const i = lowerBound(node.ids, id);
    return node.ids[i] === id && node.values[i] !== null;
  }

  /** The live entry with this ID. */
  get(id: StreamId): StreamEntry | undefined {
    const n = this.#nodeFor(id);
    if (n < 0) return undefined;
    const node = this.#nodes[n]!;
    const i = lowerBound(node.ids, id);
    const fields = node.values[i];
    return node.ids[i] === id && fields !== null && fields !== undefined
      ? { id, fields }
      : undefined;
  }

  /** Whether an XDEL may have left a gap at or after `start` (Redis's streamRangeHasTombstones). */
  hasTombstonesFrom(start: StreamId): boolean {
    if (this.length === 0 || this.maxDeletedId === 0n) return false;
    if (this.first()!.id > this.maxDeletedId) return false;
    return start <= this.maxDeletedId;
  }

  /**
   * The logical read counter of `id` (how many entries were ever added up
   * to it), or -1 when it cannot be known (Redis's
   * streamEstimateDistanceFromFirstEverEntry).
   */
  estimateEntriesRead(id: StreamId): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && id <= this.lastId) return this.entriesAdded;
    if (id === this.lastId) return this.entriesAdded;
    if (id > this.lastId) return entriesReadInvalid;
    const first = this.first()!.id;
    if (this.maxDeletedId === 0n || this.maxDeletedId < first) {
      if (id < first) return this.entriesAdded - this.length;
      if (id === first) return this.entriesAdded - this.length + 1;
    }
    return entriesReadInvalid;
  }

  /** A group's lag (entries not yet delivered to it), or null when unknown. */
  lagOf(g: ConsumerGroup): number | null {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== entriesReadInvalid && !this.hasTombstonesFrom(g.lastId)) {
      return this.entriesAdded - g.entriesRead;
    }
    const read = this.estimateEntriesRead(g.lastId);
    return read === entriesReadInvalid ? null : this.entriesAdded - read;
  }

  /** Advances a group past a delivered entry, keeping its read counter when it can. */
  advanceGroup(g: ConsumerGroup, id: StreamId): void {
    if (id <= g.lastId) return;
    if (g.entriesRead !== entriesReadInvalid && !this.hasTombstonesFrom(id)) g.entriesRead++;
    else if (this.entriesAdded !== 0) g.entriesRead = this.estimateEntriesRead(id);
    g.lastId = id;
  }
}

function entryBytes(fields: readonly string[]): number {
  let n = 16;
  for (const f of fields) n += f.length + 2;
  return n;
}

/** First index with `ids[i] > id`. */
function upperBound(ids: readonly StreamId[], id: StreamId): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
