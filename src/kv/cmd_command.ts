/**
 * COMMAND and its subcommands (COUNT, LIST, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS) over the
 * command table.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { CommandSpec } from "./command_table.ts";
import { latin1 } from "./bytes.ts";
import { errors, type Handler, opt, replyHelp, subcommandError } from "./cmd_util.ts";
import { globMatch } from "./glob.ts";
import { keyRefs, type KeySpec, keySpecs } from "./key_specs.ts";

/** SORT's destination key (the last STORE wins), skipping other options' arguments. */
function sortStoreKey(args: Uint8Array[]): Uint8Array[] {
  let store: Uint8Array | undefined;
  for (let i = 2; i < args.length; i++) {
    const w = opt(args, i);
    if (w === "LIMIT") i += 2;
    else if (w === "GET" || w === "BY") i += 1;
    else if (w === "STORE" && i + 1 < args.length) store = args[++i];
  }
  return store === undefined ? [] : [store];
}

/**
 * Subcommands of the container commands, as COMMAND LIST names them
 * ("client|list"); only those ThunderDB answers.
 */
export const subcommands: Readonly<Record<string, readonly string[]>> = {
  acl: [
    "cat",
    "deluser",
    "dryrun",
    "genpass",
    "getuser",
    "help",
    "list",
    "load",
    "log",
    "save",
    "setuser",
    "users",
    "whoami",
  ],
  client: [
    "caching",
    "getname",
    "getredir",
    "help",
    "id",
    "info",
    "kill",
    "list",
    "no-evict",
    "pause",
    "reply",
    "setinfo",
    "setname",
    "tracking",
    "trackinginfo",
    "unblock",
    "unpause",
  ],
  // Redis 7.0's; with cluster mode off each answers "cluster support disabled".
  cluster: ("addslots addslotsrange bumpepoch count-failure-reports countkeysinslot delslots " +
    "delslotsrange failover flushslots forget getkeysinslot help info keyslot links meet myid " +
    "nodes replicas replicate reset saveconfig set-config-epoch setslot shards slaves slots")
    .split(" "),
  command: ["count", "docs", "getkeys", "getkeysandflags", "help", "info", "list"],
  config: ["get", "help", "resetstat", "rewrite", "set"],
  function: ["delete", "dump", "flush", "help", "kill", "list", "load", "restore", "stats"],
  module: ["help", "list", "load", "loadex", "unload"],
  memory: ["doctor", "help", "malloc-stats", "purge", "stats", "usage"],
  object: ["encoding", "freq", "help", "idletime", "refcount"],
  pubsub: ["channels", "help", "numpat", "numsub", "shardchannels", "shardnumsub"],
  script: ["debug", "exists", "flush", "help", "kill", "load"],
  slowlog: ["get", "help", "len", "reset"],
  xinfo: ["consumers", "groups", "help", "stream"],
  xgroup: ["create", "createconsumer", "delconsumer", "destroy", "help", "setid"],
  latency: ["doctor", "graph", "help", "histogram", "history", "latest", "reset"],
};

/** Redis's ACL category names for the command groups. */
const groupCategory: Readonly<Record<string, string>> = {
  generic: "keyspace",
  sorted_set: "sortedset",
  transactions: "transaction",
};

/** ACL categories of a command, from its group and flags. */
export function categories(spec: CommandSpec): string[] {
  // Server commands fall in Redis's categories by their flags only.
  const out = spec.group === "server" ? [] : [groupCategory[spec.group] ?? spec.group];
  if (spec.flags.has("write")) out.push("write");
  if (spec.flags.has("readonly")) out.push("read");
  out.push(spec.flags.has("fast") ? "fast" : "slow");
  if (spec.flags.has("blocking")) out.push("blocking");
  if (spec.flags.has("admin") && !out.includes("admin")) out.push("admin");
  if (spec.flags.has("admin")) out.push("dangerous");
  // Categories Redis gives a command beyond what its flags imply (ROLE is @admin with no admin flag).
  for (const f of spec.flags) {
    if (f.startsWith("@") && !out.includes(f.slice(1))) out.push(f.slice(1));
  }
  return out;
}

/** Every command name, subcommands as "container|sub" after their container. */
function allNames(table: ReadonlyMap<string, CommandSpec>): string[] {
  const out: string[] = [];
  for (const name of table.keys()) {
    out.push(name);
    for (const sub of subcommands[name] ?? []) out.push(`${name}|${sub}`);
  }
  return out;
}

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]. */
function commandList(
  table: ReadonlyMap<string, CommandSpec>,
  c: KvClient,
  argv: Uint8Array[],
): void {
  let names = allNames(table);
  if (argv.length !== 2) {
    const by = argv.length === 5 && opt(argv, 2) === "FILTERBY" ? opt(argv, 3) : "";
    const arg = argv.length === 5 ? latin1(argv[4]!) : "";
    if (by === "MODULE") names = [];
    else if (by === "ACLCAT") {
      const cat = arg.toLowerCase();
      names = names.filter((n) => categories(table.get(n.split("|")[0]!)!).includes(cat));
    } else if (by === "PATTERN") {
      const pattern = arg.toLowerCase();
      names = names.filter((n) => globMatch(pattern, n));
    } else return c.reply.error(errors.syntax);
  }
  c.reply.array(names.length);
  for (const n of names) c.reply.bulkText(n);
}

