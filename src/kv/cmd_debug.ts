/**
 * DEBUG: the subcommands Redis's own test suite uses, with real effects
 * (RELOAD and LOADAOF rebuild the keyspace from storage, SLEEP blocks the
 * server, SET-ACTIVE-EXPIRE stops the expire cycle), and the ones whose
 * Redis setting has nothing to act on here accepted with OK. Who may run it
 * is Redis 7's `enable-debug-command` rule (no, local or yes).
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { fromLatin1, latin1, parseFloatStrict, parseInt64 } from "./bytes.ts";
import { errors, type Handler, key, opt, replyHelp, subcommandArityError } from "./cmd_util.ts";
import { globMatch } from "./glob.ts";
import { datasetDigest, digestHex, valueDigest } from "./debug_digest.ts";
import { debugSettingsOf } from "./debug_settings.ts";
import { reloaderOf, type ReloadOptions } from "./debug_reload.ts";
import { debugObjectLine, debugProtocol } from "./debug_values.ts";
import { encodingOf } from "./encoding.ts";
import type { KvValue } from "./keyspace.ts";
import { ZSet } from "./zset.ts";
import { log } from "../common/log.ts";

const notAllowed =
  'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", ' +
  "you can run it from a local connection, otherwise you need to set this option in the " +
  "configuration file, and then restart the server.";

/** Whether a client address ("ip:port") is a loopback one. */
function isLocal(addr: string): boolean {
  return addr.startsWith("127.") || addr.startsWith("[::1]") || addr.startsWith("::1") ||
    addr === "" || addr.startsWith("/");
}

const help = [
  "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANGE-REPL-ID",
  "    Accepted: there is no replication ID to change.",
  "DIGEST",
  "    Output a hex signature representing the current DB content.",
  "DIGEST-VALUE <key> [<key> ...]",
  "    Output a hex signature of the values of all the specified keys.",
  "LOADAOF",
  "    Flush the WAL to disk and rebuild the dataset from it, as recovery does.",
  "OBJECT <key>",
  "    Show low level info about the value of the key.",
  "PAUSE-CRON <0|1>",
  "    Stop or resume the periodic work (active expiry, snapshots).",
  "POPULATE <count> [<prefix>] [<size>]",
  "    Create <count> string keys named key:<num> (or <prefix>:<num>).",
  "PROTOCOL <type>",
  "    Reply with a test value of the specified type. <type> can be: string,",
  "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
  "    true, false.",
  "QUICKLIST-PACKED-THRESHOLD <size>",
  "    Accepted: list nodes have no packed form here.",
  "RELOAD [option ...]",
  "    Save the dataset as a snapshot, empty it and load it back. Options:",
  "    * MERGE: with NOFLUSH, loaded keys replace existing ones.",
  "    * NOFLUSH: do not empty the dataset before loading.",
  "    * NOSAVE: load the snapshot on disk without saving first.",
  "REPLYBUFFER PEAK-RESET-TIME <never||reset|time> | RESIZING <0|1>",
  "    Accepted: reply buffers are not resized here.",
  "SET-ACTIVE-EXPIRE <0|1>",
  "    Setting it to 0 disables expiring keys in background when they are not",
  "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
  "    default.",
  "SET-DISABLE-DENY-SCRIPTS <0|1>",
  "    Let scripts call commands they may not call (1), or refuse them again (0).",
  "SLEEP <seconds>",
  "    Stop the server for <seconds>. Decimals allowed.",
  "STRINGMATCH-LEN",
  "    Run a fuzz tester against the glob matcher.",
  "LISTPACK <key>",
  "    Log the layout of the listpack encoding of <key>.",
  "QUICKLIST <key> [<0|1>]",
  "    Log the layout of the quicklist encoding of <key>.",
  "HELP",
  "    Print this help.",
];

/** RELOAD's options, or an error text. */
function reloadOptions(argv: Uint8Array[]): ReloadOptions | string {
  let save = true, flush = true, merge = false;
  for (let i = 2; i < argv.length; i++) {
    const o = opt(argv, i);
    if (o === "MERGE") merge = true;
    else if (o === "NOFLUSH") flush = false;
    else if (o === "NOSAVE") save = false;
    else return "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.";
  }
  return { save, flush, merge };
}

