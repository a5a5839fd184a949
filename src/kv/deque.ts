/**
 * A growable ring buffer: O(1) push and pop at both ends and O(1) indexing,
 * which Redis lists need (LPUSH onto a long list must not shift it).
 * @module
 */

/** Double-ended queue of latin1 byte strings. */
export class Deque {
  #items: (string | undefined)[];
  #head = 0;
  #length = 0;
  /** Sum of element lengths, for memory accounting. */
  bytes = 0;

  constructor(capacity = 8) {
    this.#items = new Array(capacity);
  }

  get length(): number {
    return this.#length;
  }

  #grow(): void {
    const old = this.#items;
    const next = new Array<string | undefined>(old.length * 2);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) % old.length];
    this.#items = next;
    this.#head = 0;
  }

  pushBack(value: string): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) % this.#items.length] = value;
    this.#length++;
    this.bytes += value.length;
  }

  pushFront(value: string): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1 + this.#items.length) % this.#items.length;
    this.#items[this.#head] = value;
    this.#length++;
    this.bytes += value.length;
  }

  popFront(): string | undefined {
    if (this.#length === 0) return undefined;
    const v = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    if (v) this.bytes -= v.length;
    return v;
  }

  popBack(): string | undefined {
    if (this.#length === 0) return undefined;
    const i = (this.#head + this.#length - 1) % this.#items.length;
    const v = this.#items[i];
    this.#items[i] = undefined;
    this.#length--;
    if (v) this.bytes -= v.length;
    return v;
  }

  /** Element at `index` (0-based from the head), or undefined. */
  at(index: number): string | undefined {
    if (index < 0 || index >= this.#length) return undefined;
    return this.#items[(this.#head + index) % this.#items.length];
  }

  /** Replaces the element at a valid `index`. */
  setAt(index: number, value: string): void {
    const i = (this.#head + index) % this.#items.length;
    const old = this.#items[i];
    if (old) this.bytes -= old.length;
    this.#items[i] = value;
    this.bytes += value.length;
  }

  /** Elements from `start` to `end` inclusive (already clamped). */
  slice(start: number, end: number): string[] {
    const out: string[] = [];
    for (let i = start; i <= end; i++) out.push(this.at(i)!);
    return out;
  }

  /** All elements, head first. */
  toArray(): string[] {
    return this.#length === 0 ? [] : this.slice(0, this.#length - 1);
  }

  /** Replaces the whole content. */
  replace(values: string[]): void {
    let capacity = 8;
    while (capacity < values.length) capacity *= 2;
    this.#items = new Array(capacity);
    this.#head = 0;
    this.#length = 0;
    this.bytes = 0;
    for (const v of values) this.pushBack(v);
  }
}
