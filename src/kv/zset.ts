/**
 * A sorted set: members (latin1 strings) with double scores, ordered by
 * (score, member bytes). A map gives O(1) score lookup; a sorted array gives
 * O(log n) rank and range queries (inserts shift the array, which is fast
 * for the sizes a key-value workload keeps in one key).
 * @module
 */

/** One member and its score. */
export interface ZEntry {
  readonly member: string;
  readonly score: number;
}

/** A score bound: value plus exclusivity. */
export interface ScoreBound {
  readonly value: number;
  readonly exclusive: boolean;
}

/** A lex bound: "-" / "+" are open ends (null), otherwise a member with exclusivity. */
export interface LexBound {
  readonly value: string | null;
  readonly exclusive: boolean;
  readonly infinity: -1 | 0 | 1;
}

const chunkMax = 512;

/** Compares an entry with (score, member): negative when the entry sorts first. */
function compare(e: ZEntry, score: number, member: string): number {
  if (e.score !== score) return e.score < score ? -1 : 1;
  return e.member === member ? 0 : e.member < member ? -1 : 1;
}

/** Index of the first entry of a sorted chunk that does not sort before (score, member). */
function position(chunk: ZEntry[], score: number, member: string): number {
  let lo = 0;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(chunk[mid]!, score, member) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The sorted set value. Entries live in sorted chunks of at most 512, so an
 * insert shifts one small chunk, never the whole set.
 */
export class ZSet {
  readonly scores = new Map<string, number>();
  #chunks: ZEntry[][] = [];
  /**
   * The score of each chunk's last entry (a plain array of doubles, stored
   * unboxed): an insert or delete finds its chunk without touching the
   * chunks' entries, which are cache misses in a large set.
   */
  #lastScores: number[] = [];
  #size = 0;
  /** Sum of member lengths, for memory accounting. */
  bytes = 0;

  get size(): number {
    return this.#size;
  }

  /** Index of the first chunk whose last entry is not before `pred`'s boundary. */
  #chunkFor(before: (e: ZEntry) => boolean): number {
    let lo = 0;
    let hi = this.#chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.#chunks[mid]!;
      if (before(chunk[chunk.length - 1]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rank of the first entry for which `before` is false (entries are partitioned by it). */
  #partition(before: (e: ZEntry) => boolean): number {
    const ci = this.#chunkFor(before);
    let rank = 0;
    for (let i = 0; i < ci; i++) rank += this.#chunks[i]!.length;
    const chunk = this.#chunks[ci];
    if (chunk === undefined) return rank;
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(chunk[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return rank + lo;
  }

  /** `#chunkFor` for the position of (score, member), by the chunks' last scores. */
  #chunkOf(score: number, member: string): number {
    const lasts = this.#lastScores;
    let lo = 0;
    let hi = lasts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const last = lasts[mid]!;
      let before = last < score;
      if (last === score) {
        // A tie on the score: the member decides.
        const chunk = this.#chunks[mid]!;
        before = compare(chunk[chunk.length - 1]!, score, member) < 0;
      }
      if (before) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #insert(entry: ZEntry): void {
    const { score, member } = entry;
    if (this.#chunks.length === 0) {
      this.#chunks.push([entry]);
      this.#lastScores.push(score);
      return;
    }
    let ci = this.#chunkOf(score, member);
    if (ci === this.#chunks.length) ci--;
    const chunk = this.#chunks[ci]!;
    const lo = position(chunk, score, member);
    chunk.splice(lo, 0, entry);
    if (lo === chunk.length - 1) this.#lastScores[ci] = score;
    if (chunk.length > chunkMax) {
      const tail = chunk.splice(chunkMax / 2);
      this.#chunks.splice(ci + 1, 0, tail);
      this.#lastScores.splice(ci + 1, 0, tail[tail.length - 1]!.score);
      this.#lastScores[ci] = chunk[chunk.length - 1]!.score;
    }
  }

  #delete(score: number, member: string): void {
    const ci = this.#chunkOf(score, member);
    const chunk = this.#chunks[ci]!;
    const lo = position(chunk, score, member);
    chunk.splice(lo, 1);
    if (chunk.length === 0) {
      this.#chunks.splice(ci, 1);
      this.#lastScores.splice(ci, 1);
    } else if (lo === chunk.length) this.#lastScores[ci] = chunk[lo - 1]!.score;
  }

  /** Sets a member's score; returns true when the member is new. */
  add(member: string, score: number): boolean {
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (old === score) return false;
      this.#delete(old, member);
    } else {
      this.bytes += member.length;
      this.#size++;
    }
    this.scores.set(member, score);
    this.#insert({ member, score });
    return old === undefined;
  }

  /** Adds a member known to be absent (the caller looked it up: one map operation less). */
  insertNew(member: string, score: number): void {
    this.bytes += member.length;
    this.#size++;
    this.scores.set(member, score);
    this.#insert({ member, score });
  }

  /** Moves a present member from score `old` (as the caller looked it up) to `score`. */
  replace(member: string, old: number, score: number): void {
    this.#delete(old, member);
    this.scores.set(member, score);
    this.#insert({ member, score });
  }

  /** Removes a member; returns true when it was present. */
  remove(member: string): boolean {
    const old = this.scores.get(member);
    if (old === undefined) return false;
    this.#delete(old, member);
    this.scores.delete(member);
    this.bytes -= member.length;
    this.#size--;
    return true;
  }

  /** 0-based rank in ascending order, or -1. */
  rank(member: string): number {
    const s = this.scores.get(member);
    return s === undefined ? -1 : this.#partition((e) => compare(e, s, member) < 0);
  }

  /** Entry at rank `i`. */
  at(i: number): ZEntry | undefined {
    if (i < 0) return undefined;
    for (const chunk of this.#chunks) {
      if (i < chunk.length) return chunk[i];
      i -= chunk.length;
    }
    return undefined;
  }

  /** Entries with rank in [start, end] (clamped by the caller), ascending. */
  rangeByRank(start: number, end: number): ZEntry[] {
    const out: ZEntry[] = [];
    let base = 0;
    for (const chunk of this.#chunks) {
      if (base > end) break;
      const from = Math.max(0, start - base);
      const to = Math.min(chunk.length - 1, end - base);
      for (let i = from; i <= to; i++) out.push(chunk[i]!);
      base += chunk.length;
    }
    return out;
  }

  /** First rank whose score satisfies the lower bound. */
  firstInScore(min: ScoreBound): number {
    return this.#partition((e) => (min.exclusive ? e.score <= min.value : e.score < min.value));
  }

  /** Last rank whose score satisfies the upper bound, or -1. */
  lastInScore(max: ScoreBound): number {
    return this.#partition((e) => (max.exclusive ? e.score < max.value : e.score <= max.value)) - 1;
  }

  /** First rank whose member satisfies the lex lower bound (assumes equal scores). */
  firstInLex(min: LexBound): number {
    if (min.infinity === -1) return 0;
    if (min.infinity === 1) return this.#size;
    const v = min.value!;
    return this.#partition((e) => (min.exclusive ? e.member <= v : e.member < v));
  }

  /** Last rank whose member satisfies the lex upper bound, or -1. */
  lastInLex(max: LexBound): number {
    if (max.infinity === 1) return this.#size - 1;
    if (max.infinity === -1) return -1;
    const v = max.value!;
    return this.#partition((e) => (max.exclusive ? e.member < v : e.member <= v)) - 1;
  }

  /** All entries in order. */
  entries(): ZEntry[] {
    return this.rangeByRank(0, this.#size - 1);
  }
}
