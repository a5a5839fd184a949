/**
 * FUNCTION (LOAD, DELETE, FLUSH, LIST, DUMP, RESTORE, STATS, KILL, HELP),
 * FCALL and FCALL_RO. Changes to the libraries are logged as the FUNCTION
 * command itself, so the WAL replays them after a restart; snapshots carry
 * the library sources (see snapshot.ts).
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";
import { errors, type Handler, opt, replyHelp, subcommandArityError } from "./cmd_util.ts";
import { memoryAvailable } from "./evict.ts";
import { globMatch } from "./glob.ts";
import { scriptClient, splitKeys } from "./cmd_scripting.ts";
import type { CommandLookup, ScriptRun } from "./script_call.ts";
import { busyError, killScript } from "./busy.ts";
import {
  dumpLibraries,
  FunctionStore,
  functionStoreOf,
  type Library,
  readDump,
} from "./script_functions.ts";

function wrongArgs(c: KvClient, argv: Uint8Array[]): void {
  subcommandArityError(c, "FUNCTION", argv);
}

function load(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  if (argv.length < 3) return wrongArgs(c, argv);
  let replace = false;
  for (let i = 2; i < argv.length - 1; i++) {
    if (opt(argv, i) !== "REPLACE") {
      return c.reply.error(`ERR Unknown option given: ${latin1(argv[i]!)}`);
    }
    replace = true;
  }
  const r = functionStoreOf(x).load(argv[argv.length - 1]!, replace, () => x.timer());
  if (typeof r !== "string") return c.reply.error(r.error);
  x.propagate(c.db, argv);
  c.reply.bulkText(r);
}

function writeLibrary(c: KvClient, lib: Library, withCode: boolean): void {
  c.reply.map(withCode ? 4 : 3);
  c.reply.bulkText("library_name");
  c.reply.bulkText(lib.name);
  c.reply.bulkText("engine");
  c.reply.bulkText("LUA");
  c.reply.bulkText("functions");
  c.reply.array(lib.functions.length);
  for (const fn of lib.functions) {
    c.reply.map(3);
    c.reply.bulkText("name");
    c.reply.bulkText(fn.name);
    c.reply.bulkText("description");
    if (fn.description === null) c.reply.nil();
    else c.reply.bulkText(fn.description);
    c.reply.bulkText("flags");
    c.reply.set(fn.flags.length);
    for (const f of fn.flags) c.reply.bulkText(f);
  }
  if (withCode) {
    c.reply.bulkText("library_code");
    c.reply.bulk(lib.code);
  }
}

function list(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const word = opt(argv, i);
    if (word === "WITHCODE" && !withCode) withCode = true;
    else if (word === "LIBRARYNAME" && pattern === null) {
      if (i + 1 >= argv.length) return c.reply.error("ERR library name argument was not given");
      pattern = latin1(argv[++i]!);
    } else return c.reply.error(`ERR Unknown argument ${latin1(argv[i]!)}`);
  }
  const libs = [...functionStoreOf(x).libraries.values()].filter((l) =>
    pattern === null || globMatch(pattern, l.name)
  );
  c.reply.array(libs.length);
  for (const lib of libs) writeLibrary(c, lib, withCode);
}

/** Loads every code of a RESTORE into `store`; the first error text, or null. */
function loadAll(
  x: KvEngine,
  store: FunctionStore,
  codes: Uint8Array[],
  replace: boolean,
): string | null {
  for (const code of codes) {
    const r = store.load(code, replace, () => x.timer());
    if (typeof r !== "string") {
      return r.error.replace(/'([^']*)' already exists/, "$1 already exists");
    }
  }
  return null;
}

function restore(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  if (argv.length < 3 || argv.length > 4) return wrongArgs(c, argv);
  const policy = argv.length === 4 ? opt(argv, 3) : "APPEND";
  if (!["APPEND", "REPLACE", "FLUSH"].includes(policy)) {
    return c.reply.error(
      "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
    );
  }
  const codes = readDump(argv[2]!);
  if (codes === null) return c.reply.error("ERR payload version or checksum are wrong");
  const store = functionStoreOf(x);
  // Tried first on a scratch store, so a failing payload changes nothing.
  const scratch = new FunctionStore();
  if (policy !== "FLUSH") {
    loadAll(x, scratch, [...store.libraries.values()].map((l) => l.code), false);
  }
  const error = loadAll(x, scratch, codes, policy === "REPLACE");
  scratch.flush();
  if (error !== null) return c.reply.error(error);
  if (policy === "FLUSH") store.flush();
  loadAll(x, store, codes, policy === "REPLACE");
  x.propagate(c.db, argv);
  c.reply.ok();
}