function reload(x: KvEngine, c: KvClient, argv: Uint8Array[]): Promise<void> | void {
  const options = reloadOptions(argv);
  if (typeof options === "string") return c.reply.error(options);
  const reloader = reloaderOf(x);
  if (reloader === undefined) return c.reply.error("ERR DEBUG RELOAD needs a data directory");
  return reloader.reload(options).then(
    (err) => err === null ? c.reply.ok() : c.reply.error(err),
    (e) => c.reply.error(`ERR Error trying to save or load the snapshot: ${String(e)}`),
  );
}

function loadaof(x: KvEngine, c: KvClient): Promise<void> | void {
  const reloader = reloaderOf(x);
  if (reloader === undefined) return c.reply.error("ERR DEBUG LOADAOF needs a data directory");
  return reloader.loadLog().then(
    (err) => err === null ? c.reply.ok() : c.reply.error(err),
    (e) => c.reply.error(`ERR Error trying to load the WAL: ${String(e)}`),
  );
}

/** Blocks the whole process, as Redis's DEBUG SLEEP blocks its event loop. */
function sleepSync(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function sleep(c: KvClient, arg: Uint8Array): void {
  const seconds = parseFloatStrict(arg);
  if (seconds === null || !Number.isFinite(seconds)) return c.reply.error(errors.notFloat);
  // The command's clock stays where it was: a script calling DEBUG SLEEP sees time stand still.
  sleepSync(seconds * 1000);
  c.reply.ok();
}

/** A 0/1 switch argument; replies the error itself and returns null when bad. */
function flagArg(c: KvClient, arg: Uint8Array): boolean | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.reply.error(errors.notInteger);
    return null;
  }
  return v !== 0;
}

function populate(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  const count = parseInt64(argv[2]!);
  if (count === null || count < 0) return c.reply.error("ERR count is out of range");
  const prefix = argv.length > 3 ? key(argv, 3) : "key";
  const size = argv.length > 4 ? parseInt64(argv[4]!) : 0;
  if (size === null || size < 0) return c.reply.error("ERR size is out of range");
  const ks = x.dbs[c.db]!;
  for (let j = 0; j < Number(count); j++) {
    const name = `${prefix}:${j}`;
    if (ks.map.has(name)) continue;
    let value = `value:${j}`;
    if (size !== 0) value = value.slice(0, Number(size)).padEnd(Number(size), "\u0000");
    x.setValue(c.db, name, "string", value);
    x.propagate(c.db, [fromLatin1("SET"), fromLatin1(name), fromLatin1(value)]);
    x.stats.dirty++;
  }
  c.reply.ok();
}

function digestValue(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    // As Redis: a read lookup, so a key past its expiry is deleted and digests to zeros.
    const e = x.dbs[c.db]!.lookup(key(argv, i), x.now, x.loading);
    c.reply.simple(e === undefined ? "0".repeat(40) : digestHex(valueDigest(e.value)));
  }
}

/** Runs the subcommands that set a switch or are accepted; false when `sub` is none of them. */
function setting(x: KvEngine, c: KvClient, sub: string, argv: Uint8Array[]): boolean {
  const s = debugSettingsOf(x);
  const n = argv.length;
  if (
    (sub === "SET-ACTIVE-EXPIRE" || sub === "PAUSE-CRON" || sub === "SET-DISABLE-DENY-SCRIPTS") &&
    n === 3
  ) {
    const on = flagArg(c, argv[2]!);
    if (on === null) return true;
    if (sub === "SET-ACTIVE-EXPIRE") s.activeExpire = on;
    else if (sub === "PAUSE-CRON") s.cronPaused = on;
    else s.denyScriptsDisabled = on;
    c.reply.ok();
    return true;
  }
  // Redis settings with nothing to act on here: no packed list nodes, no replication ID,
  // no reply-buffer resizing.
  if (
    (sub === "QUICKLIST-PACKED-THRESHOLD" && n === 3) || (sub === "CHANGE-REPL-ID" && n === 2) ||
    (sub === "REPLYBUFFER" && n === 4)
  ) {
    c.reply.ok();
    return true;
  }
  return false;
}

