/**
 * One engine's Lua VM: the `lua_State` with Redis's libraries and sandbox
 * (host functions in script_host.ts), compiling scripts and libraries, and running a compiled
 * script to completion with the error formatting of Redis 7
 * ("ERR user_script:1: ... script: <sha>, on @user_script:1.").
 * @module
 */
import type { Reply } from "./reply.ts";
import {
  cString,
  getField,
  loadChunk,
  lua,
  luaMaskCount,
  luaRegistryIndex,
  luaType,
  pushBytes,
  pushText,
  toText,
} from "./lua_wasm.ts";
import {
  hookInstructions,
  redisLibrarySource,
  registerHost,
  timeLimitHook,
  whileLoading,
  whileRunning,
} from "./script_host.ts";
import { preludeSource } from "./lua_prelude.ts";
import { cjsonSource } from "./lua_cjson.ts";
import { cmsgpackSource } from "./lua_cmsgpack.ts";
import {
  errorCounted,
  rawField,
  stringField,
  writeLua,
  wroteCountedError,
} from "./script_convert.ts";
import type { ScriptRun } from "./script_call.ts";

/** Registry references of the prelude's internal functions. */
interface Internals {
  readonly compile: number;
  readonly globals: number;
  readonly errorHandler: number;
  readonly memory: number;
  readonly loadLibrary: number;
  readonly collect: number;
}

/**
 * Scripts run between two full garbage collections: globals are read-only,
 * so little survives a script and a collection is cheap; it keeps a VM that
 * runs many small scripts near its live size (Redis steps its GC likewise).
 */
const runsPerCollection = 100;

/** A function a library registered. */
export interface RegisteredFunction {
  readonly name: string;
  /** Registry reference of the callback. */
  readonly ref: number;
  readonly flags: readonly string[];
  readonly description: string | null;
}

