/**
 * The ACL command (Redis 7.0): SETUSER, GETUSER, DELUSER, USERS, LIST, CAT,
 * WHOAMI, LOG, GENPASS, DRYRUN, SAVE / LOAD (of the ACL file, when `aclfile` is set; see
 * acl_file.ts), HELP.
 * Users and how they relate to ThunderDB's are described in acl.ts.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { CommandSpec } from "./command_table.ts";
import { AclRuleError, type AclSelector, AclUser, mergeSelectorArgs } from "./acl_user.ts";
import { checkCommand, denialText, subscriptionsAllowed } from "./acl.ts";
import { aclCategories, checkedCommand } from "./acl_check.ts";
import { subcommands } from "./cmd_command.ts";
import { fromLatin1, latin1 } from "./bytes.ts";
import { type Handler, opt, replyHelp, subcommandError } from "./cmd_util.ts";
import { aclLogReply } from "./acl_log.ts";
import { loadAclFile, saveAclFile } from "./acl_file.ts";

const noAclFile =
  "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

/**
 * Applies rules to a user (created when missing) all or nothing.
 * @returns the error to reply, or null
 */
export function setUser(x: KvEngine, name: string, args: readonly string[]): string | null {
  const catalog = x.acl.catalog;
  if (catalog === null) return "ERR ACL is not ready";
  const merged = mergeSelectorArgs(args);
  if ("unmatched" in merged) {
    return `ERR Unmatched parenthesis in acl selector starting at '${args[merged.unmatched]}'.`;
  }
  const rules = merged.rules;
  const existing = x.acl.users.get(name);
  const next = existing?.clone() ?? new AclUser(name);
  if (existing === undefined) next.allChannels = catalog.allChannelsByDefault();
  for (const rule of rules) {
    try {
      next.apply(rule, catalog);
    } catch (e) {
      if (!(e instanceof AclRuleError)) throw e;
      return `ERR Error in ACL SETUSER modifier '${rule}': ${e.message}`;
    }
  }
  const user = existing ?? next;
  if (existing !== undefined) existing.copyFrom(next);
  else x.acl.users.set(name, user);
  for (const other of x.clients.values()) {
    if (other.user !== name) continue;
    // A client that logged in as a ThunderDB user without ACL rules now runs under them.
    other.aclUser = name === "default" ? null : user;
    // As Redis: a subscriber that lost permission for one of its channels is disconnected.
    if (other.subscriptionCount > 0 && !subscriptionsAllowed(user, other)) killClient(other);
  }
  return null;
}

function killClient(c: KvClient): void {
  c.transport.closeAfterReply();
  c.transport.flushSoon();
}

/** The SETUSER that rebuilds a user, as logged (passwords as hashes; default's from requirepass). */
export function setUserRecord(u: AclUser): Uint8Array[] {
  const rules = u.name === "default"
    ? ["resetkeys", "resetchannels", "-@all", "clearselectors", ...u.rules(false)]
    : ["reset", ...u.rules(true)];
  return ["ACL", "SETUSER", u.name, ...rules].map(fromLatin1);
}

const setuser: Handler = (x, c, argv) => {
  const name = latin1(argv[2]!);
  if (/[\s\0]/.test(name)) {
    return c.reply.error("ERR Usernames can't contain spaces or null characters");
  }
  const err = setUser(x, name, argv.slice(3).map((a) => latin1(a)));
  if (err !== null) return c.reply.error(err);
  x.propagate(0, setUserRecord(x.acl.users.get(name)!));
  x.dirtyCounter++;
  c.reply.ok();
};

const getuser: Handler = (x, c, argv) => {
  const u = x.acl.users.get(latin1(argv[2]!));
  if (u === undefined) return c.reply.nil();
  c.reply.map(6);
  c.reply.bulkText("flags");
  const flags = u.flags();
  c.reply.array(flags.length);
  for (const f of flags) c.reply.bulkText(f);
  c.reply.bulkText("passwords");
  c.reply.array(u.passwords.size);
  for (const p of u.passwords) c.reply.bulkText(p);
  selectorFields(c, u);
  c.reply.bulkText("selectors");
  c.reply.array(u.selectors.length);
  for (const s of u.selectors) {
    c.reply.map(3);
    selectorFields(c, s);
  }
};

/** A selector's commands, keys and channels, as ACL GETUSER shows them. */
function selectorFields(c: KvClient, s: AclSelector): void {
  for (
    const [k, v] of [
      ["commands", s.describeCommands()],
      ["keys", s.describeKeys()],
      ["channels", s.describeChannels()],
    ] as const
  ) {
    c.reply.bulkText(k);
    c.reply.bulkLatin1(v);
  }
}

const deluser: Handler = (x, c, argv) => {
  const names = argv.slice(2).map((a) => latin1(a));
  if (names.includes("default")) return c.reply.error("ERR The 'default' user cannot be removed");
  let n = 0;
  for (const name of names) {
    if (!x.acl.users.delete(name)) continue;
    n++;
    // As Redis: clients authenticated as a deleted user are disconnected (after this reply).
    for (const other of x.clients.values()) if (other.user === name) killClient(other);
  }
  if (n > 0) {
    x.propagate(0, argv);
    x.dirtyCounter++;
  }
  c.reply.integer(n);
};