function object(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  const e = x.dbs[c.db]!.map.get(key(argv, 2));
  if (e === undefined) return c.reply.error("ERR no such key");
  c.reply.simple(debugObjectLine(x, e));
}

/**
 * LISTPACK and QUICKLIST: checks the key has that encoding and logs its
 * layout (here: the element count), as Redis prints it on its stdout.
 */
function structure(x: KvEngine, c: KvClient, argv: Uint8Array[], enc: string, name: string): void {
  const k = key(argv, 2);
  const e = x.dbs[c.db]!.lookup(k, x.now, x.loading);
  if (e === undefined) return c.reply.error(errors.noSuchKey);
  if (encodingOf(e) !== enc) return c.reply.error(`ERR Not a ${enc} encoded object.`);
  log.info(`DEBUG ${name.toUpperCase()}`, { key: k, encoding: enc, elements: sizeOf(e.value) });
  c.reply.simple(`${name} structure printed on stdout`);
}

/** Elements of a collection value (pairs count twice, as in a listpack). */
function sizeOf(v: KvValue): number {
  if (typeof v === "string") return 1;
  if (v instanceof Map) return v.size * 2;
  if (v instanceof Set) return v.size;
  if (v instanceof ZSet) return v.size * 2;
  return v.length;
}

const debug: Handler = (x, c, argv) => {
  const rule = x.config.enableDebugCommand;
  if (rule === "no" || (rule === "local" && !isLocal(c.addr))) return c.reply.error(notAllowed);
  const sub = opt(argv, 1);
  const n = argv.length;
  if (setting(x, c, sub, argv)) return;
  if (sub === "HELP" && n === 2) return replyHelp(c, help);
  if (sub === "RELOAD") return reload(x, c, argv);
  if (sub === "LOADAOF" && n === 2) return loadaof(x, c);
  if (sub === "SLEEP" && n === 3) return sleep(c, argv[2]!);
  if (sub === "PROTOCOL" && n === 3) return debugProtocol(c, latin1(argv[2]!).toLowerCase());
  if (sub === "OBJECT" && n === 3) return object(x, c, argv);
  if (sub === "DIGEST" && n === 2) return c.reply.simple(datasetDigest(x));
  if (sub === "DIGEST-VALUE" && n >= 2) return digestValue(x, c, argv);
  if (sub === "POPULATE" && n >= 3 && n <= 5) return populate(x, c, argv);
  if (sub === "STRINGMATCH-LEN" && n === 2) return stringmatchFuzz(x, c);
  if (sub === "LISTPACK" && n === 3) return structure(x, c, argv, "listpack", "Listpack");
  if (sub === "QUICKLIST" && (n === 3 || n === 4)) {
    return structure(x, c, argv, "quicklist", "Quicklist");
  }
  subcommandArityError(c, "DEBUG", argv);
};

/** Random glob patterns and subjects, weighted towards the pattern metacharacters. */
function fuzzText(random: () => number): string {
  const alphabet = "*?[]^-\\ab";
  let s = "";
  for (let n = Math.floor(random() * 32); n > 0; n--) {
    s += random() < 0.8
      ? alphabet[Math.floor(random() * alphabet.length)]
      : String.fromCharCode(Math.floor(random() * 256));
  }
  return s;
}

/**
 * STRINGMATCH-LEN: matches 1000 random patterns against random subjects
 * with the glob matcher KEYS and SCAN use, to see that it never fails.
 */
function stringmatchFuzz(x: KvEngine, c: KvClient): void {
  for (let i = 0; i < 1000; i++) {
    globMatch(fuzzText(x.random), fuzzText(x.random), x.random() < 0.5);
  }
  c.reply.simple("Apparently Redis did not crash: test passed");
}

/** DEBUG by lower-case name. */
export const debugHandlers: Record<string, Handler> = { debug };
