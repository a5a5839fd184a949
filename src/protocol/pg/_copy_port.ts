/**
 * The protocol side of COPY for one connection: CopyInResponse and the
 * CopyData/CopyDone/CopyFail stream in, CopyOutResponse and CopyData out.
 * Folder-private.
 * @module
 */
import { batchRowsMax } from "../../common/limits.ts";
import { DbError } from "../../common/errors.ts";
import type { Value } from "../../common/types.ts";
import type { TextOptions } from "../../common/value_text.ts";
import type { CopyPort, CopySpec } from "../../engine/session_api.ts";
import { encodeCopyDone, encodeCopyInResponse, encodeCopyOutResponse } from "./backend_messages.ts";
import {
  BinaryCopyDecoder,
  encodeBinaryCopyHeader,
  encodeBinaryCopyRow,
  encodeBinaryCopyTrailer,
} from "./copy_binary.ts";
import { CopyDecoder } from "./copy_format.ts";
import { CopyEncoder } from "./copy_encoder.ts";
import { decodeCopyData, decodeCopyFail } from "./frontend_messages.ts";
import type { InputBuffer } from "./_input.ts";
import { ProtocolViolation } from "./message_reader.ts";
import type { MessageWriter } from "./message_writer.ts";

/** Output bytes buffered before a COPY TO STDOUT flushes to the socket. */
const flushBytes = 256 * 1024;

/** CopyData bytes gathered before they are decoded. */
const stagingBytes = 64 * 1024;

/** A reusable byte buffer that CopyData payloads are copied into. */
class Staging {
  #buf = new Uint8Array(stagingBytes * 2);
  length = 0;

  append(b: Uint8Array): void {
    if (this.length + b.length > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.length + b.length));
      next.set(this.#buf.subarray(0, this.length));
      this.#buf = next;
    }
    this.#buf.set(b, this.length);
    this.length += b.length;
  }

  /** The gathered bytes, valid until the next `append`. */
  take(): Uint8Array {
    const out = this.#buf.subarray(0, this.length);
    this.length = 0;
    return out;
  }
}

/** What COPY needs from its connection. */
export interface CopyIo {
  readonly writer: MessageWriter;
  readonly input: InputBuffer;
  flush(): Promise<void>;
  textOptions(): TextOptions;
}

/** Creates the `CopyPort` a connection assigns to its session. */
export function createCopyPort(io: CopyIo): CopyPort {
  return {
    copyIn: (spec) => copyIn(io, spec),
    copyOut: (spec, rows) => copyOut(io, spec, rows),
  };
}

async function* copyIn(io: CopyIo, spec: CopySpec): AsyncGenerator<Value[][]> {
  const binary = spec.format === "binary";
  const decoder = binary
    ? new BinaryCopyDecoder(spec.types)
    : new CopyDecoder(spec, io.textOptions());
  encodeCopyInResponse(io.writer, binary, spec.columns);
  await io.flush();
  let batch: Value[][] = [];
  const staging = new Staging();
  for (;;) {
    const type = await io.input.next();
    if (type === null) throw new DbError("08006", "Client closed the connection during COPY");
    if (type === 0x64) { // CopyData
      // Clients send a row per CopyData: gather what has already arrived and decode it at once.
      staging.append(decodeCopyData(io.input.reader));
      if (staging.length < stagingBytes && io.input.buffered >= 5) continue;
      for (const row of decoder.push(staging.take())) batch.push(row);
      if (batch.length >= batchRowsMax) {
        yield batch;
        batch = [];
      }
    } else if (type === 0x63) { // CopyDone
      for (const row of decoder.push(staging.take())) batch.push(row);
      for (const row of decoder.finish()) batch.push(row);
      if (batch.length > 0) yield batch;
      return;
    } else if (type === 0x66) { // CopyFail
      throw new DbError("57014", `COPY from stdin failed: ${decodeCopyFail(io.input.reader)}`);
    } else if (type !== 0x48 && type !== 0x53) { // Flush and Sync are ignored during COPY
      throw new ProtocolViolation(`Unexpected message type ${type} during COPY from stdin`);
    }
  }
}

async function copyOut(
  io: CopyIo,
  spec: CopySpec,
  rows: AsyncIterable<readonly (readonly Value[])[]>,
): Promise<number> {
  const binary = spec.format === "binary";
  const encoder = binary ? null : new CopyEncoder(spec, io.textOptions());
  const w = io.writer;
  encodeCopyOutResponse(w, binary, spec.columns);
  if (binary) {
    w.begin("d");
    encodeBinaryCopyHeader(w);
    w.end();
  }
  const header = encoder?.header();
  if (header !== undefined) {
    w.begin("d").utf8(header);
    w.end();
  }
  let count = 0;
  for await (const batch of rows) {
    for (const row of batch) {
      const mark = w.position;
      try {
        w.begin("d");
        if (encoder) w.utf8(encoder.encode(row));
        else encodeBinaryCopyRow(w, row, spec.types);
        w.end();
      } catch (e) {
        w.truncate(mark); // never leave half a message in the stream
        throw e;
      }
      count++;
    }
    if (w.length >= flushBytes) await io.flush();
  }
  if (binary) {
    w.begin("d");
    encodeBinaryCopyTrailer(w);
    w.end();
  }
  encodeCopyDone(w);
  return count;
}
