/**
 * A script that runs past busy-reply-threshold, as Redis 7 handles it: the
 * Lua hook (script_host.ts) lets the listener serve other clients from
 * inside the script (`KvEngine.onBusy`), and those clients get BUSY for
 * every command but the few Redis flags `allow-busy` (SCRIPT KILL,
 * FUNCTION KILL, FUNCTION STATS, SHUTDOWN, AUTH, HELLO, transaction
 * bookkeeping). SCRIPT KILL and FUNCTION KILL stop a script that has not
 * written. SHUTDOWN NOSAVE stops the server at once (`stopBusyScript`):
 * the script ends where it is, its writes never reach the WAL, its caller's
 * connection closes unanswered; SHUTDOWN without NOSAVE gets BUSY.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { BusyScript, KvEngine } from "./engine.ts";
import type { CommandSpec } from "./command_table.ts";
import { upperAscii } from "./bytes.ts";
import { keepingCommandState } from "./run_handler.ts";
import { log } from "../common/log.ts";

/** The reply to other commands while an EVAL (true) or FCALL (false) is busy. */
export function busyError(evalMode: boolean): string {
  return `BUSY Redis is busy running a script. You can only call ${
    evalMode ? "SCRIPT" : "FUNCTION"
  } KILL or SHUTDOWN NOSAVE.`;
}

/** The error a killed script's caller gets (before the script's name and line). */
export const killedText = "Script killed by user with SCRIPT KILL...";

const unkillable =
  "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";

/** Commands Redis 7.0 flags allow-busy (COMMAND INFO), SCRIPT and FUNCTION aside. */
const allowedNames = new Set([
  "auth",
  "hello",
  "quit",
  "reset",
  "multi",
  "discard",
  "watch",
  "unwatch",
  "shutdown",
  "replconf",
]);

/** Whether a command runs while a script is busy (the others get BUSY). */
export function allowedWhileBusy(spec: CommandSpec, argv: readonly Uint8Array[]): boolean {
  if (allowedNames.has(spec.name)) return true;
  if (argv.length !== 2) return false;
  if (spec.name === "script") return upperAscii(argv[1]!) === "KILL";
  if (spec.name !== "function") return false;
  const sub = upperAscii(argv[1]!);
  return sub === "KILL" || sub === "STATS";
}

/** SCRIPT KILL (`evalMode` true) or FUNCTION KILL. */
export function killScript(x: KvEngine, c: KvClient, evalMode: boolean): void {
  const run = x.busyScript;
  if (run === null) return c.reply.error("NOTBUSY No scripts in execution right now.");
  if (run.wrote) return c.reply.error(unkillable);
  // SCRIPT KILL does not stop a function, nor FUNCTION KILL a script.
  if (run.evalMode !== evalMode) return c.reply.error(busyError(run.evalMode));
  run.killed = true;
  c.reply.ok();
}

/**
 * Called from the Lua hook of `run` (about every 100,000 instructions):
 * once it has run busy-reply-threshold ms, marks it busy and serves the
 * other clients. Returns false when nobody can be served (no listener that
 * polls synchronously): the caller then applies the old run-time limit.
 */
export function serveWhileBusy(x: KvEngine, run: BusyScript): boolean {
  const serve = x.onBusy;
  if (serve === null) return false;
  if (x.busyScript !== run) {
    if (x.timer() - run.startMs < x.config.busyReplyThreshold) return true;
    x.busyScript = run;
    log.warn("Slow script detected: serving other clients with BUSY replies meanwhile", {
      script: run.name,
      kill: run.evalMode ? "SCRIPT KILL" : "FUNCTION KILL",
    });
  }
  keepingCommandState(x, serve);
  return true;
}

/**
 * SHUTDOWN NOSAVE while a script is busy: the Lua hook stops the script as
 * SCRIPT KILL would, even one that wrote, and once it has unwound its part
 * of the pending WAL record is dropped (`scriptEnded`); what came before
 * it stays. No snapshot is taken from now on: memory holds its writes.
 */
export function stopBusyScript(x: KvEngine): void {
  const run = x.busyScript;
  if (run === null) return;
  run.killed = true;
  run.stopping = true;
  x.snapshotsBarred = true;
}

/** Ends the busy state of `run` (the script returned, failed, or was stopped). */
export function scriptEnded(x: KvEngine, run: BusyScript): void {
  if (x.busyScript === run) x.busyScript = null;
  if (run.stopping === true) x.discardRecordSince(run.recordMark);
}
