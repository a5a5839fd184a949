/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it: verifiers in the
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` format and the
 * server side of the exchange as a pure state machine (randomness injected).
 * @module
 */
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";

/** Iterations PostgreSQL uses by default (`scram_iterations`). */
export const scramIterationsDefault = 4096;

/** A parsed SCRAM-SHA-256 verifier. */
export interface ScramVerifier {
  /** PBKDF2 iteration count. */
  readonly iterations: number;
  /** The salt. */
  readonly salt: Uint8Array;
  /** H(ClientKey). */
  readonly storedKey: Uint8Array;
  /** HMAC(SaltedPassword, "Server Key"). */
  readonly serverKey: Uint8Array;
}

/** Keys derived from a password (RFC 5802 section 3). */
export interface ScramKeys {
  /** PBKDF2-HMAC-SHA-256 of the password. */
  readonly saltedPassword: Uint8Array;
  /** HMAC(SaltedPassword, "Client Key"). */
  readonly clientKey: Uint8Array;
  /** H(ClientKey). */
  readonly storedKey: Uint8Array;
  /** HMAC(SaltedPassword, "Server Key"). */
  readonly serverKey: Uint8Array;
}

function hmac(key: Uint8Array, text: string): Uint8Array {
  return new Uint8Array(createHmac("sha256", key).update(text).digest());
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

function b64(data: Uint8Array): string {
  return Buffer.from(data).toString("base64");
}

function unb64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/**
 * Derives the SCRAM keys of a password.
 * @example computeScramKeys("pencil", salt, 4096).storedKey
 */
export function computeScramKeys(
  password: string,
  salt: Uint8Array,
  iterations: number,
): ScramKeys {
  // SASLprep maps compatibility characters like NFKC does; ASCII is unchanged.
  const saltedPassword = new Uint8Array(
    pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256"),
  );
  const clientKey = hmac(saltedPassword, "Client Key");
  const serverKey = hmac(saltedPassword, "Server Key");
  return { saltedPassword, clientKey, storedKey: sha256(clientKey), serverKey };
}

/**
 * Builds a PostgreSQL SCRAM-SHA-256 verifier for a password.
 * @param options.salt 16 random bytes unless given (tests pass a fixed salt)
 */
export function createScramVerifier(
  password: string,
  options: { iterations?: number; salt?: Uint8Array } = {},
): string {
  const iterations = options.iterations ?? scramIterationsDefault;
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const k = computeScramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(k.storedKey)}:${b64(k.serverKey)}`;
}

/** Parses a SCRAM-SHA-256 verifier; undefined when `text` is not one. */
export function parseScramVerifier(text: string): ScramVerifier | undefined {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/
    .exec(text);
  if (!m) return undefined;
  const iterations = Number(m[1]);
  const storedKey = unb64(m[3] ?? "");
  const serverKey = unb64(m[4] ?? "");
  if (iterations < 1 || storedKey.length !== 32 || serverKey.length !== 32) return undefined;
  return { iterations, salt: unb64(m[2] ?? ""), storedKey, serverKey };
}

/** Checks a cleartext password against a SCRAM verifier. */
export function scramVerifyPassword(v: ScramVerifier, password: string): boolean {
  const k = computeScramKeys(password, v.salt, v.iterations);
  return timingSafeEqual(k.storedKey, v.storedKey) && timingSafeEqual(k.serverKey, v.serverKey);
}

function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq === 1) out.set(part.slice(0, 1), part.slice(2));
  }
  return out;
}

/** A SCRAM exchange failed; the message says why (for the server log, not the client). */
export class ScramError extends Error {}

/**
 * The server side of one SCRAM-SHA-256 exchange. Pass `undefined` as the
 * verifier for an unknown user: the exchange then runs with a fake salt and
 * fails at the end, so clients cannot probe which users exist.
 */
export class ScramServer {
  readonly #verifier: ScramVerifier;
  readonly #known: boolean;
  readonly #serverNonce: string;
  #clientFirstBare = "";
  #serverFirst = "";
  #gs2Header = "";
  #nonce = "";

  /**
   * Starts an exchange.
   * @param verifier the user's verifier, or undefined for an unknown user
   * @param serverNonce printable characters other than ",", e.g. base64 of 18 random bytes
   * @param fakeSalt salt shown for an unknown user
   */
  constructor(verifier: ScramVerifier | undefined, serverNonce: string, fakeSalt?: Uint8Array) {
    this.#known = verifier !== undefined;
    this.#verifier = verifier ?? {
      iterations: scramIterationsDefault,
      salt: fakeSalt ?? new TextEncoder().encode(serverNonce).slice(0, 16),
      storedKey: new Uint8Array(32),
      serverKey: new Uint8Array(32),
    };
    this.#serverNonce = serverNonce;
  }

  /** Returns a fresh random server nonce. */
  static randomNonce(): string {
    return b64(crypto.getRandomValues(new Uint8Array(18)));
  }

  /**
   * Handles client-first-message and returns server-first-message.
   * @throws {ScramError} for a malformed message or channel binding we do not offer
   */
  serverFirst(clientFirst: string): string {
    const m = /^([ny]|p=[^,]*),([^,]*),(.*)$/.exec(clientFirst);
    if (!m) throw new ScramError("Malformed SCRAM client-first-message");
    if (m[1]?.startsWith("p=")) throw new ScramError("Channel binding is not supported");
    this.#gs2Header = `${m[1]},${m[2]},`;
    this.#clientFirstBare = m[3] ?? "";
    const clientNonce = attributes(this.#clientFirstBare).get("r");
    if (!clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) {
      throw new ScramError("Malformed SCRAM client nonce");
    }
    this.#nonce = clientNonce + this.#serverNonce;
    const v = this.#verifier;
    this.#serverFirst = `r=${this.#nonce},s=${b64(v.salt)},i=${v.iterations}`;
    return this.#serverFirst;
  }

  /**
   * Handles client-final-message; returns server-final-message on success.
   * @returns undefined when the proof is wrong (authentication failed)
   * @throws {ScramError} for a malformed message
   */
  serverFinal(clientFinal: string): string | undefined {
    const cut = clientFinal.lastIndexOf(",p=");
    if (cut < 0) throw new ScramError("SCRAM client-final-message has no proof");
    const withoutProof = clientFinal.slice(0, cut);
    const attrs = attributes(withoutProof);
    if (attrs.get("c") !== b64(new TextEncoder().encode(this.#gs2Header))) {
      throw new ScramError("SCRAM channel binding does not match");
    }
    if (attrs.get("r") !== this.#nonce) throw new ScramError("SCRAM nonce does not match");
    const proof = unb64(clientFinal.slice(cut + 3));
    if (proof.length !== 32) throw new ScramError("Malformed SCRAM proof");
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const v = this.#verifier;
    const signature = hmac(v.storedKey, authMessage);
    const clientKey = proof.map((b, i) => b ^ (signature[i] ?? 0));
    if (!this.#known || !timingSafeEqual(sha256(clientKey), v.storedKey)) return undefined;
    return `v=${b64(hmac(v.serverKey, authMessage))}`;
  }
}
