/**
 * One Redis ACL user as Redis 7.0 keeps it: on/off, password hashes
 * (SHA-256) or nopass, its root permissions (an `AclSelector`: key
 * patterns, channel patterns, command rules) and further selectors
 * (`(~key* +get)`), any one of which may allow a command; and the ACL
 * SETUSER rule language that edits it. Pure: the command table is passed in
 * as a `CommandCatalog`.
 * @module
 */
import { createHash } from "node:crypto";
import { AclRuleError, AclSelector, type CommandCatalog, ruleReasons } from "./acl_selector.ts";

export { AclRuleError, AclSelector, type CommandCatalog, type KeyPattern } from "./acl_selector.ts";

/** SHA-256 of a password in lower-case hex, as ACL stores and shows passwords. */
export function passwordHash(password: string): string {
  return createHash("sha256").update(password, "latin1").digest("hex");
}

function validHash(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

/**
 * ACL SETUSER's arguments with each selector written across several words
 * (`(~key` `+get)`) joined into one (`(~key +get)`), as Redis reads them.
 * @returns the rules, or the index of the word that opens an unclosed selector
 */
export function mergeSelectorArgs(
  args: readonly string[],
): { readonly rules: string[] } | { readonly unmatched: number } {
  const rules: string[] = [];
  let open = -1;
  let selector = "";
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("(") && !a.endsWith(")")) {
      // As Redis: an opening word restarts the selector being gathered.
      open = i;
      selector = a;
    } else if (open >= 0) {
      selector += " " + a;
      if (a.endsWith(")")) {
        rules.push(selector);
        open = -1;
      }
    } else rules.push(a);
  }
  return open >= 0 ? { unmatched: open } : { rules };
}

/** The words of a selector's body, split on blanks as Redis splits it. */
function selectorWords(rule: string): string[] {
  return rule.slice(1, -1).split(/[ \t\n\r]+/).filter((w) => w !== "");
}

/** A user's mutable ACL state; its own fields are the root selector's. */
export class AclUser extends AclSelector {
  enabled = false;
  nopass = false;
  readonly passwords = new Set<string>();
  /** The selectors after the root one, in the order they were added. */
  selectors: AclSelector[] = [];

  constructor(readonly name: string) {
    super();
  }

  /** True when the user may run anything on any key and channel (the check is skipped). */
  get unrestricted(): boolean {
    return this.allCommands && this.commandRules.length === 0 && this.allKeys &&
      this.allChannels;
  }

  /** The root selector (this user) and then the others, as a command is checked. */
  allSelectors(): readonly AclSelector[] {
    return this.selectors.length === 0 ? [this] : [this, ...this.selectors];
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
    this.copySelectorFrom(o);
    this.selectors = o.selectors.map((s) => s.cloneSelector());
  }

  /**
   * Applies one ACL SETUSER rule (a selector as one rule, `(...)`).
   * @throws {AclRuleError} with Redis's reason
   */
  apply(rule: string, catalog: CommandCatalog): void {
    this.decisions.clear();
    switch (rule.toLowerCase()) {
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
      case "reset":
        for (const r of ["resetpass", "resetkeys", "resetchannels", "off", "clearselectors"]) {
          this.apply(r, catalog);
        }
        this.apply("-@all", catalog);
        this.allChannels = catalog.allChannelsByDefault();
        return;
      case "clearselectors":
        this.selectors = [];
        return;
    }
    if (rule.length >= 2 && rule.startsWith("(") && rule.endsWith(")")) {
      return this.#addSelector(rule, catalog);
    }
    const head = rule[0];
    if (head === ">" || head === "#" || head === "<" || head === "!") {
      return this.#passwordRule(head, rule.slice(1));
    }
    this.applySelectorRule(rule, catalog);
  }

  /** A new selector from `(rule rule ...)`: no permissions, then its rules. */
  #addSelector(rule: string, catalog: CommandCatalog): void {
    const s = new AclSelector();
    s.allChannels = catalog.allChannelsByDefault();
    for (const word of selectorWords(rule)) s.applySelectorRule(word, catalog);
    this.selectors.push(s);
  }

  #passwordRule(head: string, rest: string): void {
    if (head === ">") {
      this.passwords.add(passwordHash(rest));
      this.nopass = false;
    } else if (head === "#") {
      if (!validHash(rest)) throw new AclRuleError(ruleReasons.hash);
      this.passwords.add(rest);
      this.nopass = false;
    } else {
      const hash = head === "<" ? passwordHash(rest) : rest;
      if (head === "!" && !validHash(rest)) throw new AclRuleError(ruleReasons.hash);
      if (!this.passwords.delete(hash)) throw new AclRuleError(ruleReasons.noSuchPassword);
    }
  }

  /** Flags as ACL GETUSER lists them. */
  flags(): string[] {
    return [this.enabled ? "on" : "off", ...(this.nopass ? ["nopass"] : [])];
  }

  /**
   * The rules that rebuild this user after `reset` (ACL LIST without the
   * `user name` head): flags, passwords, root permissions, then each selector.
   */
  rules(withPasswords = true): string[] {
    const out = this.flags();
    if (withPasswords) { for (const p of this.passwords) out.push(`#${p}`); }
    out.push(...this.selectorRules());
    for (const s of this.selectors) out.push(`(${s.selectorRules().join(" ")})`);
    return out;
  }
}
