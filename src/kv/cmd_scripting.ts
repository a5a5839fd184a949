/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (LOAD, EXISTS, FLUSH, KILL,
 * HELP). A script runs synchronously inside its command, so no other
 * command interleaves with it (a long one serves others only with BUSY
 * replies and KILL, see busy.ts); the commands it calls are logged one by one
 * (effects replication), never the script itself.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { KvClient as Client } from "./client.ts";
import { NullReply } from "./reply.ts";
import { latin1 } from "./bytes.ts";
import { errors, type Handler, opt, replyHelp, subcommandError } from "./cmd_util.ts";
import { scriptCacheOf } from "./script_cache.ts";
import { memoryAvailable } from "./evict.ts";
import type { CommandLookup, ScriptRun } from "./script_call.ts";
import { killScript } from "./busy.ts";

const noscript = "NOSCRIPT No matching script. Please use EVAL.";

/** KEYS and ARGV of an EVAL-style command line, or null after replying an error. */
export function splitKeys(
  c: KvClient,
  argv: Uint8Array[],
  notInteger: string = errors.notInteger,
): { keys: Uint8Array[]; args: Uint8Array[] } | null {
  const text = latin1(argv[2]!);
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) {
    c.reply.error(notInteger);
    return null;
  }
  if (n < 0) {
    c.reply.error("ERR Number of keys can't be negative");
    return null;
  }
  if (n > argv.length - 3) {
    c.reply.error("ERR Number of keys can't be greater than number of args");
    return null;
  }
  return { keys: argv.slice(3, 3 + n), args: argv.slice(3 + n) };
}

/** A script's own client (one per engine, reused: scripts never overlap). */
const scriptClients = new WeakMap<KvEngine, KvClient>();

/** The client scripts run their commands on, starting in the caller's database. */
export function scriptClient(x: KvEngine, caller: KvClient): KvClient {
  let client = scriptClients.get(x);
  if (client === undefined) {
    const transport = { setProtocol() {}, closeAfterReply() {}, flushSoon() {} };
    client = new Client(0, new NullReply(), transport, "lua", "lua", x.now, false);
    client.fromScript = true;
    scriptClients.set(x, client);
  }
  client.db = caller.db;
  // Commands that check the user's key permissions themselves (SORT's BY and GET) see the caller's.
  client.aclUser = caller.aclUser;
  return client;
}

function evalGeneric(lookup: CommandLookup, bySha: boolean, readOnly: boolean): Handler {
  return (x, c, argv) => {
    const split = splitKeys(c, argv);
    if (split === null) return;
    const cache = scriptCacheOf(x);
    const loaded = bySha ? cache.get(latin1(argv[1]!).toLowerCase()) : cache.load(argv[1]!, true);
    if (loaded === undefined) return c.reply.error(noscript);
    if (typeof loaded === "string") return c.reply.error(loaded);
    const { flags } = loaded;
    // A script that declared its flags is refused up front at maxmemory, unless it cannot write.
    const oomRefused = flags.shebang && !flags.noWrites && !flags.allowOom;
    if (oomRefused && x.config.maxmemory !== 0 && !memoryAvailable(x)) {
      return c.reply.error(errors.oom);
    }
    const vm = cache.vm;
    vm.setArgs(split.keys, split.args);
    c.scriptRead = false;
    const run: ScriptRun = {
      x,
      caller: c,
      client: scriptClient(x, c),
      lookup,
      readOnly: readOnly || flags.noWrites,
      allowOom: flags.allowOom,
      resp: 2,
      name: loaded.sha,
      startMs: x.timer(),
      evalMode: true,
      argv,
      wrote: false,
      killed: false,
      recordMark: x.recordMark(),
    };
    vm.run(loaded.ref, run, c.reply);
  };
}

const scriptHelp = [
  "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DEBUG (YES|SYNC|NO)",
  "    Set the debug mode for subsequent scripts executed (only NO: there is no Lua debugger).",
  "EXISTS <sha1> [<sha1> ...]",
  "    Return information about the existence of the scripts in the script cache.",
  "FLUSH [ASYNC|SYNC]",
  "    Flush the Lua scripts cache. Very dangerous on replicas.",
  "KILL",
  "    Kill the currently executing Lua script.",
  "LOAD <script>",
  "    Load a script into the scripts cache without executing it.",
  "HELP",
  "    Print this help.",
];

/** SCRIPT DEBUG YES|SYNC|NO: there is no Lua debugger, so only NO (the default) is accepted. */
function scriptDebug(c: KvClient, mode: string): void {
  if (mode === "NO") return c.reply.ok();
  if (mode !== "YES" && mode !== "SYNC") return c.reply.error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
  c.reply.error(
    "ERR The Lua debugger is not available: SCRIPT DEBUG YES and SYNC are not supported",
  );
}

const script: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  const cache = scriptCacheOf(x);
  if (sub === "LOAD" && argv.length === 3) {
    const loaded = cache.load(argv[2]!, false);
    if (typeof loaded === "string") return c.reply.error(loaded);
    return c.reply.bulkLatin1(loaded.sha);
  }
  if (sub === "EXISTS" && argv.length >= 3) {
    c.reply.array(argv.length - 2);
    for (let i = 2; i < argv.length; i++) {
      c.reply.integer(cache.has(latin1(argv[i]!).toLowerCase()) ? 1 : 0);
    }
    return;
  }
  if (sub === "FLUSH") {
    const mode = argv.length === 3 ? opt(argv, 2) : "SYNC";
    if ((mode !== "SYNC" && mode !== "ASYNC") || argv.length > 3) {
      return c.reply.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    cache.flush();
    return c.reply.ok();
  }
  if (sub === "KILL" && argv.length === 2) return killScript(x, c, true);
  if (sub === "DEBUG" && argv.length === 3) return scriptDebug(c, opt(argv, 2));
  if (sub === "HELP" && argv.length === 2) {
    replyHelp(c, scriptHelp);
    return;
  }
  subcommandError(c, "SCRIPT", argv, ["DEBUG", "EXISTS", "FLUSH", "HELP", "KILL", "LOAD"]);
};

/** The scripting commands; `lookup` finds the commands scripts call. */
export function scriptingHandlers(lookup: CommandLookup): Record<string, Handler> {
  return {
    eval: evalGeneric(lookup, false, false),
    evalsha: evalGeneric(lookup, true, false),
    eval_ro: evalGeneric(lookup, false, true),
    evalsha_ro: evalGeneric(lookup, true, true),
    script,
  };
}
