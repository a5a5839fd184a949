/**
 * The host side of the `redis` table: redis.call/pcall, sha1hex, log and
 * setresp as Lua C functions, the run-time limits checked from a Lua hook
 * (which also serves other clients during a long script, see busy.ts),
 * and the state they act on (the script or library load in progress).
 * @module
 */
import { log } from "../common/log.ts";
import { libraryLoadMsMax, scriptRunMsMax } from "../common/limits.ts";
import {
  cFunction,
  cString,
  hookFunction,
  lua,
  luaMaskLine,
  luaType,
  pushText,
  toBytes,
  toText,
} from "./lua_wasm.ts";
import { pushErrorTable, pushResp } from "./script_convert.ts";
import { callFromScript, scriptMayRun, type ScriptRun } from "./script_call.ts";
import { sha1Hex } from "./sha1.ts";
import { killedText, scriptEnded, serveWhileBusy } from "./busy.ts";

/** Instructions between two checks of the run-time limit. */
export const hookInstructions = 100_000;

/** The script running now (the server is one thread: at most one). */
let running: ScriptRun | null = null;

/** The FUNCTION LOAD in progress: its clock and start. */
let loadingLibrary: { readonly timer: () => number; readonly startMs: number } | null = null;

/** Raises a Lua error with message `text` from a host function (does not return). */
function raise(L: number, text: string): number {
  pushText(L, text);
  return lua._lua_error(L);
}

const encoder = new TextEncoder();

/** A Lua value at `i` as a command argument, or null when it may not be one. */
function argument(L: number, i: number): Uint8Array | null {
  const t = lua._lua_type(L, i);
  if (t === luaType.string) return toBytes(L, i);
  if (t !== luaType.number) return null;
  if (lua._lua_isinteger(L, i) !== 0) {
    return encoder.encode(lua._lua_tointegerx(L, i, 0).toString());
  }
  return encoder.encode(String(lua._lua_tonumberx(L, i, 0)));
}

/**
 * redis.call also looks for a busy script every this many calls, besides the
 * instruction-count hook: a loop of a few Lua instructions around a costly
 * call (CLIENT LIST, KEYS) runs 100,000 instructions only every few hundred
 * milliseconds, well past busy-reply-threshold.
 */
const busyCheckCalls = 16;
let busyCheckCountdown = busyCheckCalls;

function redisCall(L: number, raising: boolean): number {
  const run = running;
  if (run === null) return raise(L, "redis.call is only available while a script runs");
  if (--busyCheckCountdown === 0) {
    busyCheckCountdown = busyCheckCalls;
    if (!run.killed) serveWhileBusy(run.x, run);
    if (run.killed) {
      // As the hook does once a script is killed: every line raises from now on.
      lua._lua_sethook(L, timeLimitHook, luaMaskLine, 0);
      return raise(L, killedText);
    }
  }
  const argc = lua._lua_gettop(L);
  if (argc === 0) {
    pushErrorTable(L, "ERR Please specify at least one argument for this redis lib call");
    return raising ? lua._lua_error(L) : 1;
  }
  const argv: Uint8Array[] = [];
  for (let i = 1; i <= argc; i++) {
    const a = argument(L, i);
    if (a === null) {
      pushErrorTable(L, "ERR Lua redis lib command arguments must be strings or integers");
      return raising ? lua._lua_error(L) : 1;
    }
    argv.push(a);
  }
  let value;
  try {
    value = callFromScript(run, argv);
  } catch (e) {
    // A failing handler answers its command only, as in the dispatcher.
    log.error("KV command failed in script", { error: String(e) });
    value = { kind: "error", text: `ERR ${e instanceof Error ? e.message : String(e)}` } as const;
  }
  lua._lua_settop(L, 0);
  if (value.kind === "error") {
    pushErrorTable(L, value.text, true);
    return raising ? lua._lua_error(L) : 1;
  }
  pushResp(L, value);
  return 1;
}

const logLevels = ["debug", "info", "warn", "error"] as const;

