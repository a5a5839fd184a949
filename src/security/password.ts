/**
 * Checks a cleartext password against a stored secret as PostgreSQL's
 * `rolpassword` holds it: a SCRAM-SHA-256 verifier (PBKDF2 with its salt and
 * iterations, then StoredKey and ServerKey compared), an md5 verifier, or a
 * plain password (the configured bootstrap superuser's).
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { parseScramVerifier, scramVerifyPassword } from "./scram.ts";
import { createMd5Verifier, isMd5Verifier } from "./md5_auth.ts";

const encoder = new TextEncoder();

function sameText(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Whether `password` matches the stored `verifier` of `user`. An empty
 * password never matches, as in PostgreSQL.
 * @example verifyCleartextPassword(createScramVerifier("pw"), "alice", "pw") // true
 */
export function verifyCleartextPassword(verifier: string, user: string, password: string): boolean {
  if (password === "") return false;
  const scram = parseScramVerifier(verifier);
  if (scram) return scramVerifyPassword(scram, password);
  if (isMd5Verifier(verifier)) return sameText(createMd5Verifier(user, password), verifier);
  return sameText(verifier, password);
}
