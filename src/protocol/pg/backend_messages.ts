/**
 * Encoders for the messages a PostgreSQL server sends (protocol 3.0). Each
 * appends one complete message to a `MessageWriter`; the connection sends the
 * writer's bytes in one write per Sync or simple query.
 * @module
 */
import type { Field, Notification, TxStatus } from "../../engine/session_api.ts";
import type { MessageWriter } from "./message_writer.ts";
import { typeLength, typeOid, wireTypmod } from "./pg_types.ts";

/** AuthenticationOk ('R', 0). */
export function encodeAuthenticationOk(w: MessageWriter): void {
  w.begin("R").int32(0).end();
}

/** AuthenticationCleartextPassword ('R', 3). */
export function encodeAuthenticationCleartextPassword(w: MessageWriter): void {
  w.begin("R").int32(3).end();
}

/** AuthenticationMD5Password ('R', 5) with a 4-byte salt. */
export function encodeAuthenticationMD5Password(w: MessageWriter, salt: Uint8Array): void {
  w.begin("R").int32(5).bytes(salt).end();
}

/** AuthenticationSASL ('R', 10) listing mechanisms. */
export function encodeAuthenticationSASL(w: MessageWriter, mechanisms: readonly string[]): void {
  w.begin("R").int32(10);
  for (const m of mechanisms) w.cstring(m);
  w.byte(0).end();
}

/** AuthenticationSASLContinue ('R', 11). */
export function encodeAuthenticationSASLContinue(w: MessageWriter, data: Uint8Array): void {
  w.begin("R").int32(11).bytes(data).end();
}

/** AuthenticationSASLFinal ('R', 12). */
export function encodeAuthenticationSASLFinal(w: MessageWriter, data: Uint8Array): void {
  w.begin("R").int32(12).bytes(data).end();
}

/**
 * NegotiateProtocolVersion ('v'): the newest minor version the server
 * supports and the `_pq_.` options it does not recognise.
 */
export function encodeNegotiateProtocolVersion(
  w: MessageWriter,
  minor: number,
  unsupported: readonly string[],
): void {
  w.begin("v").int32(minor).int32(unsupported.length);
  for (const option of unsupported) w.cstring(option);
  w.end();
}

/** ParameterStatus ('S'). */
export function encodeParameterStatus(w: MessageWriter, name: string, value: string): void {
  w.begin("S").cstring(name).cstring(value).end();
}

/** BackendKeyData ('K'). */
export function encodeBackendKeyData(w: MessageWriter, processId: number, secret: number): void {
  w.begin("K").int32(processId).int32(secret).end();
}

/** ReadyForQuery ('Z') with the transaction status I, T or E. */
export function encodeReadyForQuery(w: MessageWriter, status: TxStatus): void {
  w.begin("Z").byte(status.charCodeAt(0)).end();
}

/**
 * RowDescription ('T').
 * @param formats result format per column (0 text, 1 binary)
 */
export function encodeRowDescription(
  w: MessageWriter,
  fields: readonly Field[],
  formats: readonly number[],
): void {
  w.begin("T").int16(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    w.cstring(f.name).int32(f.tableOid).int16(f.columnNumber);
    w.int32(typeOid(f.type)).int16(typeLength(f.type)).int32(wireTypmod(f.type));
    w.int16(formats[i] ?? 0);
  }
  w.end();
}

/** ParameterDescription ('t') with one type OID per parameter. */
export function encodeParameterDescription(w: MessageWriter, oids: readonly number[]): void {
  w.begin("t").int16(oids.length);
  for (const oid of oids) w.int32(oid);
  w.end();
}

/** CommandComplete ('C') with a tag such as "SELECT 3". */
export function encodeCommandComplete(w: MessageWriter, tag: string): void {
  w.begin("C").cstring(tag).end();
}

/** EmptyQueryResponse ('I'). */
export function encodeEmptyQueryResponse(w: MessageWriter): void {
  w.begin("I").end();
}

/** ParseComplete ('1'). */
export function encodeParseComplete(w: MessageWriter): void {
  w.begin("1").end();
}

/** BindComplete ('2'). */
export function encodeBindComplete(w: MessageWriter): void {
  w.begin("2").end();
}

/** CloseComplete ('3'). */
export function encodeCloseComplete(w: MessageWriter): void {
  w.begin("3").end();
}

/** NoData ('n'). */
export function encodeNoData(w: MessageWriter): void {
  w.begin("n").end();
}

/** PortalSuspended ('s'). */
export function encodePortalSuspended(w: MessageWriter): void {
  w.begin("s").end();
}

/** Fields of an ErrorResponse or NoticeResponse. */
export interface ErrorFields {
  /** ERROR, FATAL, PANIC, WARNING, NOTICE, ... */
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  readonly detail?: string | undefined;
  readonly hint?: string | undefined;
  /** 1-based character position in the query. */
  readonly position?: number | undefined;
  /** Where the error happened (CONTEXT), e.g. a COPY line. */
  readonly context?: string | undefined;
}

function encodeFields(w: MessageWriter, code: string, f: ErrorFields): void {
  w.begin(code);
  w.byte(0x53).cstring(f.severity); // S: localized severity
  w.byte(0x56).cstring(f.severity); // V: severity, never localized
  w.byte(0x43).cstring(f.code); // C
  w.byte(0x4d).cstring(f.message); // M
  if (f.detail !== undefined) w.byte(0x44).cstring(f.detail); // D
  if (f.hint !== undefined) w.byte(0x48).cstring(f.hint); // H
  if (f.position !== undefined) w.byte(0x50).cstring(String(f.position)); // P
  if (f.context !== undefined) w.byte(0x57).cstring(f.context); // W
  w.byte(0).end();
}

/** ErrorResponse ('E'). */
export function encodeErrorResponse(w: MessageWriter, fields: ErrorFields): void {
  encodeFields(w, "E", fields);
}

/** NoticeResponse ('N'). */
export function encodeNoticeResponse(w: MessageWriter, fields: ErrorFields): void {
  encodeFields(w, "N", fields);
}

/** NotificationResponse ('A'). */
export function encodeNotificationResponse(w: MessageWriter, n: Notification): void {
  w.begin("A").int32(n.processId).cstring(n.channel).cstring(n.payload).end();
}

function encodeCopyResponse(w: MessageWriter, code: string, binary: boolean, n: number): void {
  w.begin(code).byte(binary ? 1 : 0).int16(n);
  for (let i = 0; i < n; i++) w.int16(binary ? 1 : 0);
  w.end();
}

/** CopyInResponse ('G') for `columns` columns. */
export function encodeCopyInResponse(w: MessageWriter, binary: boolean, columns: number): void {
  encodeCopyResponse(w, "G", binary, columns);
}

/** CopyOutResponse ('H') for `columns` columns. */
export function encodeCopyOutResponse(w: MessageWriter, binary: boolean, columns: number): void {
  encodeCopyResponse(w, "H", binary, columns);
}

/** CopyData ('d'). */
export function encodeCopyData(w: MessageWriter, data: Uint8Array): void {
  w.begin("d").bytes(data).end();
}

/** CopyDone ('c'). */
export function encodeCopyDone(w: MessageWriter): void {
  w.begin("c").end();
}
