/**
 * COPY in PostgreSQL's binary format: the `PGCOPY` signature header, tuples
 * of length-prefixed binary values, and the -1 trailer.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { SqlType, Value } from "../../common/types.ts";
import { decodeBinaryValue, encodeBinaryValue } from "./binary_format.ts";
import type { MessageWriter } from "./message_writer.ts";

/** The 11-byte signature every binary COPY stream starts with. */
export const binaryCopySignature = new Uint8Array([
  0x50,
  0x47,
  0x43,
  0x4f,
  0x50,
  0x59,
  0x0a,
  0xff,
  0x0d,
  0x0a,
  0x00,
]);

function bad(message: string): DbError {
  return new DbError("22P04", message);
}

/** Decodes binary COPY data, chunk by chunk, into rows of values. */
export class BinaryCopyDecoder {
  readonly #types: readonly SqlType[];
  #buf = new Uint8Array(0);
  #headerDone = false;
  #ended = false;

  /** Creates a decoder for rows of these column types. */
  constructor(types: readonly SqlType[]) {
    this.#types = types;
  }

  /**
   * Decodes a chunk and returns the rows it completed.
   * @throws {DbError} 22P04 for a malformed stream, 22P03 for a malformed value
   */
  push(chunk: Uint8Array): Value[][] {
    if (this.#ended) return [];
    const next = new Uint8Array(this.#buf.length + chunk.length);
    next.set(this.#buf);
    next.set(chunk, this.#buf.length);
    this.#buf = next;
    return this.#drain();
  }

  /** Checks that the stream ended cleanly after CopyDone. */
  finish(): Value[][] {
    if (!this.#ended && (this.#buf.length > 0 || !this.#headerDone)) {
      throw bad("Unexpected end of binary COPY data");
    }
    return [];
  }

  #drain(): Value[][] {
    const b = this.#buf;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let pos = 0;
    if (!this.#headerDone) {
      if (b.length < 19) return [];
      for (let i = 0; i < binaryCopySignature.length; i++) {
        if (b[i] !== binaryCopySignature[i]) throw bad("COPY file signature not recognized");
      }
      const ext = dv.getInt32(15);
      if (ext < 0) throw bad("Invalid COPY file header (negative extension length)");
      if (b.length < 19 + ext) return [];
      pos = 19 + ext;
      this.#headerDone = true;
    }
    const rows: Value[][] = [];
    while (pos + 2 <= b.length) {
      const n = dv.getInt16(pos);
      if (n === -1) {
        this.#ended = true;
        pos = b.length;
        break;
      }
      if (n !== this.#types.length) {
        throw bad(`Row field count is ${n}, expected ${this.#types.length}`);
      }
      const row = this.#tuple(b, dv, pos + 2, n);
      if (!row) break;
      rows.push(row.values);
      pos = row.next;
    }
    this.#buf = b.slice(pos);
    return rows;
  }

  #tuple(b: Uint8Array, dv: DataView, start: number, n: number) {
    let p = start;
    const values: Value[] = new Array(n);
    for (let i = 0; i < n; i++) {
      if (p + 4 > b.length) return undefined;
      const len = dv.getInt32(p);
      p += 4;
      if (len === -1) {
        values[i] = null;
        continue;
      }
      if (len < 0) throw bad(`Invalid field length ${len}`);
      if (p + len > b.length) return undefined;
      values[i] = decodeBinaryValue(b.subarray(p, p + len), this.#types[i]!);
      p += len;
    }
    return { values, next: p };
  }
}

/** Appends the binary COPY header (signature, flags, empty extension). */
export function encodeBinaryCopyHeader(w: MessageWriter): void {
  w.bytes(binaryCopySignature).int32(0).int32(0);
}

/** Appends one binary COPY tuple. */
export function encodeBinaryCopyRow(
  w: MessageWriter,
  row: readonly Value[],
  types: readonly SqlType[],
): void {
  w.int16(types.length);
  for (let i = 0; i < types.length; i++) {
    const v = row[i] ?? null;
    if (v === null) {
      w.int32(-1);
      continue;
    }
    const at = w.reserveInt32();
    encodeBinaryValue(w, v, types[i]!);
    w.patchInt32(at, w.position - at - 4);
  }
}

/** Appends the binary COPY trailer. */
export function encodeBinaryCopyTrailer(w: MessageWriter): void {
  w.int16(-1);
}