/**
 * Where the keys of a numkeys-style command are: the index of the key
 * count, and whether a destination key precedes it.
 */
const numkeysCommands: Readonly<Record<string, readonly [number, boolean]>> = {
  zunionstore: [2, true],
  zinterstore: [2, true],
  zdiffstore: [2, true],
  zunion: [1, false],
  zinter: [1, false],
  zdiff: [1, false],
  zintercard: [1, false],
  sintercard: [1, false],
  lmpop: [1, false],
  zmpop: [1, false],
  blmpop: [2, false],
  bzmpop: [2, false],
  eval: [2, false],
  evalsha: [2, false],
  eval_ro: [2, false],
  evalsha_ro: [2, false],
  fcall: [2, false],
  fcall_ro: [2, false],
};

/** XREAD's keys: the first half of what follows STREAMS. */
function streamsKeys(args: Uint8Array[]): Uint8Array[] | null {
  const at = args.findIndex((a, i) => i > 0 && latin1(a).toUpperCase() === "STREAMS");
  const n = args.length - at - 1;
  if (at < 0 || n <= 0 || n % 2 !== 0) return null;
  return args.slice(at + 1, at + 1 + n / 2);
}

/** GEORADIUS's STORE / STOREDIST key (the last one wins), searched from its options on. */
function geoStoreKey(args: Uint8Array[]): Uint8Array[] {
  let store: Uint8Array | undefined;
  for (let i = 5; i < args.length - 1; i++) {
    const w = opt(args, i);
    if (w === "STORE" || w === "STOREDIST") store = args[++i];
  }
  return store === undefined ? [] : [store];
}

/** The key arguments of a command line (`args[0]` is the command), or null when malformed. */
export function keysOf(spec: CommandSpec, args: Uint8Array[]): Uint8Array[] | null {
  if (spec.name === "sort" || spec.name === "sort_ro") {
    return args.length >= 2 ? [args[1]!, ...sortStoreKey(args)] : null;
  }
  if (spec.name === "xread" || spec.name === "xreadgroup") return streamsKeys(args);
  if (spec.name === "georadius" || spec.name === "georadiusbymember") {
    return args.length >= 2 ? [args[1]!, ...geoStoreKey(args)] : null;
  }
  const nk = numkeysCommands[spec.name];
  if (nk !== undefined) {
    const [at, dest] = nk;
    const n = Number(latin1(args[at] ?? new Uint8Array()));
    if (!Number.isInteger(n) || n < 0 || at + n >= args.length) return null;
    return [...(dest ? [args[1]!] : []), ...args.slice(at + 1, at + 1 + n)];
  }
  const keys: Uint8Array[] = [];
  if (spec.firstKey > 0) {
    const last = spec.lastKey < 0 ? args.length + spec.lastKey : spec.lastKey;
    for (let i = spec.firstKey; i <= last && i < args.length; i += spec.step) keys.push(args[i]!);
  }
  return keys;
}

/** COMMAND GETKEYSANDFLAGS's reply: each key with its key-spec flags. */
function keysAndFlags(c: KvClient, spec: CommandSpec, args: Uint8Array[]): void {
  const refs = keyRefs(specName(spec, args), args);
  if (refs.length === 0 && !spec.flags.has("no_mandatory_keys")) {
    return c.reply.error("ERR The command has no key arguments");
  }
  c.reply.array(refs.length);
  for (const r of refs) {
    c.reply.array(2);
    c.reply.bulk(args[r.pos]!);
    c.reply.set(r.flags.length);
    for (const f of r.flags) c.reply.simple(f);
  }
}

function docsEntry(c: KvClient, spec: CommandSpec): void {
  c.reply.map(3);
  c.reply.bulkText("summary");
  c.reply.bulkText(`${spec.name.toUpperCase()} command`);
  c.reply.bulkText("since");
  c.reply.bulkText("1.0.0");
  c.reply.bulkText("group");
  c.reply.bulkText(spec.group);
}

function infoEntry(c: KvClient, spec: CommandSpec): void {
  c.reply.array(10);
  c.reply.bulkText(spec.name);
  c.reply.integer(spec.arity);
  const flags = [...spec.flags].filter((f) =>
    !["pubsubok", "nomulti", "denymulti"].includes(f) && !f.startsWith("@")
  );
  c.reply.set(flags.length);
  for (const f of flags) c.reply.simple(f);
  c.reply.integer(spec.firstKey);
  c.reply.integer(spec.lastKey);
  c.reply.integer(spec.step);
  const cats = categories(spec);
  c.reply.set(cats.length);
  for (const cat of cats) c.reply.simple("@" + cat);
  c.reply.array(0);
  const specs = keySpecs.get(spec.name) ?? [];
  c.reply.array(specs.length);
  for (const ks of specs) keySpecEntry(c, ks);
  c.reply.array(0);
}