function stats(x: KvEngine, c: KvClient): void {
  const store = functionStoreOf(x);
  const busy = x.busyScript;
  if (busy?.evalMode === true) return c.reply.error(busyError(true));
  c.reply.map(2);
  c.reply.bulkText("running_script");
  if (busy === null) c.reply.nil();
  else {
    c.reply.map(3);
    c.reply.bulkText("name");
    c.reply.bulkText(busy.name);
    c.reply.bulkText("command");
    c.reply.array(busy.argv.length);
    for (const a of busy.argv) c.reply.bulk(a);
    c.reply.bulkText("duration_ms");
    c.reply.integer(Math.floor(x.timer() - busy.startMs));
  }
  c.reply.bulkText("engines");
  c.reply.map(1);
  c.reply.bulkText("LUA");
  c.reply.map(2);
  c.reply.bulkText("libraries_count");
  c.reply.integer(store.libraries.size);
  c.reply.bulkText("functions_count");
  c.reply.integer(store.functionCount);
}

const help = [
  "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LOAD [REPLACE] <FUNCTION CODE>",
  "DELETE <LIBRARY NAME>",
  "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
  "FLUSH [ASYNC|SYNC]",
  "DUMP",
  "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
  "STATS",
  "KILL",
  "HELP",
];

const fn: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  const store = functionStoreOf(x);
  const grows = sub === "LOAD" || sub === "RESTORE";
  if (grows && x.config.maxmemory !== 0 && !memoryAvailable(x)) return c.reply.error(errors.oom);
  if (sub === "LOAD") return load(x, c, argv);
  if (sub === "LIST") return list(x, c, argv);
  if (sub === "RESTORE") return restore(x, c, argv);
  if (sub === "DELETE" && argv.length === 3) {
    if (!store.delete(latin1(argv[2]!))) return c.reply.error("ERR Library not found");
    x.propagate(c.db, argv);
    return c.reply.ok();
  }
  if (sub === "FLUSH" && argv.length <= 3) {
    if (argv.length === 3 && !["ASYNC", "SYNC"].includes(opt(argv, 2))) {
      return c.reply.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
    }
    store.flush();
    x.propagate(c.db, argv);
    return c.reply.ok();
  }
  if (sub === "DUMP" && argv.length === 2) return c.reply.bulk(dumpLibraries(store));
  if (sub === "STATS" && argv.length === 2) return stats(x, c);
  if (sub === "KILL" && argv.length === 2) return killScript(x, c, false);
  if (sub === "HELP" && argv.length === 2) {
    replyHelp(c, help);
    return;
  }
  if (["DELETE", "FLUSH", "DUMP", "STATS", "KILL", "HELP"].includes(sub)) {
    return wrongArgs(c, argv);
  }
  c.reply.error(`ERR unknown subcommand '${latin1(argv[1]!)}'. Try FUNCTION HELP.`);
};

function fcall(lookup: CommandLookup, readOnly: boolean): Handler {
  return (x, c, argv) => {
    const found = functionStoreOf(x).find(latin1(argv[1]!));
    const split = splitKeys(c, argv, "ERR Bad number of keys provided");
    if (split === null) return;
    if (found === undefined) return c.reply.error("ERR Function not found");
    const noWrites = found.fn.flags.includes("no-writes");
    if (readOnly && !noWrites) {
      return c.reply.error("ERR Can not execute a script with write flag using *_ro command.");
    }
    const allowOom = found.fn.flags.includes("allow-oom");
    if (!noWrites && !allowOom && x.config.maxmemory !== 0 && !memoryAvailable(x)) {
      return c.reply.error(errors.oom);
    }
    const vm = functionStoreOf(x).vm;
    c.scriptRead = false;
    const run: ScriptRun = {
      x,
      caller: c,
      client: scriptClient(x, c),
      lookup,
      readOnly: readOnly || noWrites,
      allowOom,
      resp: 2,
      name: found.fn.name,
      startMs: x.timer(),
      evalMode: false,
      argv,
      wrote: false,
      killed: false,
      recordMark: x.recordMark(),
    };
    vm.run(found.fn.ref, run, c.reply, () => {
      vm.pushList(split.keys);
      vm.pushList(split.args);
      return 2;
    });
  };
}

/** FUNCTION, FCALL and FCALL_RO; `lookup` finds the commands functions call. */
export function functionHandlers(lookup: CommandLookup): Record<string, Handler> {
  return { function: fn, fcall: fcall(lookup, false), fcall_ro: fcall(lookup, true) };
}
