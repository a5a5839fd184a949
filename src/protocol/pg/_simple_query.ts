/**
 * The simple query protocol ('Q'): runs the statements of one query string
 * and encodes each result (RowDescription, DataRows, CommandComplete) or the
 * error, then ReadyForQuery. Folder-private.
 * @module
 */
import type { TextOptions } from "../../common/value_text.ts";
import type { Field, Session, StatementResult } from "../../engine/session_api.ts";
import {
  encodeCommandComplete,
  encodeEmptyQueryResponse,
  encodeErrorResponse,
} from "./backend_messages.ts";
import { errorFields, isDisconnect } from "./_error_fields.ts";
import { ProtocolViolation } from "./message_reader.ts";
import type { MessageWriter } from "./message_writer.ts";
import { type ResultOutput, resultOutput } from "./_result_output.ts";
import { encodeDataRow, resolveFormats } from "./value_codec.ts";

/** What a simple query needs of its connection. */
export interface SimpleQueryIo {
  readonly writer: MessageWriter;
  textOptions(): TextOptions;
  /** Notices of a result, and whether settings may have changed. */
  noteResult(r: StatementResult): void;
  /** Starts sending when the output grew large (a big result goes out while it is encoded). */
  flushIfLarge(): void;
  readyForQuery(session: Session): void;
}

/** Runs simple queries for one connection. */
export class SimpleQuery {
  readonly #io: SimpleQueryIo;
  /** Output per result field list (a cached plan keeps its list). */
  readonly #outputs = new WeakMap<readonly Field[], ResultOutput>();

  constructor(io: SimpleQueryIo) {
    this.#io = io;
  }

  /**
   * Runs `sql`; returns a promise only when a statement suspended.
   * @throws {ProtocolViolation} and disconnects, which end the connection
   */
  run(session: Session, sql: string): void | Promise<void> {
    const io = this.#io;
    let delivered = 0;
    const onResult = (result: StatementResult): void => {
      delivered++;
      this.#send(result);
    };
    const done = (results: readonly StatementResult[]): void => {
      if (delivered === 0) {
        for (const result of results) onResult(result);
        if (results.length === 0) encodeEmptyQueryResponse(io.writer);
      }
      io.readyForQuery(session);
    };
    const failed = (e: unknown): void => {
      if (e instanceof ProtocolViolation || isDisconnect(e)) throw e;
      encodeErrorResponse(io.writer, errorFields(e));
      io.readyForQuery(session);
    };
    let results: StatementResult[] | Promise<StatementResult[]>;
    try {
      results = session.executeNow
        ? session.executeNow(sql, [], onResult)
        : session.execute(sql, [], onResult);
    } catch (e) {
      return failed(e);
    }
    if (results instanceof Promise) return results.then(done, failed);
    done(results);
  }

  #send(result: StatementResult): void {
    const io = this.#io;
    const w = io.writer;
    const fields = result.fields;
    if (fields) {
      const kept = this.#outputs.get(fields);
      const output = resultOutput(
        kept,
        fields,
        resolveFormats([], fields.length),
        io.textOptions(),
      );
      if (output !== kept) this.#outputs.set(fields, output);
      w.bytes(output.rowDescription);
      const encoders = output.encoders;
      for (const row of result.rows) {
        encodeDataRow(w, row, encoders);
        io.flushIfLarge();
      }
    }
    io.noteResult(result);
    encodeCommandComplete(w, result.tag);
  }
}