/** One key spec as COMMAND INFO shows it: flags, begin_search and find_keys. */
function keySpecEntry(c: KvClient, ks: KeySpec): void {
  c.reply.map(3);
  c.reply.bulkText("flags");
  c.reply.set(ks.flags.length);
  for (const f of ks.flags) c.reply.simple(f);
  const b = ks.begin;
  const begin: [string, number | string][] = b.kind === "index"
    ? [["index", b.index]]
    : b.kind === "keyword"
    ? [["keyword", b.keyword], ["startfrom", b.startFrom]]
    : [];
  const f = ks.find;
  const find: [string, number][] = f.kind === "range"
    ? [["lastkey", f.lastKey], ["keystep", f.keyStep], ["limit", f.limit]]
    : f.kind === "keynum"
    ? [["keynumidx", f.keyNumIdx], ["firstkey", f.firstKey], ["keystep", f.keyStep]]
    : [];
  for (
    const [field, type, fields] of [["begin_search", b.kind, begin], [
      "find_keys",
      f.kind,
      find,
    ]] as const
  ) {
    c.reply.bulkText(field);
    c.reply.map(2);
    c.reply.bulkText("type");
    c.reply.bulkText(type);
    c.reply.bulkText("spec");
    c.reply.map(fields.length);
    for (const [k, v] of fields) {
      c.reply.bulkText(k);
      if (typeof v === "number") c.reply.integer(v);
      else c.reply.bulkText(v);
    }
  }
}

/** A command line's name as key specs know it: "xgroup|create" for a container's subcommand. */
function specName(spec: CommandSpec, args: Uint8Array[]): string {
  const sub = args.length > 1 ? latin1(args[1]!).toLowerCase() : "";
  return subcommands[spec.name]?.includes(sub) ? `${spec.name}|${sub}` : spec.name;
}

/** The COMMAND handler over the table `getTable` returns (built after it). */
export function commandHandler(getTable: () => ReadonlyMap<string, CommandSpec>): Handler {
  return (_x, c, argv) => command(getTable(), c, argv);
}

function command(table: ReadonlyMap<string, CommandSpec>, c: KvClient, argv: Uint8Array[]): void {
  const sub = argv.length === 1 ? "" : opt(argv, 1);
  if (sub === "") {
    c.reply.array(table.size);
    for (const spec of table.values()) infoEntry(c, spec);
  } else if (sub === "COUNT" && argv.length === 2) c.reply.integer(table.size);
  else if (sub === "LIST") commandList(table, c, argv);
  else if (sub === "INFO") {
    const names = argv.length === 2
      ? [...table.keys()]
      : argv.slice(2).map((a) => latin1(a).toLowerCase());
    c.reply.array(names.length);
    for (const n of names) {
      const spec = table.get(n);
      if (spec === undefined) c.reply.nil();
      else infoEntry(c, spec);
    }
  } else if (sub === "DOCS") {
    const names = argv.length === 2
      ? [...table.keys()]
      : argv.slice(2).map((a) => latin1(a).toLowerCase());
    const specs = names.map((n) => table.get(n)).filter((s): s is CommandSpec => s !== undefined);
    c.reply.map(specs.length);
    for (const spec of specs) {
      c.reply.bulkText(spec.name);
      docsEntry(c, spec);
    }
  } else if ((sub === "GETKEYS" || sub === "GETKEYSANDFLAGS") && argv.length >= 3) {
    const spec = table.get(latin1(argv[2]!).toLowerCase());
    if (spec === undefined) return c.reply.error("ERR Invalid command specified");
    const args = argv.slice(2);
    const arityOk = spec.arity > 0 ? args.length === spec.arity : args.length >= -spec.arity;
    const keys = arityOk ? keysOf(spec, args) : null;
    if (keys === null) return c.reply.error("ERR Invalid arguments specified for command");
    if (sub === "GETKEYSANDFLAGS") return keysAndFlags(c, spec, args);
    // EVAL and FCALL may take no key: an empty list, as Redis answers for no_mandatory_keys.
    if (keys.length === 0 && spec.flags.has("no_mandatory_keys")) return c.reply.array(0);
    if (keys.length === 0) return c.reply.error("ERR The command has no key arguments");
    c.reply.array(keys.length);
    for (const k of keys) c.reply.bulk(k);
  } else if (sub === "HELP" && argv.length === 2) replyHelp(c, commandHelp);
  else subcommandError(c, "COMMAND", argv, commandSubs);
}

const commandSubs = ["COUNT", "DOCS", "GETKEYS", "GETKEYSANDFLAGS", "HELP", "INFO", "LIST"];

const commandHelp = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
  "HELP",
  "    Prints this help.",
];
