/**
 * The WAL record format of the key-value engine: kind 32 holds a batch of
 * commands (one top-level command, or one EXEC) that replay atomically. Each
 * command is logged in a deterministic form (absolute expiry times, SPOP as
 * SREM, ...), so replay reproduces the state exactly.
 * @module
 */
import { CorruptError } from "../common/errors.ts";

/** Arguments up to this size are copied byte by byte (no builtin call). */
const shortCopyMax = 32;

/** WAL record kind of a command batch. */
export const kvRecordKind = 32;

/** One logged command. */
export interface LoggedCommand {
  readonly db: number;
  readonly argv: Uint8Array[];
}

/** A position in the record being built (`RecordEncoder.mark`). */
export interface RecordMark {
  /** Records taken before it (a later `take` moved past it). */
  readonly taken: number;
  readonly bytes: number;
  readonly count: number;
}

/** Builds one record's payload. */
export class RecordEncoder {
  #buf = new Uint8Array(4096);
  #view = new DataView(this.#buf.buffer);
  #pos = 4;
  #count = 0;
  #taken = 0;

  get count(): number {
    return this.#count;
  }

  /** Payload bytes so far. */
  get bytes(): number {
    return this.#pos;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Adds a command. */
  add(db: number, argv: readonly Uint8Array[]): void {
    let n = 5;
    for (const a of argv) n += 4 + a.length;
    this.#ensure(n);
    this.#buf[this.#pos++] = db;
    this.#view.setUint32(this.#pos, argv.length, true);
    this.#pos += 4;
    const buf = this.#buf;
    for (const a of argv) {
      const len = a.length;
      this.#view.setUint32(this.#pos, len, true);
      let p = this.#pos + 4;
      // Keys and small values: a plain loop beats the builtin `set` call.
      if (len <= shortCopyMax) { for (let i = 0; i < len; i++) buf[p++] = a[i]!; }
      else {
        buf.set(a, p);
        p += len;
      }
      this.#pos = p;
    }
    this.#count++;
  }

  /** Where the record ends now (`truncate` goes back to it). */
  mark(): RecordMark {
    return { taken: this.#taken, bytes: this.#pos, count: this.#count };
  }

  /**
   * Drops the commands added since `mark` that are still here (when the
   * record was taken since, all of its commands came after the mark).
   */
  truncate(mark: RecordMark): void {
    const same = mark.taken === this.#taken;
    this.#pos = same ? mark.bytes : 4;
    this.#count = same ? mark.count : 0;
  }

  /**
   * The payload so far, and resets the encoder. The view is valid until the
   * next `add` (the WAL copies it into its own buffer at once).
   */
  take(): Uint8Array {
    this.#view.setUint32(0, this.#count, true);
    const out = this.#buf.subarray(0, this.#pos);
    this.#pos = 4;
    this.#count = 0;
    this.#taken++;
    if (this.#buf.length > 1024 * 1024) {
      // Drop a buffer grown by one huge command; `out` keeps the old one alive.
      this.#buf = new Uint8Array(4096);
      this.#view = new DataView(this.#buf.buffer);
    }
    return out;
  }
}

/**
 * Decodes a record payload.
 * @throws {CorruptError} XX001 when the payload is malformed
 */
export function decodeRecord(payload: Uint8Array): LoggedCommand[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const need = (pos: number, n: number) => {
    if (pos + n > payload.length) {
      throw new CorruptError(`KV WAL record truncated at byte ${pos} of ${payload.length}`);
    }
  };
  need(0, 4);
  const count = view.getUint32(0, true);
  let pos = 4;
  const out: LoggedCommand[] = [];
  for (let i = 0; i < count; i++) {
    need(pos, 5);
    const db = payload[pos]!;
    const argc = view.getUint32(pos + 1, true);
    pos += 5;
    const argv: Uint8Array[] = [];
    for (let j = 0; j < argc; j++) {
      need(pos, 4);
      const len = view.getUint32(pos, true);
      pos += 4;
      need(pos, len);
      argv.push(payload.slice(pos, pos + len));
      pos += len;
    }
    out.push({ db, argv });
  }
  return out;
}
