/**
 * ACL enforcement at dispatch: the command table seen as ACL categories and
 * subcommands, a command line turned into what the check needs (its keys,
 * channels, subcommand), and the refusal the dispatcher replies and logs.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { CommandSpec } from "./command_table.ts";
import type { CommandCatalog } from "./acl_user.ts";
import {
  type AclDenial,
  type AclUser,
  checkCommand,
  type CheckedCommand,
  denialError,
} from "./acl.ts";
import { categories, subcommands } from "./cmd_command.ts";
import { keyRefs } from "./key_specs.ts";
import { latin1 } from "./bytes.ts";
import { clientInfoLine } from "./cmd_admin.ts";

/** Redis 7.0's ACL categories, in ACL CAT's order. */
export const aclCategories: readonly string[] = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

/** Commands Redis marks @dangerous beyond the admin ones. */
const dangerous = new Set(["flushall", "flushdb", "keys", "swapdb", "sort", "info"]);

/**
 * Redis commands ThunderDB does not run: ACL rules may still name them (as
 * Redis accepts them), with no effect until they exist.
 */
const redisOnlyCommands = new Set([
  "asking",
  "debug",
  "failover",
  "lolwut",
  "migrate",
  "module",
  "psync",
  "readonly",
  "readwrite",
  "replconf",
  "replicaof",
  "role",
  "shutdown",
  "slaveof",
  "sync",
  "wait",
]);

/** The command table as ACL rules see it. */
export class TableCatalog implements CommandCatalog {
  readonly #categories = new Map<string, ReadonlySet<string>>();
  /**
   * @param table the command table
   * @param allChannels acl-pubsub-default: whether new users get every channel
   */
  constructor(
    readonly table: ReadonlyMap<string, CommandSpec>,
    readonly allChannels: () => boolean = () => false,
  ) {
    for (const [name, spec] of table) {
      const cats = new Set(categories(spec));
      if (dangerous.has(name)) cats.add("dangerous");
      this.#categories.set(name, cats);
    }
  }
  hasCommand(name: string): boolean {
    return this.table.has(name) || redisOnlyCommands.has(name);
  }
  subcommandsOf(name: string): readonly string[] | null {
    return subcommands[name] ?? null;
  }
  hasCategory(name: string): boolean {
    return aclCategories.includes(name);
  }
  allChannelsByDefault(): boolean {
    return this.allChannels();
  }
  inCategory(name: string, category: string): boolean {
    return this.#categories.get(name)?.has(category) ?? false;
  }
}

const channelCommands: Readonly<Record<string, "one" | "all" | "patterns">> = {
  publish: "one",
  spublish: "one",
  subscribe: "all",
  ssubscribe: "all",
  psubscribe: "patterns",
};

/** What the permission check needs to know about one command line. */
export function checkedCommand(u: AclUser, spec: CommandSpec, argv: Uint8Array[]): CheckedCommand {
  const name = spec.name;
  const subs = subcommands[name];
  let arg: string | undefined;
  let fullName = name;
  if (argv.length > 1) {
    const first = latin1(argv[1]!).toLowerCase();
    if (subs !== undefined) {
      arg = first;
      if (subs.includes(first)) fullName = `${name}|${first}`;
    } else if (
      u.allSelectors().some((s) => s.commandRules.some((r) => r.startsWith(`${name}|`, 1)))
    ) arg = first;
  }
  const mode = channelCommands[name];
  const channels = mode === undefined
    ? []
    : (mode === "one" ? argv.slice(1, 2) : argv.slice(1)).map((a) => latin1(a));
  return {
    name,
    arg,
    fullName,
    keys: keyRefs(fullName, argv).map(({ pos, flags }) => ({
      key: latin1(argv[pos]!),
      pos,
      access: flags.includes("access"),
      write: flags.includes("update") || flags.includes("insert") || flags.includes("delete"),
    })),
    channels,
    patterns: mode === "patterns",
    noauth: spec.noauth,
  };
}

/** The ACL entry a client runs under. */
export function aclUserOf(x: KvEngine, c: KvClient): AclUser {
  return c.aclUser ?? x.acl.defaultUser;
}

function logDenial(
  x: KvEngine,
  c: KvClient,
  d: AclDenial,
  context: "toplevel" | "multi" | "lua",
): void {
  x.acl.logLengthMax = x.config.acllogMaxLen;
  x.acl.record({
    reason: d.reason,
    context,
    object: d.object,
    username: c.user,
    clientInfo: clientInfoLine(x, c),
  }, x.now);
}

/** Why `c`'s user may not run `argv`, or null when it may (nothing is logged). */
function aclDenial(
  x: KvEngine,
  c: KvClient,
  spec: CommandSpec,
  argv: Uint8Array[],
): AclDenial | null {
  const u = aclUserOf(x, c);
  if (u.unrestricted || x.acl.catalog === null) return null;
  return checkCommand(u, checkedCommand(u, spec, argv), x.acl.catalog);
}

/**
 * Checks a command before it runs or is queued. Returns the NOPERM error to
 * reply (the refusal is logged in ACL LOG), or null when it may run.
 */
export function aclRefusal(
  x: KvEngine,
  c: KvClient,
  spec: CommandSpec,
  argv: Uint8Array[],
): string | null {
  const d = aclDenial(x, c, spec, argv);
  if (d === null) return null;
  logDenial(x, c, d, c.multi !== null ? "multi" : "toplevel");
  return denialError(d);
}

const execReasons: Readonly<Record<AclDenial["reason"], string>> = {
  command: "no permission to execute the command or subcommand",
  key: "no permission to touch the specified keys",
  channel: "no permission to access one of the channels used as arguments",
};

/** Checks a queued command again at EXEC (the rules may have changed since it was queued). */
export function aclExecRefusal(
  x: KvEngine,
  c: KvClient,
  spec: CommandSpec,
  argv: Uint8Array[],
): string | null {
  const d = aclDenial(x, c, spec, argv);
  if (d === null) return null;
  logDenial(x, c, d, "multi");
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${
    execReasons[d.reason]
  }`;
}

const scriptReasons: Readonly<Record<AclDenial["reason"], string>> = {
  command: "can't run this command or subcommand",
  key: "can't access at least one of the keys mentioned in the command",
  channel: "can't publish to the channel mentioned in the command",
};

/**
 * The refusal of a command a script calls, checked against the rules of the
 * user who runs the script (logged with context "lua"), or null when it may run.
 */
export function aclScriptRefusal(
  x: KvEngine,
  caller: KvClient,
  spec: CommandSpec,
  argv: Uint8Array[],
): string | null {
  const d = aclDenial(x, caller, spec, argv);
  if (d === null) return null;
  logDenial(x, caller, d, "lua");
  return `ERR The user executing the script ${scriptReasons[d.reason]}`;
}

/** Whether the script's user may run `argv` (redis.acl_check_cmd; nothing is logged). */
export function aclAllows(
  x: KvEngine,
  caller: KvClient,
  spec: CommandSpec,
  argv: Uint8Array[],
): boolean {
  return aclDenial(x, caller, spec, argv) === null;
}
