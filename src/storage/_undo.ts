/**
 * The saved bytes of ranges a mini-transaction patched (`Mtr.patch`), for
 * putting them back on rollback or into a page's whole before-image.
 * Folder-private.
 * @module
 */

/** Saved ranges of patched pages, by the mini-transaction's slot numbers. */
export class RangeUndo {
  /** (slot, offset, length, position in `#bytes`) quadruples, oldest first. */
  readonly #entries: number[] = [];
  /** Entries of `#entries` in use (emptying the array would cost V8 a reallocation). */
  #entriesLength = 0;
  #bytes = new Uint8Array(4096);
  #end = 0;

  /** Keeps bytes [offset, offset+length) of `data`, the page in `slot`. */
  save(slot: number, data: Uint8Array, offset: number, length: number): void {
    const at = this.#end;
    if (at + length > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.#bytes.length, at + length));
      grown.set(this.#bytes.subarray(0, at));
      this.#bytes = grown;
    }
    const out = this.#bytes;
    if (length <= 32) { for (let b = 0; b < length; b++) out[at + b] = data[offset + b]!; }
    else out.set(data.subarray(offset, offset + length), at);
    const e = this.#entries;
    const n = this.#entriesLength;
    e[n] = slot;
    e[n + 1] = offset;
    e[n + 2] = length;
    e[n + 3] = at;
    this.#entriesLength = n + 4;
    this.#end = at + length;
  }

  /**
   * Puts the saved bytes back into `target` for each entry whose slot
   * `target` gives a page for, newest first (ranges may overlap, the oldest wins).
   */
  restore(target: (slot: number) => Uint8Array | undefined): void {
    const e = this.#entries;
    for (let i = this.#entriesLength - 4; i >= 0; i -= 4) {
      const data = target(e[i]!);
      if (data === undefined) continue;
      const at = e[i + 3]!;
      data.set(this.#bytes.subarray(at, at + e[i + 2]!), e[i + 1]!);
    }
  }

  /** Forgets every saved range. */
  clear(): void {
    this.#entriesLength = 0;
    this.#end = 0;
  }
}
