/**
 * Extended-query state of one connection: named and unnamed prepared
 * statements and portals, and the Parse/Bind/Describe/Execute/Close
 * handlers, and Sync. Folder-private: the connection hands it these messages;
 * an error becomes ErrorResponse plus skip-until-Sync.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { type SqlType, type } from "../../common/types.ts";
import type { TextOptions } from "../../common/value_text.ts";
import type {
  Cursor,
  Fetched,
  Field,
  Prepared,
  Session,
  StatementResult,
} from "../../engine/session_api.ts";
import {
  encodeBindComplete,
  encodeCloseComplete,
  encodeCommandComplete,
  encodeEmptyQueryResponse,
  encodeErrorResponse,
  encodeNoData,
  encodeParameterDescription,
  encodeParseComplete,
  encodePortalSuspended,
  encodeRowDescription,
} from "./backend_messages.ts";
import {
  type BindMessage,
  decodeBind,
  decodeClose,
  decodeDescribe,
  decodeExecute,
  decodeParse,
} from "./frontend_messages.ts";
import { errorFields, isDisconnect } from "./_error_fields.ts";
import { type MessageReader, ProtocolViolation } from "./message_reader.ts";
import type { MessageWriter } from "./message_writer.ts";
import { type ResultOutput, resultOutput } from "./_result_output.ts";
import { typeFromOid, typeOid } from "./pg_types.ts";
import { decodeParam, encodeDataRow, resolveFormats } from "./value_codec.ts";

interface Statement {
  /** null for an empty query string, which answers EmptyQueryResponse. */
  readonly prepared: Prepared | null;
  /** What its portals send, kept from the last one (most Binds ask for the same formats). */
  output: ResultOutput | null;
}

interface Portal {
  readonly statement: Statement | null;
  readonly cursor: Cursor | null;
  readonly formats: readonly number[];
  output: ResultOutput | null;
  done: boolean;
}

const unknownType = type("unknown");

/** What the handlers need from the connection. */
export interface ExtendedIo {
  readonly session: Session;
  readonly writer: MessageWriter;
  textOptions(): TextOptions;
  /** Called with each finished statement's result (notices, reported settings). */
  onResult(result: StatementResult): void;
  /** Starts sending buffered output when it has grown large (a big result). */
  flushIfLarge(): void;
  /** Ends a Sync: reported settings, then ReadyForQuery. */
  readyForQuery(session: Session): void;
}

function closeCursor(p: Portal): void {
  p.cursor?.close();
}

function quoted(kind: string, name: string): string {
  return name === "" ? `unnamed ${kind}` : `${kind} "${name}"`;
}

/** Prepared statements and portals of one connection. */
export class ExtendedQuery {
  readonly #statements = new Map<string, Statement>();
  readonly #portals = new Map<string, Portal>();
  readonly #io: ExtendedIo;
  /** True after an error until the next Sync (or simple query): messages are skipped. */
  skipping = false;

  constructor(io: ExtendedIo) {
    this.#io = io;
  }

  /**
   * Handles Parse, Bind, Describe, Execute or Close (skipped after an error
   * until Sync); an error becomes ErrorResponse. Returns a promise only when
   * the session must be awaited.
   * @throws {ProtocolViolation} for another message type; disconnects
   */
  message(type: number, r: MessageReader): void | Promise<void> {
    if (this.skipping) {
      if (type === 0x50 || type === 0x42 || type === 0x44 || type === 0x45 || type === 0x43) return;
    }
    let pending: void | Promise<void>;
    try {
      pending = this.#handle(type, r);
    } catch (e) {
      return this.#failed(e);
    }
    if (pending) return pending.catch((e) => this.#failed(e));
  }

  #handle(type: number, r: MessageReader): void | Promise<void> {
    switch (type) {
      case 0x50: // P: Parse
        return this.parse(r);
      case 0x42: // B: Bind
        return this.bind(r);
      case 0x44: // D: Describe
        return this.describe(r);
      case 0x45: // E: Execute
        return this.execute(r);
      case 0x43: // C: Close
        return this.close(r);
      default:
        throw new ProtocolViolation(`Invalid frontend message type ${type}`);
    }
  }

  /** An extended-query error: ErrorResponse, then skip until Sync. */
  #failed(e: unknown): void {
    if (e instanceof ProtocolViolation || isDisconnect(e)) throw e;
    // Any error fails an open transaction block, also one raised here (Bind).
    this.#io.session.fail?.();
    encodeErrorResponse(this.#io.writer, errorFields(e));
    this.skipping = true;
  }

  /** Sync ('S'); returns a promise only when the session must be awaited. */
  sync(): void | Promise<void> {
    this.skipping = false;
    const session = this.#io.session;
    let pending: void | Promise<void> = undefined;
    try {
      pending = session.sync?.();
    } catch (e) {
      encodeErrorResponse(this.#io.writer, errorFields(e));
    }
    if (!pending) return this.#synced(session);
    return pending.then(
      () => this.#synced(session),
      (e) => {
        encodeErrorResponse(this.#io.writer, errorFields(e));
        this.#synced(session);
      },
    );
  }

  #synced(session: Session): void {
    if (session.txStatus === "I") this.closePortals();
    this.#io.readyForQuery(session);
  }

  /** Parse ('P'); returns a promise only when the session must be awaited. */
  parse(r: MessageReader): void | Promise<void> {
    const m = decodeParse(r);
    if (m.name !== "" && this.#statements.has(m.name)) {
      throw new DbError("42P05", `prepared statement "${m.name}" already exists`);
    }
    const declared = m.paramOids.map((oid) => (oid === 0 ? null : typeFromOid(oid) ?? null));
    const session = this.#io.session;
    if (/^[\s;]*$/.test(m.sql)) return this.#parsed(m.name, null);
    if (session.prepareNow) return this.#parsed(m.name, session.prepareNow(m.sql, declared));
    return session.prepare(m.sql, declared).then((p) => this.#parsed(m.name, p));
  }

  #parsed(name: string, prepared: Prepared | null): void {
    this.#statements.set(name, { prepared, output: null });
    encodeParseComplete(this.#io.writer);
  }

  #statement(name: string): Statement {
    const s = this.#statements.get(name);
    if (!s) throw new DbError("26000", `${quoted("prepared statement", name)} does not exist`);
    return s;
  }

  #portal(name: string): Portal {
    const p = this.#portals.get(name);
    if (!p) throw new DbError("34000", `${quoted("portal", name)} does not exist`);
    return p;
  }

