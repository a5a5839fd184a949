/**
 * One engine's Lua VM: the `lua_State` with Redis's libraries and sandbox,
 * the host functions behind the `redis` table, and running a compiled
 * script to completion with the error formatting of Redis 7
 * ("ERR user_script:1: ... script: <sha>, on @user_script:1.").
 * @module
 */
import { log } from "../common/log.ts";
import type { Reply } from "./reply.ts";
import {
  cFunction,
  cString,
  getField,
  hookFunction,
  loadChunk,
  lua,
  luaMaskCount,
  luaRegistryIndex,
  luaType,
  pushBytes,
  pushText,
  toBytes,
  toText,
} from "./lua_wasm.ts";
import { preludeSource } from "./lua_prelude.ts";
import { cjsonSource } from "./lua_cjson.ts";
import { pushErrorTable, pushResp, rawField, stringField, writeLua } from "./script_convert.ts";
import { callFromScript, type ScriptRun } from "./script_call.ts";
import { sha1Hex } from "./sha1.ts";

/** Instructions between two checks of the run-time limit. */
const hookInstructions = 100_000;
/** Longest a script may run (ms): nothing else is served meanwhile, so it is stopped. */
export const scriptRunMsMax = 5_000;

let running: ScriptRun | null = null;

/** The script running now (the server is one thread: at most one). */
export function runningScript(): ScriptRun | null {
  return running;
}

/** Raises a Lua error with message `text` from a host function (does not return). */
function raise(L: number, text: string): number {
  pushText(L, text);
  return lua._lua_error(L);
}

/** A Lua value at `i` as a command argument, or null when it may not be one. */
function argument(L: number, i: number): Uint8Array | null {
  const t = lua._lua_type(L, i);
  if (t === luaType.string) return toBytes(L, i);
  if (t !== luaType.number) return null;
  if (lua._lua_isinteger(L, i) !== 0) {
    return new TextEncoder().encode(lua._lua_tointegerx(L, i, 0).toString());
  }
  return new TextEncoder().encode(String(lua._lua_tonumberx(L, i, 0)));
}

function redisCall(L: number, raising: boolean): number {
  const run = running;
  if (run === null) return raise(L, "ERR redis.call is only available while a script runs");
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
    pushErrorTable(L, value.text);
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
  setresp: cFunction((L) => {
    const run = running;
    if (lua._lua_gettop(L) !== 1) return raise(L, "redis.setresp() requires one argument.");
    const v = Number(lua._lua_tointegerx(L, 1, 0));
    if (v !== 2 && v !== 3) return raise(L, "RESP version must be 2 or 3.");
    if (run !== null) run.resp = v;
    return 0;
  }),
  timeLimit: hookFunction((L) => {
    const run = running;
    if (run === null || run.x.timer() - run.startMs <= scriptRunMsMax) return;
    raise(
      L,
      `ERR Script killed: it ran over ${scriptRunMsMax} ms, and ThunderDB serves no other client while a script runs`,
    );
  }),
};

const redisLibrarySource = `
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
redis.acl_check_cmd = function() return true end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.REDIS_VERSION = "7.0.15"
redis.REDIS_VERSION_NUM = 0x07000f
`;

/** Registry references of the prelude's internal functions. */
interface Internals {
  readonly compile: number;
  readonly setArgs: number;
  readonly errorHandler: number;
  readonly memory: number;
}

/** Runs a chunk of the VM's own setup; a failure there is a bug. */
function runSetup(L: number, source: string, name: string, results: number): void {
  const status = loadChunk(L, new TextEncoder().encode(source), name);
  if (status !== 0 || lua._lua_pcallk(L, 0, results, 0, 0, 0) !== 0) {
    throw new Error(`Lua VM setup failed in ${name}: ${toText(L, -1)}`);
  }
}

function registerHost(L: number): void {
  lua._lua_createtable(L, 0, 16);
  for (const name of ["call", "pcall", "sha1hex", "log", "setresp"] as const) {
    lua._lua_pushcclosure(L, host[name], 0);
    lua._lua_setfield(L, -2, cString(name));
  }
  lua._lua_setglobal(L, cString("redis"));
}

/** Pops field `name` of the table on top into the registry. */
function refField(L: number, name: string): number {
  getField(L, -1, name);
  return lua._luaL_ref(L, luaRegistryIndex);
}

/** An engine's Lua interpreter. */
export class ScriptVm {
  readonly L: number;
  readonly #internals: Internals;