/** Runs a chunk of the VM's own setup; a failure there is a bug. */
function runSetup(L: number, source: string, name: string, results: number): void {
  const status = loadChunk(L, new TextEncoder().encode(source), name);
  if (status !== 0 || lua._lua_pcallk(L, 0, results, 0, 0, 0) !== 0) {
    throw new Error(`Lua VM setup failed in ${name}: ${toText(L, -1)}`);
  }
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
  #runs = 0;

  constructor() {
    const L = lua._luaL_newstate();
    this.L = L;
    lua._luaL_openlibs(L);
    registerHost(L);
    runSetup(L, redisLibrarySource, "=redis", 0);
    runSetup(L, cjsonSource, "=cjson", 0);
    runSetup(L, cmsgpackSource, "=cmsgpack", 0);
    runSetup(L, preludeSource, "=prelude", 1);
    this.#internals = {
      compile: refField(L, "compile"),
      globals: refField(L, "globals"),
      errorHandler: refField(L, "error_handler"),
      memory: refField(L, "memory"),
      loadLibrary: refField(L, "load_library"),
      collect: refField(L, "collect"),
    };
    lua._lua_settop(L, 0);
    lua._lua_sethook(L, timeLimitHook, luaMaskCount, hookInstructions);
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

  /**
   * Runs a library's body (FUNCTION LOAD) and keeps the functions it
   * registered.
   * @returns the functions, or an error reply text
   */
  loadLibrary(body: Uint8Array, timer: () => number): RegisteredFunction[] | string {
    const L = this.L;
    lua._lua_settop(L, 0);
    lua._lua_rawgeti(L, luaRegistryIndex, BigInt(this.#internals.loadLibrary));
    pushBytes(L, body);
    pushText(L, "@user_function");
    const status = whileLoading(timer, () => lua._lua_pcallk(L, 2, 2, 0, 0, 0));
    if (status !== 0 || lua._lua_type(L, 1) !== luaType.table) {
      const why = lua._lua_type(L, -1) === luaType.table ? errorText(L, null) : toText(L, -1);
      lua._lua_settop(L, 0);
      return why.startsWith("ERR ") ? why : `ERR ${why}`;
    }
    const out: RegisteredFunction[] = [];
    for (let i = 1; lua._lua_rawgeti(L, 1, BigInt(i)) === luaType.table; i++) {
      const entry = lua._lua_gettop(L);
      out.push(this.#registered(entry));
      lua._lua_settop(L, entry - 1);
    }
    lua._lua_settop(L, 0);
    return out;
  }

  /** Reads one {name, callback, flags, description} entry at `entry`. */
  #registered(entry: number): RegisteredFunction {
    const L = this.L;
    const name = new TextDecoder().decode(stringField(L, entry, "name") ?? new Uint8Array());
    const description = stringField(L, entry, "description");
    const flags: string[] = [];
    rawField(L, entry, "flags");
    const flagTable = lua._lua_gettop(L);
    for (let j = 1; lua._lua_rawgeti(L, flagTable, BigInt(j)) === luaType.string; j++) {
      flags.push(toText(L, -1));
      lua._lua_settop(L, -2);
    }
    lua._lua_settop(L, flagTable - 1);
    rawField(L, entry, "callback");
    const ref = lua._luaL_ref(L, luaRegistryIndex);
    return {
      name,
      ref,
      flags,
      description: description === null ? null : new TextDecoder().decode(description),
    };
  }

  /** Drops a compiled function. */
  release(ref: number): void {
    lua._luaL_unref(this.L, luaRegistryIndex, ref);
  }

  /** Pushes a table of strings (a function's KEYS or ARGV argument). */
  pushList(list: readonly Uint8Array[]): void {
    const L = this.L;
    lua._lua_createtable(L, list.length, 0);
    for (let i = 0; i < list.length; i++) {
      pushBytes(L, list[i]!);
      lua._lua_rawseti(L, -2, BigInt(i + 1));
    }
  }

  /** Sets the KEYS and ARGV globals (raw sets into the table behind them). */
  setArgs(keys: readonly Uint8Array[], args: readonly Uint8Array[]): void {
    const L = this.L;
    lua._lua_rawgeti(L, luaRegistryIndex, BigInt(this.#internals.globals));
    // A plain table (no metatable): setfield is a raw set here.
    this.pushList(keys);
    lua._lua_setfield(L, -2, cString("KEYS"));
    this.pushList(args);
    lua._lua_setfield(L, -2, cString("ARGV"));
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
    const status = whileRunning(run, () => lua._lua_pcallk(L, nargs, 1, 1, 0, 0));
    // A killed script's hook ran at every line (see script_host.ts): back to the count hook.
    if (run.killed) lua._lua_sethook(L, timeLimitHook, luaMaskCount, hookInstructions);
    if (run.stopping === true) {
      // SHUTDOWN NOSAVE stopped it: Redis exits there, so its caller gets no reply.
      run.caller.transport.closeAfterReply();
    } else if (status === 0) {
      writeLua(L, 2, reply, run.resp);
      if (wroteCountedError) run.x.errorCounted = true;
    } else {
      const top = lua._lua_gettop(L);
      if (lua._lua_type(L, top) === luaType.table && errorCounted(L, top)) {
        run.x.errorCounted = true;
      }
      reply.error(errorText(L, run.name));
    }
    lua._lua_settop(L, 0);
    if (++this.#runs % runsPerCollection === 0) {
      lua._lua_rawgeti(L, luaRegistryIndex, BigInt(this.#internals.collect));
      lua._lua_pcallk(L, 0, 0, 0, 0, 0);
      lua._lua_settop(L, 0);
    }
  }
}

/** Redis 7's text for an error a script raised (value on top of the stack). */
function errorText(L: number, name: string | null): string {
  const top = lua._lua_gettop(L);
  if (lua._lua_type(L, top) !== luaType.table) return `ERR ${toText(L, top)}`;
  const err = stringField(L, top, "err");
  const msg = err === null ? "ERR unknown error" : new TextDecoder().decode(err);
  const source = stringField(L, top, "source");
  const lineType = rawField(L, top, "line");
  const line = lineType === luaType.number ? String(lua._lua_tointegerx(L, -1, 0)) : null;
  lua._lua_settop(L, top);
  if (source === null || line === null || name === null) return msg;
  return `${msg} script: ${name}, on ${new TextDecoder().decode(source)}:${line}.`;
}
