/**
 * What `redis.call`/`redis.pcall` do with one command: Redis 7's checks
 * (unknown command, arity, commands scripts may not run, writes from
 * read-only scripts, maxmemory), then the handler on the script's own
 * client, synchronously and non-blocking, then effects propagation: a write
 * is logged as itself, so the WAL holds a script's effects, not the script.
 * @module
 */
import { debugSettingsOf } from "./debug_settings.ts";
import type { KvClient } from "./client.ts";
import type { BusyScript, KvEngine } from "./engine.ts";
import type { CommandSpec } from "./command_table.ts";
import { aclAllows, aclScriptRefusal } from "./acl_check.ts";
import { latin1, upperAscii } from "./bytes.ts";
import { errors } from "./cmd_util.ts";
import { memoryAvailable } from "./evict.ts";
import { type CommandStats, recordCall } from "./slowlog.ts";
import { CaptureReply, type RespValue } from "./script_capture.ts";
import { feedMonitors } from "./monitor.ts";

/** Finds a command's spec by lower-case name (the dispatcher's table). */
export type CommandLookup = (name: string) => CommandSpec | undefined;

/** The state of the script that is running (a `BusyScript` once it runs long). */
export interface ScriptRun extends BusyScript {
  readonly x: KvEngine;
  /** The client that sent EVAL/FCALL. */
  readonly caller: KvClient;
  /** The script's own client: its db starts at the caller's; SELECT moves only it. */
  readonly client: KvClient;
  readonly lookup: CommandLookup;
  /** EVAL_RO, FCALL_RO or a no-writes function. */
  readonly readOnly: boolean;
  /** Declared `allow-oom`: memory-growing commands run even at maxmemory. */
  readonly allowOom: boolean;
  /** Protocol of replies as the script sees them (redis.setresp). */
  resp: 2 | 3;
}

/** Commands scripts may not call, beyond those flagged `noscript` or `blocking` (Redis 7's list). */
const denied = new Set([
  "eval",
  "evalsha",
  "eval_ro",
  "evalsha_ro",
  "fcall",
  "fcall_ro",
  "script",
  "function",
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "subscribe",
  "psubscribe",
  "unsubscribe",
  "punsubscribe",
  "auth",
  "hello",
  "reset",
  "quit",
  "save",
  "bgsave",
  "cluster",
  "shutdown",
  // Redis runs MIGRATE inside a script; here it waits for the target asynchronously, which a
  // script's synchronous call cannot.
  "migrate",
]);

/** The counters of a call: its subcommand's for a container ("client|id"). */
function statsOf(spec: CommandSpec, argv: Uint8Array[]): CommandStats {
  if (spec.subcommands === null || argv.length < 2) return spec;
  return spec.subcommands.get(latin1(argv[1]!).toLowerCase()) ?? spec;
}

/** Commands that are not writes but reach replicas, refused in read-only scripts too. */
const mayReplicate = new Set(["publish", "spublish"]);

function scriptError(text: string): RespValue {
  return { kind: "error", text };
}

/** Why a script may not run `argv`, or null when it may. */
function refusal(run: ScriptRun, spec: CommandSpec | undefined, argv: Uint8Array[]): string | null {
  if (spec === undefined) return "ERR Unknown Redis command called from script";
  const ok = spec.arity > 0 ? argv.length === spec.arity : argv.length >= -spec.arity;
  if (!ok) return "ERR Wrong number of args calling Redis command from script";
  if (spec.name === "xread" || spec.name === "xreadgroup") {
    if (argv.some((a, i) => i > 0 && upperAscii(a) === "BLOCK")) {
      return `ERR ${spec.name} command is not allowed with BLOCK option from scripts`;
    }
  } else if (spec.name === "client") {
    // Every CLIENT subcommand but HELP is flagged noscript in Redis 7.0 (DEBUG
    // SET-DISABLE-DENY-SCRIPTS lets them run, as Redis's tests use it).
    const help = argv.length === 2 && upperAscii(argv[1]!) === "HELP";
    if (!help && !debugSettingsOf(run.x).denyScriptsDisabled) {
      return "ERR This Redis command is not allowed from script";
    }
  } else if (denied.has(spec.name) || spec.flags.has("blocking")) {
    return "ERR This Redis command is not allowed from script";
  } else if (spec.flags.has("noscript") && !debugSettingsOf(run.x).denyScriptsDisabled) {
    return "ERR This Redis command is not allowed from script";
  }
  if (run.readOnly && (spec.write || mayReplicate.has(spec.name))) {
    return "ERR Write commands are not allowed from read-only scripts.";
  }
  if (run.allowOom || !spec.denyoom || run.x.config.maxmemory === 0) return null;
  if (!memoryAvailable(run.x)) return errors.oom;
  return null;
}

/** Whether the user running the script may run `argv` (redis.acl_check_cmd), or null for an unknown command. */
export function scriptMayRun(run: ScriptRun, argv: Uint8Array[]): boolean | null {
  const spec = run.lookup(latin1(argv[0]!).toLowerCase());
  if (spec === undefined) return null;
  const ok = spec.arity > 0 ? argv.length === spec.arity : argv.length >= -spec.arity;
  if (!ok) return null;
  return aclAllows(run.x, run.caller, spec, argv);
}

/**
 * Runs one command for a script and returns its reply (errors as values;
 * the caller decides whether to raise them).
 */
export function callFromScript(run: ScriptRun, argv: Uint8Array[]): RespValue {
  const spec = run.lookup(latin1(argv[0]!).toLowerCase());
  const { x, client } = run;
  const why = refusal(run, spec, argv) ??
    (spec === undefined ? null : aclScriptRefusal(x, run.caller, spec, argv));
  if (why !== null || spec === undefined) {
    // Counted here: the script's own error reply, if it raises this, is not counted again.
    if (spec !== undefined) statsOf(spec, argv).rejectedCalls++;
    x.countError(why ?? "ERR");
    return scriptError(why ?? "ERR");
  }
  if (spec.flags.has("readonly")) run.caller.scriptRead = true;
  // As Redis, a write command called makes the script unkillable, whatever it changed.
  if (spec.write) run.wrote = true;
  const capture = new CaptureReply(run.resp);
  client.reply = capture;
  client.resp = run.resp;
  const before = x.dirtyCounter;
  const noBlock = x.noBlock;
  x.explicitPropagation = false;
  x.noBlock = true;
  const startMs = x.timer();
  const db = client.db;
  try {
    spec.handler(x, client, argv);
  } finally {
    x.noBlock = noBlock;
  }
  const stats = statsOf(spec, argv);
  recordCall(x, client, stats, argv, (x.timer() - startMs) * 1000);
  if (x.monitors.size !== 0 && !spec.flags.has("admin")) feedMonitors(x, client, db, argv);
  if (capture.errors > 0) {
    stats.failedCalls++;
    x.countError(capture.lastError);
  }
  if (spec.write && !x.explicitPropagation && x.dirtyCounter !== before) {
    x.propagate(client.db, argv);
  }
  return capture.values[0] ?? { kind: "null" };
}