  constructor() {
    const L = lua._luaL_newstate();
    this.L = L;
    lua._luaL_openlibs(L);
    registerHost(L);
    runSetup(L, redisLibrarySource, "=redis", 0);
    runSetup(L, cjsonSource, "=cjson", 0);
    runSetup(L, preludeSource, "=prelude", 1);
    this.#internals = {
      compile: refField(L, "compile"),
      setArgs: refField(L, "set_args"),
      errorHandler: refField(L, "error_handler"),
      memory: refField(L, "memory"),
    };
    lua._lua_settop(L, 0);
    lua._lua_sethook(L, host.timeLimit, luaMaskCount, hookInstructions);
  }

  /** Frees the interpreter and everything it holds. */
  close(): void {
    lua._lua_close(this.L);
  }

  /** Bytes the interpreter uses (INFO used_memory_lua). */
  memoryBytes(): number {
    const L = this.L;
    lua._lua_rawgeti(L, luaRegistryIndex, BigInt(this.#internals.memory));
    lua._lua_pcallk(L, 0, 1, 0, 0, 0);
    const kb = lua._lua_tonumberx(L, -1, 0);
    lua._lua_settop(L, 0);
    return Math.round(kb * 1024);
  }

  /**
   * Compiles a script body to a function kept in the registry.
   * @returns the registry reference, or the compile error text
   */
  compile(body: Uint8Array, chunkName: string): number | string {
    const L = this.L;
    lua._lua_rawgeti(L, luaRegistryIndex, BigInt(this.#internals.compile));
    pushBytes(L, body);
    pushText(L, chunkName);
    if (lua._lua_pcallk(L, 2, 2, 0, 0, 0) !== 0 || lua._lua_type(L, -2) !== luaType.function) {
      const why = toText(L, -1);
      lua._lua_settop(L, 0);
      return why;
    }
    lua._lua_settop(L, -2);
    return lua._luaL_ref(L, luaRegistryIndex);
  }

  /** Drops a compiled function. */
  release(ref: number): void {
    lua._luaL_unref(this.L, luaRegistryIndex, ref);
  }

  /** Sets the KEYS and ARGV globals. */
  setArgs(keys: readonly Uint8Array[], args: readonly Uint8Array[]): void {
    const L = this.L;
    lua._lua_rawgeti(L, luaRegistryIndex, BigInt(this.#internals.setArgs));
    for (const list of [keys, args]) {
      lua._lua_createtable(L, list.length, 0);
      for (let i = 0; i < list.length; i++) {
        pushBytes(L, list[i]!);
        lua._lua_rawseti(L, -2, BigInt(i + 1));
      }
    }
    lua._lua_pcallk(L, 2, 0, 0, 0, 0);
    lua._lua_settop(L, 0);
  }

  /**
   * Calls the function at registry `ref` (with `args` already set) and
   * writes its result, or its error, to `reply`.
   */
  run(ref: number, run: ScriptRun, reply: Reply, pushArgs?: () => number): void {
    const L = this.L;
    lua._lua_settop(L, 0);
    lua._lua_rawgeti(L, luaRegistryIndex, BigInt(this.#internals.errorHandler));
    lua._lua_rawgeti(L, luaRegistryIndex, BigInt(ref));
    const nargs = pushArgs === undefined ? 0 : pushArgs();
    const outer = running;
    running = run;
    let status: number;
    try {
      status = lua._lua_pcallk(L, nargs, 1, 1, 0, 0);
    } finally {
      running = outer;
    }
    if (status === 0) writeLua(L, 2, reply, run.resp);
    else reply.error(errorText(L, run.name));
    lua._lua_settop(L, 0);
  }
}

/** Redis 7's text for an error a script raised (value on top of the stack). */
function errorText(L: number, name: string): string {
  const top = lua._lua_gettop(L);
  if (lua._lua_type(L, top) !== luaType.table) return `ERR ${toText(L, top)}`;
  const err = stringField(L, top, "err");
  const msg = err === null ? "ERR unknown error" : new TextDecoder().decode(err);
  const source = stringField(L, top, "source");
  const lineType = rawField(L, top, "line");
  const line = lineType === luaType.number ? String(lua._lua_tointegerx(L, -1, 0)) : null;
  lua._lua_settop(L, top);
  if (source === null || line === null) return msg;
  return `${msg} script: ${name}, on ${new TextDecoder().decode(source)}:${line}.`;
}
