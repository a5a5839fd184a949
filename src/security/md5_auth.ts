/**
 * PostgreSQL's md5 password scheme: verifiers `md5` + md5(password + user)
 * and the salted challenge response `md5` + md5(verifier hex + salt).
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Lower-case hex MD5 of bytes or a UTF-8 string. */
export function md5Hex(data: Uint8Array | string): string {
  return createHash("md5").update(data).digest("hex");
}

/**
 * Builds the stored md5 verifier of a user's password.
 * @example createMd5Verifier("alice", "secret") // "md5" + 32 hex digits
 */
export function createMd5Verifier(user: string, password: string): string {
  return "md5" + md5Hex(password + user);
}

/** Returns true when `text` looks like an md5 verifier. */
export function isMd5Verifier(text: string): boolean {
  return /^md5[0-9a-f]{32}$/.test(text);
}

/** The response a client sends to an MD5 challenge, given the stored verifier. */
export function md5SaltedResponse(verifier: string, salt: Uint8Array): string {
  const inner = new TextEncoder().encode(verifier.slice(3));
  const buf = new Uint8Array(inner.length + salt.length);
  buf.set(inner);
  buf.set(salt, inner.length);
  return "md5" + md5Hex(buf);
}

/** Checks a client's md5 challenge response in constant time. */
export function md5VerifyResponse(verifier: string, salt: Uint8Array, response: string): boolean {
  if (!isMd5Verifier(verifier)) return false;
  const expected = new TextEncoder().encode(md5SaltedResponse(verifier, salt));
  const got = new TextEncoder().encode(response);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
