/**
 * One Redis 7.0 ACL selector: the key patterns (each granting read, write
 * or both), channel patterns and command rules that a user's root
 * permissions, or one of its `(...)` selectors, consist of, and the ACL
 * SETUSER rules that edit them. Pure: the command table is passed in as a
 * `CommandCatalog`.
 * @module
 */

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

/** Redis's reasons for refused rules. */
export const ruleReasons = {
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

/** Keys, channels and commands one selector grants. */
export class AclSelector {
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

  /** Takes over another selector's permissions. */
  copySelectorFrom(o: AclSelector): void {
    this.allKeys = o.allKeys;
    this.keys = [...o.keys];
    this.allChannels = o.allChannels;
    this.channels = [...o.channels];
    this.allCommands = o.allCommands;
    this.commandRules = [...o.commandRules];
    this.decisions.clear();
  }

  /** A copy of this selector's permissions. */
  cloneSelector(): AclSelector {
    const s = new AclSelector();
    s.copySelectorFrom(this);
    return s;
  }

  /**
   * Applies one rule about keys, channels or commands.
   * @throws {AclRuleError} with Redis's reason (Syntax error for any other rule)
   */
  applySelectorRule(rule: string, catalog: CommandCatalog): void {
    this.decisions.clear();
    switch (rule.toLowerCase()) {
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
    }
    const head = rule[0];
    const rest = rule.slice(1);
    if (head === "~") this.#addKey(rest, true, true);
    else if (head === "%") this.#percentKey(rule);
    else if (head === "&") this.#addChannel(rest);
    else if (head === "+" || head === "-") this.#commandRule(head === "+", rest, catalog);
    else throw new AclRuleError(ruleReasons.syntax);
  }

  /** %R~pattern, %W~pattern, %RW~pattern: each of R and W at most once, then "~". */
  #percentKey(rule: string): void {
    const tilde = rule.indexOf("~");
    if (tilde < 2 || tilde === rule.length - 1) throw new AclRuleError(ruleReasons.syntax);
    const access = rule.slice(1, tilde).toUpperCase();
    if (!/^(R|W|RW|WR)$/.test(access)) throw new AclRuleError(ruleReasons.syntax);
    this.#addKey(rule.slice(tilde + 1), access.includes("R"), access.includes("W"));
  }

  #addKey(pattern: string, read: boolean, write: boolean): void {
    if (this.allKeys) throw new AclRuleError(ruleReasons.keysAfterAll);
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
    if (this.allChannels) throw new AclRuleError(ruleReasons.channelsAfterAll);
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
      if (!catalog.hasCategory(name.slice(1))) throw new AclRuleError(ruleReasons.unknown);
      return this.#record(allow, name, false);
    }
    const parts = name.split("|");
    if (parts.length > 2 || !catalog.hasCommand(parts[0]!)) {
      throw new AclRuleError(
        parts.length > 2 && catalog.subcommandsOf(parts[0]!) !== null
          ? ruleReasons.firstArgOfSub
          : ruleReasons.unknown,
      );
    }
    if (parts.length === 2) {
      const subs = catalog.subcommandsOf(parts[0]!);
      if (subs !== null && !subs.includes(parts[1]!)) throw new AclRuleError(ruleReasons.unknown);
      // A first argument of a plain command (SELECT|0) may only be allowed.
      if (subs === null && !allow) throw new AclRuleError(ruleReasons.unknown);
      if (parts[1] === "") throw new AclRuleError(ruleReasons.syntax);
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
   * Whether the selector allows `cmd` (with `arg`, its subcommand or first
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

  /** The rules that rebuild this selector's permissions (keys, channels, commands). */
  selectorRules(): string[] {
    const out: string[] = [];
    const keys = this.describeKeys();
    if (keys !== "") out.push(...keys.split(" "));
    if (this.allChannels) out.push("&*");
    else out.push("resetchannels", ...this.channels.map((c) => `&${c}`));
    out.push(...this.describeCommands().split(" "));
    return out;
  }
}