/** Host functions, made once per process (wasm function table slots are never freed). */
const host = {
  call: cFunction((L) => redisCall(L, true)),
  pcall: cFunction((L) => redisCall(L, false)),
  sha1hex: cFunction((L) => {
    if (lua._lua_gettop(L) !== 1) return raise(L, "wrong number of arguments");
    const bytes = toBytes(L, 1);
    if (bytes === null) return raise(L, "wrong type of argument");
    pushText(L, sha1Hex(bytes));
    return 1;
  }),
  log: cFunction((L) => {
    if (lua._lua_gettop(L) < 2) return raise(L, "redis.log() requires two arguments or more.");
    const level = Number(lua._lua_tointegerx(L, 1, 0));
    if (lua._lua_type(L, 1) !== luaType.number || level < 0 || level > 3) {
      return raise(L, "Invalid debug level.");
    }
    const parts: string[] = [];
    for (let i = 2; i <= lua._lua_gettop(L); i++) parts.push(toText(L, i));
    log[logLevels[level]!]("Lua script log", { message: parts.join(" ") });
    return 0;
  }),
  aclCheckCmd: cFunction((L) => {
    const run = running;
    const argc = lua._lua_gettop(L);
    if (run === null) {
      return raise(L, "redis.acl_check_cmd is only available while a script runs");
    }
    if (argc === 0) {
      return raise(L, "Please specify at least one argument for this redis lib call");
    }
    const argv: Uint8Array[] = [];
    for (let i = 1; i <= argc; i++) {
      const a = argument(L, i);
      if (a === null) {
        return raise(L, "Lua redis lib command arguments must be strings or integers");
      }
      argv.push(a);
    }
    const allowed = scriptMayRun(run, argv);
    if (allowed === null) return raise(L, "Invalid command passed to redis.acl_check_cmd()");
    lua._lua_settop(L, 0);
    lua._lua_pushboolean(L, allowed ? 1 : 0);
    return 1;
  }),
  setresp: cFunction((L) => {
    const run = running;
    if (lua._lua_gettop(L) !== 1) return raise(L, "redis.setresp() requires one argument.");
    const v = Number(lua._lua_tointegerx(L, 1, 0));
    if (v !== 2 && v !== 3) return raise(L, "RESP version must be 2 or 3.");
    if (run !== null) run.resp = v;
    return 0;
  }),
  timeLimit: hookFunction((L) => {
    const load = loadingLibrary;
    if (load !== null && load.timer() - load.startMs > libraryLoadMsMax) {
      raise(L, "FUNCTION LOAD timeout");
      return;
    }
    const run = running;
    if (run === null) return;
    if (!run.killed && !serveWhileBusy(run.x, run)) {
      if (run.x.timer() - run.startMs <= scriptRunMsMax) return;
      raise(
        L,
        `Script killed: it ran over ${scriptRunMsMax} ms, and ThunderDB serves no other client while a script runs`,
      );
      return;
    }
    if (!run.killed) return;
    // As Redis: from now on the hook runs at every line, so pcall cannot keep the script alive.
    lua._lua_sethook(L, timeLimitHook, luaMaskLine, 0);
    raise(L, killedText);
  }),
};

/** The Lua side of the `redis` table (run once per VM after `registerHost`). */
export const redisLibrarySource = `
local redis = redis
redis.error_reply = function(e)
  if type(e) ~= "string" then error("wrong number or type of arguments", 2) end
  return {err = e}
end
redis.status_reply = function(s)
  if type(s) ~= "string" then error("wrong number or type of arguments", 2) end
  return {ok = s}
end
redis.set_repl = function(flags)
  if type(flags) ~= "number" or flags < 0 or flags > 3 then
    error("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.", 2)
  end
end
redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.REDIS_VERSION = "7.0.15"
redis.REDIS_VERSION_NUM = 0x07000f
`;

/** Creates the global `redis` table with the host functions. */
export function registerHost(L: number): void {
  lua._lua_createtable(L, 0, 16);
  for (const name of ["call", "pcall", "sha1hex", "log", "setresp"] as const) {
    lua._lua_pushcclosure(L, host[name], 0);
    lua._lua_setfield(L, -2, cString(name));
  }
  lua._lua_pushcclosure(L, host.aclCheckCmd, 0);
  lua._lua_setfield(L, -2, cString("acl_check_cmd"));
  lua._lua_setglobal(L, cString("redis"));
}

/** Runs `fn` with `run` as the running script (redis.call acts for it). */
export function whileRunning<T>(run: ScriptRun, fn: () => T): T {
  const outer = running;
  running = run;
  try {
    return fn();
  } finally {
    running = outer;
    scriptEnded(run.x, run);
  }
}

/** Runs `fn` as a FUNCTION LOAD timed by `timer`. */
export function whileLoading<T>(timer: () => number, fn: () => T): T {
  loadingLibrary = { timer, startMs: timer() };
  try {
    return fn();
  } finally {
    loadingLibrary = null;
  }
}

/** The hook that enforces the run-time limits (set with lua_sethook). */
export const timeLimitHook = host.timeLimit;
