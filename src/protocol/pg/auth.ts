/**
 * The authentication exchange after StartupMessage: trust, cleartext
 * password, md5 and SCRAM-SHA-256, checked against the stored verifier that
 * `PgAuthOptions.lookup` returns (PostgreSQL's `rolpassword`: a SCRAM or md5
 * verifier, or a plain password).
 * @module
 */
import { DbError } from "../../common/errors.ts";
import { createMd5Verifier, isMd5Verifier, md5VerifyResponse } from "../../security/md5_auth.ts";
import {
  createScramVerifier,
  parseScramVerifier,
  ScramError,
  ScramServer,
} from "../../security/scram.ts";
import { verifyCleartextPassword } from "../../security/password.ts";
import {
  encodeAuthenticationCleartextPassword,
  encodeAuthenticationMD5Password,
  encodeAuthenticationSASL,
  encodeAuthenticationSASLContinue,
  encodeAuthenticationSASLFinal,
} from "./backend_messages.ts";
import {
  decodePasswordMessage,
  decodeSaslInitialResponse,
  decodeSaslResponse,
} from "./frontend_messages.ts";
import type { InputBuffer } from "./_input.ts";
import { ProtocolViolation } from "./message_reader.ts";
import type { MessageWriter } from "./message_writer.ts";

/** How clients prove who they are. */
export interface PgAuthOptions {
  /** The pg_hba-style method applied to every client. */
  readonly method: "trust" | "password" | "md5" | "scram-sha-256";
  /**
   * Returns the user's stored verifier (`SCRAM-SHA-256$...`, `md5...`, or a
   * plain password), or undefined for an unknown user or one without a
   * password. Not called for `trust`.
   */
  lookup(user: string): string | undefined | Promise<string | undefined>;
}

/** What the exchange needs from the connection. */
export interface AuthIo {
  /** Where authentication requests are encoded. */
  readonly writer: MessageWriter;
  /** Where the client's responses are read from. */
  readonly input: InputBuffer;
  flush(): Promise<void>;
}

/** The client hung up during authentication (psql does this to prompt for a password). */
export class ClientGone extends Error {}

function failed(user: string): DbError {
  return new DbError("28P01", `password authentication failed for user "${user}"`);
}

const scramMechanism = "SCRAM-SHA-256";
const decoder = new TextDecoder();

async function readPassword(io: AuthIo): Promise<void> {
  await io.flush();
  const type = await io.input.next();
  if (type === null) throw new ClientGone();
  if (type !== 0x70) {
    throw new ProtocolViolation(`Expected password response, got message type ${type}`);
  }
}

function verifyCleartext(verifier: string | undefined, user: string, password: string): boolean {
  return verifier !== undefined && verifyCleartextPassword(verifier, user, password);
}

async function cleartext(io: AuthIo, user: string, verifier: string | undefined): Promise<void> {
  encodeAuthenticationCleartextPassword(io.writer);
  await readPassword(io);
  const password = decodePasswordMessage(io.input.reader);
  if (!verifyCleartext(verifier, user, password)) throw failed(user);
}

async function md5(io: AuthIo, user: string, verifier: string | undefined): Promise<void> {
  const salt = crypto.getRandomValues(new Uint8Array(4));
  encodeAuthenticationMD5Password(io.writer, salt);
  await readPassword(io);
  const response = decodePasswordMessage(io.input.reader);
  if (verifier === undefined) throw failed(user);
  const stored = isMd5Verifier(verifier) ? verifier : createMd5Verifier(user, verifier);
  if (!md5VerifyResponse(stored, salt, response)) throw failed(user);
}

async function scram(io: AuthIo, user: string, verifier: string | undefined): Promise<void> {
  let parsed = verifier === undefined ? undefined : parseScramVerifier(verifier);
  if (verifier !== undefined && !parsed && !isMd5Verifier(verifier)) {
    // A plain stored password: derive a verifier for this exchange.
    parsed = parseScramVerifier(createScramVerifier(verifier));
  }
  const server = new ScramServer(parsed, ScramServer.randomNonce());
  encodeAuthenticationSASL(io.writer, [scramMechanism]);
  await readPassword(io);
  const initial = decodeSaslInitialResponse(io.input.reader);
  if (initial.mechanism !== scramMechanism) {
    throw new ProtocolViolation("Client selected an invalid SASL authentication mechanism");
  }
  try {
    const first = server.serverFirst(decoder.decode(initial.data ?? new Uint8Array()));
    encodeAuthenticationSASLContinue(io.writer, new TextEncoder().encode(first));
    await readPassword(io);
    const final = server.serverFinal(decoder.decode(decodeSaslResponse(io.input.reader)));
    if (final === undefined) throw failed(user);
    encodeAuthenticationSASLFinal(io.writer, new TextEncoder().encode(final));
  } catch (e) {
    if (e instanceof ScramError) throw new ProtocolViolation(e.message);
    throw e;
  }
}

/**
 * Runs the configured exchange; returns when the client is authenticated.
 * @throws {DbError} 28P01 on a wrong password, 08P01 on a malformed exchange
 * @throws {ClientGone} when the client disconnects mid-exchange
 */
export async function authenticate(io: AuthIo, user: string, auth: PgAuthOptions): Promise<void> {
  if (auth.method === "trust") return;
  const verifier = await auth.lookup(user);
  switch (auth.method) {
    case "password":
      return await cleartext(io, user, verifier);
    case "md5":
      // As PostgreSQL: md5 falls back to SCRAM when only a SCRAM verifier is stored.
      if (verifier !== undefined && parseScramVerifier(verifier)) {
        return await scram(io, user, verifier);
      }
      return await md5(io, user, verifier);
    case "scram-sha-256":
      return await scram(io, user, verifier);
  }
}
