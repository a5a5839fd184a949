/**
 * One Redis ACL user as Redis 7.0 keeps it: on/off, password hashes
 * (SHA-256) or nopass, key patterns (read, write or both), channel patterns
 * and command rules, and the ACL SETUSER rule language that edits it. Pure:
 * the command table is passed in as a `CommandCatalog`.
 * @module
 */
import { createHash } from "node:crypto";

/** What rule parsing needs to know about commands (from the command table). */
export interface CommandCatalog {
  /** Whether `name` (lower case) is a command. */
  hasCommand(name: string): boolean;
  /** The command's subcommands (lower case), or null when it is no container. */
  subcommandsOf(name: string): readonly string[] | null;
  /** Whether `name` (lower case, without "@") is an ACL category. */
  hasCategory(name: string): boolean;
  /** Whether command `name` is in category `category`. */
  inCategory(name: string, category: string): boolean;
  /** Whether new users and `reset` get every channel (acl-pubsub-default allchannels). */
  allChannelsByDefault(): boolean;
}

/** A key pattern with the access it grants. */
export interface KeyPattern {
  readonly pattern: string;
  readonly read: boolean;
  readonly write: boolean;
}

/** A failed ACL SETUSER rule: the reason Redis gives. */
export class AclRuleError extends Error {}

const reasons = {
  unknown: "Unknown command or category name in ACL",
  syntax: "Syntax error",
  hash:
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
  keysAfterAll:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  channelsAfterAll:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  noSuchPassword: "The password you are trying to remove from the user does not exist",
  firstArgOfSub: "Allowing first-arg of a subcommand is not supported",
};

/** SHA-256 of a password in lower-case hex, as ACL stores and shows passwords. */
export function passwordHash(password: string): string {
  return createHash("sha256").update(password, "latin1").digest("hex");
}

