/**
 * The ACL registry: Redis ACL users by name, the permission check the
 * dispatcher runs before a command, and the ACL LOG.
 *
 * How ACL users relate to ThunderDB users: one namespace. A name may have a
 * ThunderDB role (CREATE USER in SQL), Redis ACL rules (ACL SETUSER), or
 * both. AUTH <name> <password> succeeds when the name's ACL entry, if any,
 * is `on` and the password is one of its Redis passwords (or it is
 * `nopass`), or when the name is a ThunderDB login role and the password is
 * its SQL password. A ThunderDB user without an ACL entry may do anything
 * (`on ~* &* +@all`); ACL SETUSER on its name gives it Redis rules, which
 * then apply however it authenticated (a new entry starts `off` with no
 * permissions, as every new Redis user: give `on` to keep its logins). A
 * user dropped in SQL can no longer AUTH, and connections authenticated as
 * it are closed, as ACL DELUSER closes a deleted user's, unless its ACL entry
 * can still log them in (`userDropped` in auth.ts). `default` is the user connections
 * start as; requirepass sets its password. ACL state is durable with the
 * key-value store: SETUSER and DELUSER are logged to its WAL (passwords as
 * hashes) and ACL LIST lines are kept in its snapshot. With an ACL file
 * (`aclfile`), its users replace the stored ones at startup (acl_file.ts).
 * @module
 */
import type { KvClient } from "./client.ts";
import { type AclSelector, AclUser, type CommandCatalog, passwordHash } from "./acl_user.ts";

export { AclUser } from "./acl_user.ts";
import { globMatch } from "./glob.ts";

/** Why a command was refused, as ACL LOG's `reason`. */
export type AclDenial =
  | { readonly reason: "command"; readonly object: string }
  | { readonly reason: "key"; readonly object: string }
  | { readonly reason: "channel"; readonly object: string };

/** One ACL LOG entry. */
export interface AclLogEntry {
  count: number;
  readonly reason: "command" | "key" | "channel" | "auth";
  readonly context: "toplevel" | "multi" | "lua";
  readonly object: string;
  readonly username: string;
  createdMs: number;
  updatedMs: number;
  clientInfo: string;
}

/** Entries ACL LOG keeps unless acllog-max-len says otherwise. */
export const aclLogLengthDefault = 128;

/** Redis's NOPERM error texts (7.0). */
export function denialError(d: AclDenial): string {
  switch (d.reason) {
    case "command":
      return `NOPERM this user has no permissions to run the '${d.object}' command`;
    case "key":
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    case "channel":
      return "NOPERM this user has no permissions to access one of the channels used as arguments";
  }
}

/** ACL DRYRUN's texts for a refusal. */
export function denialText(d: AclDenial): string {
  switch (d.reason) {
    case "command":
      return `This user has no permissions to run the '${d.object}' command`;
    case "key":
      return `This user has no permissions to access the '${d.object}' key`;
    case "channel":
      return `This user has no permissions to access the '${d.object}' channel`;
  }
}

/** Users and the log. */
export class AclRegistry {
  readonly users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;
  /** What a ThunderDB user without ACL rules gets: everything. */
  readonly fullAccess = new AclUser("");
  readonly log: AclLogEntry[] = [];
  logLengthMax = aclLogLengthDefault;
  /** The command table as rules see it; set when the dispatcher is attached. */
  catalog: CommandCatalog | null = null;
  /** Users loaded before the catalog was set ([name, ...rules]), applied when it is. */
  readonly pending: string[][] = [];

  constructor(requirepass: string) {
    this.defaultUser = new AclUser("default");
    for (const u of [this.defaultUser, this.fullAccess]) {
      u.enabled = true;
      u.allKeys = true;
      u.allChannels = true;
      u.allCommands = true;
    }
    this.users.set("default", this.defaultUser);
    this.setDefaultPassword(requirepass);
  }

  /** requirepass: the default user's only password, or nopass when empty. */
  setDefaultPassword(requirepass: string): void {
    const u = this.defaultUser;
    u.passwords.clear();
    u.nopass = requirepass === "";
    if (requirepass !== "") u.passwords.add(passwordHash(requirepass));
  }

  /** Whether a new connection starts authenticated (default user on and nopass). */
  get defaultOpen(): boolean {
    return this.defaultUser.enabled && this.defaultUser.nopass;
  }

  /** The ACL entry a client authenticated as `name` runs under. */
  entryFor(name: string): AclUser {
    return this.users.get(name) ?? this.fullAccess;
  }

  /**
   * Records a refusal in ACL LOG: an entry like a recent one (same reason,
   * context, object and user, within 60 s) is counted again and moved first.
   */
  record(
    entry: Omit<AclLogEntry, "count" | "createdMs" | "updatedMs">,
    nowMs: number,
  ): void {
    const i = this.log.findIndex((e) =>
      e.reason === entry.reason && e.context === entry.context && e.object === entry.object &&
      e.username === entry.username && nowMs - e.updatedMs < 60_000
    );
    if (i >= 0) {
      const e = this.log[i]!;
      e.count++;
      e.updatedMs = nowMs;
      e.clientInfo = entry.clientInfo;
      this.log.splice(i, 1);
      this.log.unshift(e);
      return;
    }
    this.log.unshift({ ...entry, count: 1, createdMs: nowMs, updatedMs: nowMs });
    this.trimLog();
  }

