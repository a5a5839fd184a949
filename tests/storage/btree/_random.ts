/** A small seeded PRNG (mulberry32) for property tests; failures print the seed. */
export class Random {
  #state: number;
  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** `length` random bytes drawn from the first `alphabet` byte values. */
  bytes(length: number, alphabet = 256): Uint8Array {
    const out = new Uint8Array(length);
    if (alphabet === 256) {
      for (let i = 0; i < length; i += 4) {
        const word = this.next() * 4294967296;
        for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = word >>> (8 * j);
      }
      return out;
    }
    for (let i = 0; i < length; i++) out[i] = this.int(alphabet);
    return out;
  }
}

/** Hex form of bytes, for Map keys and messages. */
export function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** True when both byte strings are equal. */
export function equalBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
