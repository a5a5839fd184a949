/**
 * Where command handlers write their answers. The RESP layer implements it over
 * its output buffer (RESP2 or RESP3 framing); recovery uses a sink that drops
 * everything. Handlers never see the wire format.
 * @module
 */

/** A sink for one client's replies, in the order commands ran. */
export interface Reply {
  /** Protocol version the client negotiated (2 or 3). */
  readonly resp: 2 | 3;
  /** "+OK". */
  ok(): void;
  /** A simple string (no CR/LF inside). */
  simple(text: string): void;
  /** An error; `message` starts with its code word, e.g. "ERR syntax error". */
  error(message: string): void;
  /** Errors replied so far (INFO commandstats counts commands that failed). */
  readonly errors: number;
  /** The last error replied ("" before any), for INFO errorstats. */
  readonly lastError: string;
  integer(value: number | bigint): void;
  /** A bulk string of raw bytes. */
  bulk(bytes: Uint8Array): void;
  /** A bulk string from a latin1 (one char per byte) string. */
  bulkLatin1(text: string): void;
  /** A bulk string from program text (UTF-8). */
  bulkText(text: string): void;
  /** The null bulk string ($-1, or _ in RESP3). */
  nil(): void;
  /** The null array (*-1, or _ in RESP3). */
  nullArray(): void;
  /** An array header of `count` elements. */
  array(count: number): void;
  /** A map header of `count` pairs (a flat array of 2×count in RESP2). */
  map(count: number): void;
  /** A set header (an array in RESP2). */
  set(count: number): void;
  /** A push header (an array in RESP2). */
  push(count: number): void;
  /** A double (a bulk string in RESP2). */
  double(value: number): void;
  /** A boolean (integer 1/0 in RESP2). */
  bool(value: boolean): void;
  /** Verbatim text (a bulk string in RESP2). */
  verbatim(text: string): void;
  /** A big number given as its decimal digits (a bulk string in RESP2). */
  bigNumber(digits: string): void;
  /**
   * A RESP3 attribute header of `count` pairs: out-of-band data the next
   * reply carries, not a reply itself. RESP3 only: RESP2 has no form for it,
   * so callers check `resp` first.
   */
  attribute(count: number): void;
}

/** A reply sink that discards everything (recovery, replay). */
export class NullReply implements Reply {
  readonly resp = 2 as const;
  errors = 0;
  lastError = "";
  ok(): void {}
  simple(_text: string): void {}
  error(message: string): void {
    this.errors++;
    this.lastError = message;
  }
  integer(_value: number | bigint): void {}
  bulk(_bytes: Uint8Array): void {}
  bulkLatin1(_text: string): void {}
  bulkText(_text: string): void {}
  nil(): void {}
  nullArray(): void {}
  array(_count: number): void {}
  map(_count: number): void {}
  set(_count: number): void {}
  push(_count: number): void {}
  double(_value: number): void {}
  bool(_value: boolean): void {}
  verbatim(_text: string): void {}
  bigNumber(_digits: string): void {}
  attribute(_count: number): void {}
}

/**
 * What a client under CLIENT REPLY OFF/SKIP gets: replies are dropped, except
 * push frames (pub/sub messages and RESP3 subscription notices) which Redis
 * still delivers. `pending` counts the elements of a push still to forward.
 */
export class MutedReply implements Reply {
  #pending = 0;
  errors = 0;
  lastError = "";
  constructor(readonly inner: Reply) {}
  get resp(): 2 | 3 {
    return this.inner.resp;
  }
  /** Whether the next frame is part of a push (and how many more follow). */
  #pass(children = 0): boolean {
    if (this.#pending === 0) return false;
    this.#pending += children - 1;
    return true;
  }
  ok(): void {
    if (this.#pass()) this.inner.ok();
  }
  simple(text: string): void {
    if (this.#pass()) this.inner.simple(text);
  }
  error(message: string): void {
    this.errors++;
    this.lastError = message;
    if (this.#pass()) this.inner.error(message);
  }
  integer(value: number | bigint): void {
    if (this.#pass()) this.inner.integer(value);
  }
  bulk(bytes: Uint8Array): void {
    if (this.#pass()) this.inner.bulk(bytes);
  }
  bulkLatin1(text: string): void {
    if (this.#pass()) this.inner.bulkLatin1(text);
  }
  bulkText(text: string): void {
    if (this.#pass()) this.inner.bulkText(text);
  }
  nil(): void {
    if (this.#pass()) this.inner.nil();
  }
  nullArray(): void {
    if (this.#pass()) this.inner.nullArray();
  }
  array(count: number): void {
    if (this.#pass(count)) this.inner.array(count);
  }
  map(count: number): void {
    if (this.#pass(2 * count)) this.inner.map(count);
  }
  set(count: number): void {
    if (this.#pass(count)) this.inner.set(count);
  }
  push(count: number): void {
    if (this.#pending === 0) this.#pending = count;
    else this.#pending += count - 1;
    this.inner.push(count);
  }
  double(value: number): void {
    if (this.#pass()) this.inner.double(value);
  }
  bool(value: boolean): void {
    if (this.#pass()) this.inner.bool(value);
  }
  verbatim(text: string): void {
    if (this.#pass()) this.inner.verbatim(text);
  }
  bigNumber(digits: string): void {
    if (this.#pass()) this.inner.bigNumber(digits);
  }
  attribute(count: number): void {
    if (this.#pass(2 * count)) this.inner.attribute(count);
  }
}
