/**
 * Who a Redis client is: the `default` user (the `requirepass` password) or a
 * ThunderDB user, whose credentials the server injects as a
 * `KvUserDirectory` (the key-value layer sits below security and engine, so
 * it never reads them itself). Users created, altered or dropped through SQL
 * are seen by the next AUTH, since the directory reads the live catalog; a
 * dropped user's clients are disconnected, as Redis does on ACL DELUSER.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { fromLatin1, latin1, utf8Bytes } from "./bytes.ts";
import { passwordHash } from "./acl_user.ts";
import { clientInfoLine } from "./cmd_admin.ts";

const utf8 = new TextDecoder();

/** ThunderDB's users as the key-value engine may ask about them. */
export interface KvUserDirectory {
  /** Whether `password` is the password of `user`, a user that may log in. */
  checkPassword(user: string, password: string): boolean;
  /**
   * Registers `dropped`, called with each user that stopped existing (a
   * committed DROP ROLE, or a rename away from the name). Optional.
   */
  watchDropped?(dropped: (user: string) => void): void;
}

/** Redis's reply to a failed AUTH or HELLO ... AUTH. */
export const wrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

/** The user every connection starts as. */
export const defaultUser = "default";

/**
 * Checks credentials: the name's ACL entry when it has one (on, and nopass
 * or one of its passwords), else, or failing that, ThunderDB's users through
 * the injected directory (see acl.ts). `default` is ACL only (requirepass).
 */
export function credentialsValid(x: KvEngine, user: string, password: string): boolean {
  const entry = x.acl.users.get(user);
  if (entry !== undefined) {
    if (!entry.enabled) return false;
    if (entry.nopass || entry.passwords.has(passwordHash(password))) return true;
  }
  if (user === defaultUser || x.users === null) return false;
  // Arguments arrive as latin1 text (one char per byte); ThunderDB passwords are UTF-8.
  return x.users.checkPassword(utf8.decode(fromLatin1(user)), utf8.decode(fromLatin1(password)));
}

/**
 * Authenticates `c` as `user` when the credentials are valid; a failure is
 * recorded in ACL LOG.
 * @returns false (the client's identity unchanged) when they are not
 */
export function authenticate(x: KvEngine, c: KvClient, user: string, password: string): boolean {
  if (!credentialsValid(x, user, password)) {
    x.acl.logLengthMax = x.config.acllogMaxLen;
    x.acl.record({
      reason: "auth",
      context: c.multi !== null ? "multi" : "toplevel",
      object: "AUTH",
      username: user,
      clientInfo: clientInfoLine(x, c),
    }, x.now);
    return false;
  }
  c.user = user;
  c.aclUser = user === defaultUser ? null : x.acl.entryFor(user);
  c.authenticated = true;
  return true;
}

/**
 * A ThunderDB user was dropped: as Redis 7 does for ACL DELUSER, clients
 * authenticated as it are disconnected (after a reply in progress), unless
 * the name's ACL entry can still log them in (on, with nopass or a password).
 * @returns how many clients are disconnected
 */
export function userDropped(x: KvEngine, user: string): number {
  // Clients carry names as latin1 text of their bytes (see credentialsValid).
  const name = latin1(utf8Bytes(user));
  const entry = x.acl.users.get(name);
  if (entry !== undefined && entry.enabled && (entry.nopass || entry.passwords.size > 0)) return 0;
  let n = 0;
  for (const c of x.clients.values()) {
    if (c.user !== name) continue;
    c.transport.closeAfterReply();
    c.transport.flushSoon();
    n++;
  }
  return n;
}