  /** Drops the oldest entries beyond acllog-max-len. */
  trimLog(): void {
    if (this.log.length > this.logLengthMax) this.log.length = this.logLengthMax;
  }
}

/** A key of a command line as the permission check sees it. */
export interface CheckedKey {
  readonly key: string;
  /** Its position in the command line (the most relevant refusal names the furthest). */
  readonly pos: number;
  /** Whether the command reads the key's value (needs %R) and changes it (needs %W). */
  readonly access: boolean;
  readonly write: boolean;
}

/** A command as the permission check sees it. */
export interface CheckedCommand {
  /** Lower-case command name. */
  readonly name: string;
  /** Lower-case subcommand or first argument, when there is one. */
  readonly arg: string | undefined;
  /** The key arguments, with what the command does to each. */
  readonly keys: readonly CheckedKey[];
  /** Channels it publishes or subscribes to; `patterns` when they are PSUBSCRIBE patterns. */
  readonly channels: readonly string[];
  readonly patterns: boolean;
  /** The name ACL shows: "get", "client|kill". */
  readonly fullName: string;
  /** Commands that run before authentication (AUTH, HELLO) pass the command rules. */
  readonly noauth: boolean;
}

/**
 * Whether a selector grants a key: a pattern that matches it and gives
 * read access when the command reads the value, write access when it
 * changes it (a command that only tests or counts needs either).
 */
function keyAllowed(s: AclSelector, k: CheckedKey): boolean {
  if (s.allKeys) return true;
  for (const p of s.keys) {
    if ((k.access && !p.read) || (k.write && !p.write)) continue;
    if (globMatch(p.pattern, k.key)) return true;
  }
  return false;
}

/** Whether a selector grants a channel (`literal` for PSUBSCRIBE patterns: exact match only). */
function selectorChannelAllowed(s: AclSelector, channel: string, literal: boolean): boolean {
  if (s.allChannels) return true;
  return s.channels.some((p) => literal ? p === channel : globMatch(p, channel));
}

/** Whether any of `u`'s selectors grants a channel. */
export function channelAllowed(u: AclUser, channel: string, literal: boolean): boolean {
  return u.allSelectors().some((s) => selectorChannelAllowed(s, channel, literal));
}

/**
 * Whether any of `u`'s selectors lets it read every key (a pattern matching
 * "*" with read access), as SORT's BY and GET need.
 */
export function readsAllKeys(u: AclUser): boolean {
  return u.allSelectors().some((s) =>
    s.allKeys || s.keys.some((p) => p.read && globMatch(p.pattern, "*"))
  );
}

/** A refusal by one selector, with how relevant it is and where in the line. */
interface SelectorDenial {
  readonly denial: AclDenial;
  readonly rank: number;
  readonly pos: number;
}

function checkSelector(
  s: AclSelector,
  cmd: CheckedCommand,
  catalog: CommandCatalog,
): SelectorDenial | null {
  const memo = cmd.arg === undefined ? cmd.name : `${cmd.name}|${cmd.arg}`;
  let allowed = cmd.noauth ? true : s.decisions.get(memo);
  if (allowed === undefined) {
    allowed = s.allows(cmd.name, cmd.arg, catalog);
    if (s.decisions.size < 1024) s.decisions.set(memo, allowed);
  }
  if (!allowed) return { denial: { reason: "command", object: cmd.fullName }, rank: 1, pos: 0 };
  for (const k of cmd.keys) {
    if (!keyAllowed(s, k)) return { denial: { reason: "key", object: k.key }, rank: 2, pos: k.pos };
  }
  for (let i = 0; i < cmd.channels.length; i++) {
    const ch = cmd.channels[i]!;
    if (!selectorChannelAllowed(s, ch, cmd.patterns)) {
      return { denial: { reason: "channel", object: ch }, rank: 3, pos: i + 1 };
    }
  }
  return null;
}

/**
 * Checks a command against a user's selectors; null when one of them lets
 * it run. Otherwise, as Redis, the most relevant refusal: channels before
 * keys before the command, then the one furthest along the command line.
 */
export function checkCommand(
  u: AclUser,
  cmd: CheckedCommand,
  catalog: CommandCatalog,
): AclDenial | null {
  let worst: SelectorDenial | null = null;
  for (const s of u.allSelectors()) {
    const d = checkSelector(s, cmd, catalog);
    if (d === null) return null;
    if (worst === null || d.rank > worst.rank || (d.rank === worst.rank && d.pos > worst.pos)) {
      worst = d;
    }
  }
  return worst?.denial ?? null;
}

/**
 * Whether a client's subscriptions all stay allowed under `u`'s channel
 * rules; Redis disconnects a subscriber that lost any of them.
 */
export function subscriptionsAllowed(u: AclUser, c: KvClient): boolean {
  for (const ch of c.channels) if (!channelAllowed(u, ch, false)) return false;
  for (const ch of c.shardChannels) if (!channelAllowed(u, ch, false)) return false;
  for (const p of c.patterns) if (!channelAllowed(u, p, true)) return false;
  return true;
}
