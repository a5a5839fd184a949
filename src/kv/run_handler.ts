/**
 * One command's run with its bookkeeping, shared by the dispatcher and EXEC.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";
import type { BlockRequest } from "./cmd_util.ts";
import type { CommandSpec } from "./command_table.ts";
import { feedMonitors } from "./monitor.ts";
import { type CommandStats, recordCall } from "./slowlog.ts";
import { trackCommand } from "./cmd_tracking.ts";

/** Commands that run a script, shown by MONITOR before the commands the script calls. */
const scriptRuns = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"]);

/** Error replies already attributed to a command (see runHandler). */
let errorFloor = 0;

/** The counters a call is accounted to: its subcommand's for a container ("client|id"). */
export function statsOf(spec: CommandSpec, argv: Uint8Array[]): CommandStats {
  if (spec.subcommands === null || argv.length < 2) return spec;
  return spec.subcommands.get(latin1(argv[1]!).toLowerCase()) ?? spec;
}

/**
 * Runs a command's handler and accounts for it: duration (one clock read per
 * command, see `KvEngine.timedFromMs`), commandstats, slow log, failed calls,
 * CLIENT TRACKING, MONITOR, and the WAL record of a write.
 */
export function runHandler(
  x: KvEngine,
  c: KvClient,
  spec: CommandSpec,
  argv: Uint8Array[],
): BlockRequest | Promise<void> | void {
  const before = x.dirtyCounter;
  x.explicitPropagation = false;
  const db = c.db;
  errorFloor = c.reply.errors;
  // As Redis, MONITOR shows a script's command line before the commands the script calls.
  const scriptFirst = x.monitors.size !== 0 && scriptRuns.has(spec.name);
  if (scriptFirst) feedMonitors(x, c, db, argv);
  // One clock read per command: a command of a batch starts where the previous one ended.
  const startMs = x.timedFromMs !== 0 ? x.timedFromMs : x.timer();
  const r = spec.handler(x, c, argv);
  if (c.tracking !== null) trackCommand(x, c, spec, argv);
  const endMs = x.timedFromMs = x.timer();
  x.stats.commands++;
  const stats = statsOf(spec, argv);
  recordCall(x, c, stats, argv, (endMs - startMs) * 1000);
  // A command failed when it replied an error itself (not one of EXEC's queued commands).
  if (c.reply.errors > errorFloor) {
    stats.failedCalls++;
    if (!x.errorCounted) x.countError(c.reply.lastError);
  }
  errorFloor = c.reply.errors;
  x.errorCounted = false;
  if (x.monitors.size !== 0 && !scriptFirst && !spec.flags.has("admin")) {
    feedMonitors(x, c, db, argv);
  }
  if (spec.write && !x.explicitPropagation && x.dirtyCounter !== before) x.propagate(db, argv);
  return r;
}

/**
 * Runs `fn` (other clients served from inside a running command: a busy
 * script's BUSY replies, see busy.ts) and restores the running command's
 * accounting state afterwards: its clocks, error floor, propagation and
 * tracking marks.
 */
export function keepingCommandState(x: KvEngine, fn: () => void): void {
  const floor = errorFloor;
  const { now, timedFromMs, explicitPropagation, errorCounted, noBlock } = x;
  const executing = x.tracking.executing;
  try {
    fn();
  } finally {
    errorFloor = floor;
    x.now = now;
    x.timedFromMs = timedFromMs;
    x.explicitPropagation = explicitPropagation;
    x.errorCounted = errorCounted;
    x.noBlock = noBlock;
    x.tracking.executing = executing;
  }
}