function sortedUsers(x: KvEngine): AclUser[] {
  return [...x.acl.users.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** ACL LIST's lines (and the ACL file's). */
function aclList(x: KvEngine): string[] {
  return sortedUsers(x).map((u) => ["user", u.name, ...u.rules()].join(" "));
}

/** ACL LOAD: the users of the ACL file replace all others, logged as SETUSER / DELUSER. */
const aclLoad: Handler = (x, c) => {
  if (x.config.aclfile === "") return c.reply.error(noAclFile);
  const loaded = loadAclFile(x);
  if (typeof loaded === "string") return c.reply.error(loaded);
  for (const name of loaded.removed) x.propagate(0, ["ACL", "DELUSER", name].map(fromLatin1));
  for (const u of x.acl.users.values()) x.propagate(0, setUserRecord(u));
  x.dirtyCounter++;
  c.reply.ok();
};

const cat = (getTable: () => ReadonlyMap<string, CommandSpec>): Handler => (x, c, argv) => {
  if (argv.length > 3) {
    return c.reply.error("ERR unknown subcommand or wrong number of arguments for 'CAT'");
  }
  if (argv.length === 2) {
    c.reply.array(aclCategories.length);
    for (const n of aclCategories) c.reply.bulkText(n);
    return;
  }
  const want = latin1(argv[2]!);
  if (!aclCategories.includes(want.toLowerCase())) {
    return c.reply.error(`ERR Unknown category '${want}'`);
  }
  const names: string[] = [];
  for (const spec of getTable().values()) {
    if (!x.acl.catalog?.inCategory(spec.name, want.toLowerCase())) continue;
    names.push(spec.name, ...(subcommands[spec.name] ?? []).map((s) => `${spec.name}|${s}`));
  }
  c.reply.array(names.length);
  for (const n of names) c.reply.bulkText(n);
};

const genpass: Handler = (x, c, argv) => {
  const bits = argv.length === 3 ? Number(latin1(argv[2]!)) : 256;
  if (!Number.isInteger(bits) || bits <= 0 || bits > 4096) {
    return c.reply.error(
      "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096",
    );
  }
  const chars = Math.ceil(bits / 4);
  let out = "";
  while (out.length < chars) out += Math.floor(x.random() * 16).toString(16);
  c.reply.bulkText(out);
};

const dryrun = (getTable: () => ReadonlyMap<string, CommandSpec>): Handler => (x, c, argv) => {
  const u = x.acl.users.get(latin1(argv[2]!));
  if (u === undefined) return c.reply.error(`ERR User '${latin1(argv[2]!)}' not found`);
  const cmdName = latin1(argv[3]!);
  const spec = getTable().get(cmdName.toLowerCase());
  if (spec === undefined) return c.reply.error(`ERR Command '${cmdName}' not found`);
  const line = argv.slice(3);
  const argc = line.length;
  if (spec.arity > 0 ? argc !== spec.arity : argc < -spec.arity) {
    return c.reply.error(`ERR wrong number of arguments for '${spec.name}' command`);
  }
  const d = checkCommand(u, checkedCommand(u, spec, line), x.acl.catalog!);
  if (d === null) return c.reply.ok();
  c.reply.bulkText(denialText(d));
};

const help: Handler = (_x, c) => {
  const lines = [
    "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CAT [<category>]",
    "DELUSER <username> [<username> ...]",
    "DRYRUN <username> <command> [<arg> ...]",
    "GETUSER <username>",
    "LIST",
    "USERS",
    "SETUSER <username> <attribs> ...",
    "GENPASS [<bits>]",
    "LOG [<count> | RESET]",
    "WHOAMI",
    "HELP",
  ];
  replyHelp(c, lines);
};

/** Subcommands with their arity (Redis's: negative = at least). */
const arities: Readonly<Record<string, number>> = {
  CAT: -2,
  DELUSER: -3,
  DRYRUN: -4,
  GENPASS: -2,
  GETUSER: 3,
  HELP: 2,
  LIST: 2,
  LOAD: 2,
  LOG: -2,
  SAVE: 2,
  SETUSER: -3,
  USERS: 2,
  WHOAMI: 2,
};

/** The ACL command over the command table. */
export function aclHandler(getTable: () => ReadonlyMap<string, CommandSpec>): Handler {
  const handlers: Record<string, Handler> = {
    SETUSER: setuser,
    GETUSER: getuser,
    DELUSER: deluser,
    USERS: (x, c) => {
      const users = sortedUsers(x);
      c.reply.array(users.length);
      for (const u of users) c.reply.bulkLatin1(u.name);
    },
    LIST: (x, c) => {
      const lines = aclList(x);
      c.reply.array(lines.length);
      for (const l of lines) c.reply.bulkLatin1(l);
    },
    CAT: cat(getTable),
    WHOAMI: (_x, c) => c.reply.bulkLatin1(c.user),
    LOG: aclLogReply,
    GENPASS: genpass,
    DRYRUN: dryrun(getTable),
    SAVE: (x, c) => {
      if (x.config.aclfile === "") return c.reply.error(noAclFile);
      const err = saveAclFile(x, aclList(x));
      return err === null ? c.reply.ok() : c.reply.error(err);
    },
    LOAD: aclLoad,
    HELP: help,
  };
  return (x, c, argv) => {
    const sub = opt(argv, 1);
    const arity = arities[sub];
    const h = handlers[sub];
    if (arity === undefined || h === undefined) return subcommandError(c, "ACL", argv, []);
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) {
      return subcommandError(c, "ACL", argv, Object.keys(arities));
    }
    return h(x, c, argv);
  };
}
