/**
 * Decoders for the messages a PostgreSQL client sends (protocol 3.0). Each
 * takes a `MessageReader` positioned on the message body (after the type
 * byte and length) and returns a plain readonly record.
 * @module
 */
import { type MessageReader, ProtocolViolation } from "./message_reader.ts";

/** Protocol version 3.0 in a StartupMessage. */
export const protocolVersion3 = 196_608;
/** Request code of an SSLRequest. */
export const sslRequestCode = 80_877_103;
/** Request code of a GSSENCRequest. */
export const gssEncRequestCode = 80_877_104;
/** Request code of a CancelRequest. */
export const cancelRequestCode = 80_877_102;

/** The first message of a connection (no type byte). */
export type StartupPacket =
  | {
    readonly kind: "startup";
    /** Minor protocol version the client asked for (3.x); the server speaks 3.0. */
    readonly minor: number;
    readonly params: ReadonlyMap<string, string>;
  }
  | { readonly kind: "ssl" }
  | { readonly kind: "gssenc" }
  | { readonly kind: "cancel"; readonly processId: number; readonly secret: number };

/**
 * Decodes a startup-phase packet body (after its int32 length).
 * @throws {ProtocolViolation} 08P01 for an unknown code or bad layout
 */
export function decodeStartupMessage(r: MessageReader): StartupPacket {
  const code = r.int32();
  if (code === sslRequestCode) return { kind: "ssl" };
  if (code === gssEncRequestCode) return { kind: "gssenc" };
  if (code === cancelRequestCode) {
    const processId = r.int32();
    const secret = r.int32();
    return { kind: "cancel", processId, secret };
  }
  if (code >>> 16 !== 3) {
    throw new ProtocolViolation(
      `Unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0`,
    );
  }
  const params = new Map<string, string>();
  while (r.remaining > 0) {
    const key = r.cstring();
    if (key === "") break;
    params.set(key, r.cstring());
  }
  return { kind: "startup", minor: code & 0xffff, params };
}

/** Query ('Q'): the SQL text of a simple query. */
export function decodeQuery(r: MessageReader): string {
  return r.cstring();
}

/** Parse ('P'). */
export interface ParseMessage {
  readonly name: string;
  readonly sql: string;
  /** Declared parameter type OIDs; 0 means unspecified. */
  readonly paramOids: readonly number[];
}

/** Decodes Parse ('P'). */
export function decodeParse(r: MessageReader): ParseMessage {
  const name = r.cstring();
  const sql = r.cstring();
  const n = r.int16();
  if (n < 0) throw new ProtocolViolation(`Parse declares ${n} parameter types`);
  const paramOids: number[] = new Array(n);
  for (let i = 0; i < n; i++) paramOids[i] = r.int32() >>> 0;
  return { name, sql, paramOids };
}

/** Bind ('B'). Parameter values are views into the input buffer; null is SQL NULL. */
export interface BindMessage {
  readonly portal: string;
  readonly statement: string;
  /** 0 text, 1 binary; empty (all text), one (applies to all) or one per parameter. */
  readonly paramFormats: readonly number[];
  readonly params: readonly (Uint8Array | null)[];
  readonly resultFormats: readonly number[];
}

function formatCodes(r: MessageReader, what: string): number[] {
  const n = r.int16();
  if (n < 0) throw new ProtocolViolation(`Bind has ${n} ${what} format codes`);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const f = r.int16();
    if (f !== 0 && f !== 1) throw new ProtocolViolation(`Unsupported format code: ${f}`);
    out[i] = f;
  }
  return out;
}

/** Decodes Bind ('B'). */
export function decodeBind(r: MessageReader): BindMessage {
  const portal = r.name();
  const statement = r.name();
  const paramFormats = formatCodes(r, "parameter");
  const n = r.int16();
  if (n < 0) throw new ProtocolViolation(`Bind has ${n} parameters`);
  const params: (Uint8Array | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const len = r.int32();
    if (len < -1) throw new ProtocolViolation(`Bind parameter ${i + 1} has length ${len}`);
    params[i] = len === -1 ? null : r.view(len);
  }
  const resultFormats = formatCodes(r, "result");
  return { portal, statement, paramFormats, params, resultFormats };
}

/** Describe ('D') and Close ('C'): 'S' for a statement, 'P' for a portal. */
export interface TargetMessage {
  readonly target: "S" | "P";
  readonly name: string;
}

function decodeTarget(r: MessageReader, what: string): TargetMessage {
  const t = r.byte();
  if (t !== 0x53 && t !== 0x50) {
    throw new ProtocolViolation(`Invalid ${what} message subtype ${t}`);
  }
  return { target: t === 0x53 ? "S" : "P", name: r.name() };
}

/** Decodes Describe ('D'). */
export function decodeDescribe(r: MessageReader): TargetMessage {
  return decodeTarget(r, "DESCRIBE");
}

/** Decodes Close ('C'). */
export function decodeClose(r: MessageReader): TargetMessage {
  return decodeTarget(r, "CLOSE");
}

/** Execute ('E'). `maxRows` 0 means all rows. */
export interface ExecuteMessage {
  readonly portal: string;
  readonly maxRows: number;
}

/** Decodes Execute ('E'). */
export function decodeExecute(r: MessageReader): ExecuteMessage {
  const portal = r.name();
  const maxRows = r.int32();
  return { portal, maxRows: maxRows < 0 ? 0 : maxRows };
}

/** Decodes PasswordMessage ('p') carrying a cleartext or md5 password. */
export function decodePasswordMessage(r: MessageReader): string {
  return r.cstring();
}

/** SASLInitialResponse ('p' during SASL). */
export interface SaslInitialResponse {
  readonly mechanism: string;
  readonly data: Uint8Array | null;
}

/** Decodes SASLInitialResponse ('p'). */
export function decodeSaslInitialResponse(r: MessageReader): SaslInitialResponse {
  const mechanism = r.cstring();
  const len = r.int32();
  if (len < -1) throw new ProtocolViolation(`SASLInitialResponse data length ${len}`);
  return { mechanism, data: len === -1 ? null : r.view(len).slice() };
}

/** Decodes SASLResponse ('p'): the rest of the message is the mechanism's data. */
export function decodeSaslResponse(r: MessageReader): Uint8Array {
  return r.view(r.remaining).slice();
}

/** Decodes CopyData ('d'): a view of the data bytes. */
export function decodeCopyData(r: MessageReader): Uint8Array {
  return r.view(r.remaining);
}

/** Decodes CopyFail ('f'): the client's reason. */
export function decodeCopyFail(r: MessageReader): string {
  return r.cstring();
}
