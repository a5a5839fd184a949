/**
 * The Redis ACL file (the `aclfile` setting): `user <name> <rules...>` lines,
 * read at startup and by ACL LOAD, written by ACL SAVE. Loading is all or
 * nothing: a line that does not parse, or a user named twice, leaves the
 * users as they were. A loaded file replaces every user; `default` keeps
 * its identity (its clients stay) and is `on nopass ~* &* +@all` when the
 * file does not name it; clients of the other users are disconnected, as in
 * Redis. ACL LOAD logs the result as ACL SETUSER / DELUSER records, so the
 * key-value store keeps the users too (at startup the file overrides them).
 * @module
 */
import type { KvEngine } from "./engine.ts";
import { AclRuleError, AclUser, type CommandCatalog, mergeSelectorArgs } from "./acl_user.ts";
import { readTextFileWhole, writeTextFileAtomic } from "../storage/os/text_file.ts";

/** The users an ACL file describes, or the errors that refuse it (Redis's texts). */
export function parseAclFile(
  text: string,
  path: string,
  catalog: CommandCatalog,
): { readonly users: AclUser[] } | { readonly error: string } {
  const users = new Map<string, AclUser>();
  const errors: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const where = `${path}:${i + 1}`;
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const words = line.split(/[ \t]+/);
    if (words[0] !== "user" || words.length < 2) {
      errors.push(`${where}: line should start with user keyword.`);
      continue;
    }
    const name = words[1]!;
    if (users.has(name)) {
      errors.push(`${where}: Duplicate user '${name}' found.`);
      continue;
    }
    const merged = mergeSelectorArgs(words.slice(2));
    if ("unmatched" in merged) {
      errors.push(`${where}: Unmatched parenthesis in selector definition.`);
      continue;
    }
    const u = new AclUser(name);
    u.allChannels = catalog.allChannelsByDefault();
    try {
      for (const rule of merged.rules) u.apply(rule, catalog);
    } catch (e) {
      if (!(e instanceof AclRuleError)) throw e;
      errors.push(`${where}: ${e.message}.`);
      continue;
    }
    users.set(name, u);
  }
  if (errors.length > 0) return { error: errors.join(" ") };
  if (!users.has("default")) {
    const d = new AclUser("default");
    for (const rule of ["on", "nopass", "~*", "&*", "+@all"]) d.apply(rule, catalog);
    users.set("default", d);
  }
  return { users: [...users.values()] };
}

/**
 * Loads the ACL file (ACL LOAD, and startup).
 * @returns the error to reply, or the names of the users it removed
 */
export function loadAclFile(x: KvEngine): string | { readonly removed: string[] } {
  const path = x.config.aclfile;
  const catalog = x.acl.catalog;
  if (catalog === null) return "ERR ACL is not ready";
  let text: string;
  try {
    text = readTextFileWhole(path);
  } catch (e) {
    return `ERR Error loading ACLs, opening file '${path}': ${(e as Error).message}`;
  }
  const parsed = parseAclFile(text, path, catalog);
  if ("error" in parsed) return `ERR ${parsed.error}`;
  const removed: string[] = [];
  for (const name of [...x.acl.users.keys()]) {
    if (name === "default") continue;
    x.acl.users.delete(name);
    if (!parsed.users.some((u) => u.name === name)) removed.push(name);
  }
  for (const u of parsed.users) {
    if (u.name === "default") x.acl.defaultUser.copyFrom(u);
    else x.acl.users.set(u.name, u);
  }
  for (const c of x.clients.values()) {
    if (c.aclUser === null || c.user === "default") continue;
    // A ThunderDB user without ACL rules keeps its connections unless the file gives it rules.
    if (c.aclUser === x.acl.fullAccess && !x.acl.users.has(c.user)) continue;
    // As Redis: clients of the replaced users are disconnected (after this reply).
    c.transport.closeAfterReply();
    c.transport.flushSoon();
  }
  return { removed };
}

/**
 * Writes every user to the ACL file (ACL SAVE), as ACL LIST shows them.
 * @returns the error to reply, or null
 */
export function saveAclFile(x: KvEngine, lines: readonly string[]): string | null {
  try {
    writeTextFileAtomic(x.config.aclfile, lines.map((l) => l + "\n").join(""));
    return null;
  } catch {
    return "ERR There was an error trying to save the ACLs. Please check the server logs for more information";
  }
}