  /** Bind ('B'); returns a promise only when the session must be awaited. */
  bind(r: MessageReader): void | Promise<void> {
    const m = decodeBind(r);
    const statement = this.#statement(m.statement);
    const prepared = statement.prepared;
    const existing = this.#portals.get(m.portal);
    if (existing && m.portal !== "") {
      throw new DbError("42P03", `portal "${m.portal}" already exists`);
    }
    existing?.cursor?.close();
    this.#portals.delete(m.portal);
    if (prepared === null) {
      this.#portals.set(m.portal, {
        statement,
        cursor: null,
        formats: [],
        output: null,
        done: false,
      });
      encodeBindComplete(this.#io.writer);
      return;
    }
    const values = this.#decodeParams(m, prepared.paramTypes);
    const session = this.#io.session;
    if (session.openNow) return this.#bound(m, statement, session.openNow(prepared, values));
    return session.open(prepared, values).then((cursor) => this.#bound(m, statement, cursor));
  }

  #bound(m: BindMessage, statement: Statement, cursor: Cursor): void {
    const n = cursor.fields?.length ?? 0;
    const formats = resolveFormats(m.resultFormats, n);
    this.#portals.set(m.portal, { statement, cursor, formats, output: null, done: false });
    encodeBindComplete(this.#io.writer);
  }

  #decodeParams(m: BindMessage, types: readonly SqlType[]) {
    if (m.params.length !== types.length) {
      throw new DbError(
        "08P01",
        `bind message supplies ${m.params.length} parameters, but prepared statement "${m.statement}" requires ${types.length}`,
      );
    }
    const formats = resolveFormats(m.paramFormats, m.params.length);
    const options = this.#io.textOptions();
    return m.params.map((p, i) =>
      decodeParam(p, types[i] ?? unknownType, formats[i] ?? 0, options)
    );
  }

  /** Describe ('D'). */
  describe(r: MessageReader): void {
    const m = decodeDescribe(r);
    const w = this.#io.writer;
    if (m.target === "S") {
      const { prepared } = this.#statement(m.name);
      encodeParameterDescription(w, (prepared?.paramTypes ?? []).map(typeOid));
      const fields = prepared?.fields ?? null;
      if (fields) encodeRowDescription(w, fields, []);
      else encodeNoData(w);
      return;
    }
    const portal = this.#portal(m.name);
    const fields = portal.cursor?.fields ?? null;
    if (fields) w.bytes(this.#output(portal, fields).rowDescription);
    else encodeNoData(w);
  }

  /** The portal's row description and column encoders, shared with its statement's last portal. */
  #output(portal: Portal, fields: readonly Field[]): ResultOutput {
    const kept = portal.output ?? portal.statement?.output;
    const output = resultOutput(kept, fields, portal.formats, this.#io.textOptions());
    if (portal.statement) portal.statement.output = output;
    return portal.output = output;
  }

  /** Execute ('E'); returns a promise only when the statement suspended. */
  execute(r: MessageReader): void | Promise<void> {
    const m = decodeExecute(r);
    const portal = this.#portal(m.portal);
    const w = this.#io.writer;
    if (portal.cursor === null) {
      encodeEmptyQueryResponse(w);
      return;
    }
    if (portal.done) {
      throw new DbError("55000", `${quoted("portal", m.portal)} cannot be run again`);
    }
    const cursor = portal.cursor;
    const batch = cursor.fetchNow ? cursor.fetchNow(m.maxRows) : cursor.fetch(m.maxRows);
    if (batch instanceof Promise) return batch.then((b) => this.#executed(portal, cursor, b));
    this.#executed(portal, cursor, batch);
  }

  #executed(portal: Portal, cursor: Cursor, batch: Fetched): void {
    const w = this.#io.writer;
    if (batch.rows.length > 0) {
      const encoders = this.#output(portal, cursor.fields ?? []).encoders;
      for (const row of batch.rows) {
        encodeDataRow(w, row, encoders);
        this.#io.flushIfLarge();
      }
    }
    if (!batch.done) {
      encodePortalSuspended(w);
      return;
    }
    portal.done = true;
    const result = batch.result;
    if (result) this.#io.onResult(result);
    encodeCommandComplete(w, result?.tag ?? `SELECT ${batch.rows.length}`);
  }

  /** Close ('C'). */
  close(r: MessageReader): void {
    const m = decodeClose(r);
    if (m.target === "S") this.#statements.delete(m.name);
    else {
      this.#portals.get(m.name)?.cursor?.close();
      this.#portals.delete(m.name);
    }
    encodeCloseComplete(this.#io.writer);
  }

  /** Drops portals at the end of a transaction, as PostgreSQL does. */
  closePortals(): void {
    const portals = this.#portals;
    if (portals.size === 0) return;
    // forEach: no iterator object per Sync.
    portals.forEach(closeCursor);
    portals.clear();
  }

  /** Releases everything when the connection ends. */
  closeAll(): void {
    this.closePortals();
    this.#statements.clear();
  }
}