function validHash(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

/** A user's mutable ACL state. */
export class AclUser {
  enabled = false;
  nopass = false;
  readonly passwords = new Set<string>();
  allKeys = false;
  keys: KeyPattern[] = [];
  allChannels = false;
  channels: string[] = [];
  /** Baseline of the command rules: +@all (true) or -@all (false). */
  allCommands = false;
  /** Command rules after the baseline, as "+get", "-@string", "+client|id". */
  commandRules: string[] = [];
  /** Permission decisions by "cmd" or "cmd|arg", cleared on every change. */
  readonly decisions = new Map<string, boolean>();

  constructor(readonly name: string) {}

  /** True when the user may run anything on any key and channel (the check is skipped). */
  get unrestricted(): boolean {
    return this.allCommands && this.commandRules.length === 0 && this.allKeys &&
      this.allChannels;
  }

  /** A copy to apply rules to (ACL SETUSER is all or nothing). */
  clone(): AclUser {
    const u = new AclUser(this.name);
    u.copyFrom(this);
    return u;
  }

  /** Takes over another user's state (the name stays). */
  copyFrom(o: AclUser): void {
    this.enabled = o.enabled;
    this.nopass = o.nopass;
    this.passwords.clear();
    for (const p of o.passwords) this.passwords.add(p);
    this.allKeys = o.allKeys;
    this.keys = [...o.keys];
    this.allChannels = o.allChannels;
    this.channels = [...o.channels];
    this.allCommands = o.allCommands;
    this.commandRules = [...o.commandRules];
    this.decisions.clear();
  }

  /**
   * Applies one ACL SETUSER rule.
   * @throws {AclRuleError} with Redis's reason
   */
  apply(rule: string, catalog: CommandCatalog): void {
    this.decisions.clear();
    const lower = rule.toLowerCase();
    switch (lower) {
      case "on":
        this.enabled = true;
        return;
      case "off":
        this.enabled = false;
        return;
      case "nopass":
        this.nopass = true;
        this.passwords.clear();
        return;
      case "resetpass":
        this.nopass = false;
        this.passwords.clear();
        return;
      case "allkeys":
        return this.#addKey("*", true, true);
      case "resetkeys":
        this.allKeys = false;
        this.keys = [];
        return;
      case "allchannels":
        return this.#addChannel("*");
      case "resetchannels":
        this.allChannels = false;
        this.channels = [];
        return;
      case "allcommands":
        return this.#setCommandBaseline(true);
      case "nocommands":
        return this.#setCommandBaseline(false);
      case "reset":
        for (const r of ["resetpass", "resetkeys", "resetchannels", "off", "-@all"]) {
          this.apply(r, catalog);
        }
        this.allChannels = catalog.allChannelsByDefault();
        return;
      case "clearselectors":
        return;
    }
    this.#applyValued(rule, catalog);
  }

  #applyValued(rule: string, catalog: CommandCatalog): void {
    const head = rule[0];
    const rest = rule.slice(1);
    if (head === ">") {
      this.passwords.add(passwordHash(rest));
      this.nopass = false;
    } else if (head === "#") {
      if (!validHash(rest)) throw new AclRuleError(reasons.hash);
      this.passwords.add(rest);
      this.nopass = false;
    } else if (head === "<" || head === "!") {
      const hash = head === "<" ? passwordHash(rest) : rest;
      if (head === "!" && !validHash(rest)) throw new AclRuleError(reasons.hash);
      if (!this.passwords.delete(hash)) throw new AclRuleError(reasons.noSuchPassword);
    } else if (head === "~") this.#addKey(rest, true, true);
    else if (head === "%") this.#percentKey(rule);
    else if (head === "&") this.#addChannel(rest);
    else if (head === "+" || head === "-") this.#commandRule(head === "+", rest, catalog);
    else throw new AclRuleError(reasons.syntax);
  }

  #percentKey(rule: string): void {
    const tilde = rule.indexOf("~");
    if (tilde < 2) throw new AclRuleError(reasons.syntax);
    const access = rule.slice(1, tilde).toUpperCase();
    if (!/^[RW]+$/.test(access)) throw new AclRuleError(reasons.syntax);
    this.#addKey(rule.slice(tilde + 1), access.includes("R"), access.includes("W"));
  }

  #addKey(pattern: string, read: boolean, write: boolean): void {
    if (this.allKeys) throw new AclRuleError(reasons.keysAfterAll);
    if (pattern === "*" && read && write) {
      this.allKeys = true;
      this.keys = [];
      return;
    }
    const i = this.keys.findIndex((k) => k.pattern === pattern);
    if (i >= 0) {
      const old = this.keys[i]!;
      this.keys[i] = { pattern, read: read || old.read, write: write || old.write };
    } else this.keys.push({ pattern, read, write });
  }

  #addChannel(pattern: string): void {
    if (this.allChannels) throw new AclRuleError(reasons.channelsAfterAll);
    if (pattern === "*") {
      this.allChannels = true;
      this.channels = [];
    } else if (!this.channels.includes(pattern)) this.channels.push(pattern);
  }

  #setCommandBaseline(all: boolean): void {
    this.allCommands = all;
    this.commandRules = [];
  }

  #commandRule(allow: boolean, target: string, catalog: CommandCatalog): void {
    const name = target.toLowerCase();
    if (name === "@all") return this.#setCommandBaseline(allow);
    if (name.startsWith("@")) {
      if (!catalog.hasCategory(name.slice(1))) throw new AclRuleError(reasons.unknown);
      return this.#record(allow, name, false);
    }
    const parts = name.split("|");
    if (parts.length > 2 || !catalog.hasCommand(parts[0]!)) {
      throw new AclRuleError(
        parts.length > 2 && catalog.subcommandsOf(parts[0]!) !== null
          ? reasons.firstArgOfSub
          : reasons.unknown,
      );
    }
    if (parts.length === 2) {
      const subs = catalog.subcommandsOf(parts[0]!);
      if (subs !== null && !subs.includes(parts[1]!)) throw new AclRuleError(reasons.unknown);
      // A first argument of a plain command (SELECT|0) may only be allowed.
      if (subs === null && !allow) throw new AclRuleError(reasons.unknown);
      if (parts[1] === "") throw new AclRuleError(reasons.syntax);
    }
    // A rule that changes nothing is not recorded (Redis folds +client|id into +@all).
    if (this.#already(allow, parts[0]!, parts[1], catalog)) return;
    this.#record(allow, name, parts.length === 1);
  }

  /** Whether the command (or one argument of it) already has the permission `allow`. */
  #already(allow: boolean, cmd: string, arg: string | undefined, catalog: CommandCatalog): boolean {
    if (arg !== undefined) return this.allows(cmd, arg, catalog) === allow;
    if (this.allows(cmd, undefined, catalog) !== allow) return false;
    for (const sub of catalog.subcommandsOf(cmd) ?? []) {
      if (this.allows(cmd, sub, catalog) !== allow) return false;
    }
    return !this.commandRules.some((r) => r.slice(1).startsWith(cmd + "|"));
  }

  #record(allow: boolean, name: string, whole: boolean): void {
    this.commandRules = this.commandRules.filter((r) => {
      const t = r.slice(1);
      return t !== name && !(whole && t.startsWith(name + "|"));
    });
    this.commandRules.push((allow ? "+" : "-") + name);
  }

  /**
   * Whether the user may run `cmd` (with `arg`, its subcommand or first
   * argument, lower case): the last rule that names it, one of its
   * categories, or `cmd|arg` decides, else the +@all / -@all baseline.
   */
  allows(cmd: string, arg: string | undefined, catalog: CommandCatalog): boolean {
    let allowed = this.allCommands;
    const exact = arg === undefined ? null : `${cmd}|${arg}`;
    for (const r of this.commandRules) {
      const t = r.slice(1);
      const hit = t === cmd || t === exact ||
        (t.startsWith("@") && catalog.inCategory(cmd, t.slice(1)));
      if (hit) allowed = r[0] === "+";
    }
    return allowed;
  }

  /** The command rules as ACL GETUSER's `commands` shows them. */
  describeCommands(): string {
    return [this.allCommands ? "+@all" : "-@all", ...this.commandRules].join(" ");
  }

  /** The key patterns as ACL GETUSER's `keys` shows them. */
  describeKeys(): string {
    if (this.allKeys) return "~*";
    return this.keys.map((k) =>
      k.read && k.write
        ? `~${k.pattern}`
        : `%${k.read ? "R" : ""}${k.write ? "W" : ""}~${k.pattern}`
    ).join(" ");
  }

  /** The channel patterns as ACL GETUSER's `channels` shows them. */
  describeChannels(): string {
    return this.allChannels ? "&*" : this.channels.map((c) => `&${c}`).join(" ");
  }

  /** Flags as ACL GETUSER lists them. */
  flags(): string[] {
    return [this.enabled ? "on" : "off", ...(this.nopass ? ["nopass"] : [])];
  }

  /** The rules that rebuild this user after `reset` (ACL LIST without the `user name` head). */
  rules(withPasswords = true): string[] {
    const out = this.flags();
    if (withPasswords) { for (const p of this.passwords) out.push(`#${p}`); }
    const keys = this.describeKeys();
    if (keys !== "") out.push(...keys.split(" "));
    if (this.allChannels) out.push("&*");
    else out.push("resetchannels", ...this.channels.map((c) => `&${c}`));
    out.push(...this.describeCommands().split(" "));
    return out;
  }
}
