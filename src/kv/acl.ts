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
 * hashes) and ACL LIST lines are kept in its snapshot.
 * @module
 */
import type { KvClient } from "./client.ts";
import { AclUser, type CommandCatalog, passwordHash } from "./acl_user.ts";

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

/** A command as the permission check sees it. */
export interface CheckedCommand {
  /** Lower-case command name. */
  readonly name: string;
  /** Lower-case subcommand or first argument, when there is one. */
  readonly arg: string | undefined;
  /** Whether the command reads or writes keys (key patterns are checked by access). */
  readonly reads: boolean;
  readonly writes: boolean;
  /** The key arguments. */
  readonly keys: readonly string[];
  /** Channels it publishes or subscribes to; `patterns` when they are PSUBSCRIBE patterns. */
  readonly channels: readonly string[];
  readonly patterns: boolean;
  /** The name ACL shows: "get", "client|kill". */
  readonly fullName: string;
  /** Commands that run before authentication (AUTH, HELLO) pass the command rules. */
  readonly noauth: boolean;
}

function keyAllowed(u: AclUser, key: string, reads: boolean, writes: boolean): boolean {
  if (u.allKeys) return true;
  for (const k of u.keys) {
    if ((reads && !k.read) || (writes && !k.write)) continue;
    if (globMatch(k.pattern, key)) return true;
  }
  return false;
}

/** Whether `u` may use a channel (`literal` for PSUBSCRIBE patterns: exact match only). */
export function channelAllowed(u: AclUser, channel: string, literal: boolean): boolean {
  if (u.allChannels) return true;
  return u.channels.some((p) => literal ? p === channel : globMatch(p, channel));
}

/** Checks a command against a user's rules; null when it may run. */
export function checkCommand(
  u: AclUser,
  cmd: CheckedCommand,
  catalog: CommandCatalog,
): AclDenial | null {
  const memo = cmd.arg === undefined ? cmd.name : `${cmd.name}|${cmd.arg}`;
  let allowed = cmd.noauth ? true : u.decisions.get(memo);
  if (allowed === undefined) {
    allowed = u.allows(cmd.name, cmd.arg, catalog);
    if (u.decisions.size < 1024) u.decisions.set(memo, allowed);
  }
  if (!allowed) return { reason: "command", object: cmd.fullName };
  for (const k of cmd.keys) {
    if (!keyAllowed(u, k, cmd.reads, cmd.writes)) return { reason: "key", object: k };
  }
  for (const ch of cmd.channels) {
    if (!channelAllowed(u, ch, cmd.patterns)) return { reason: "channel", object: ch };
  }
  return null;
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
