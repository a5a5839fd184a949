/**
 * The one adapter to the `wasmoon` package: Lua 5.4's real C code compiled
 * to WebAssembly. Scripting uses its raw C API (not wasmoon's JS bridge) so
 * strings cross byte for byte, as Redis's binary-safe strings need, and so
 * every call is synchronous: a script runs to completion inside one command.
 * The module is instantiated once per process (top-level await, ~40 ms); each
 * KV engine opens its own `lua_State` in it.
 * @module
 */
import { LuaFactory } from "wasmoon";

/** Lua type tags (lua.h). */
export const luaType = {
  none: -1,
  nil: 0,
  boolean: 1,
  lightUserdata: 2,
  number: 3,
  string: 4,
  table: 5,
  function: 6,
  userdata: 7,
  thread: 8,
} as const;

/** Pseudo-index of the registry (LUAI_MAXSTACK = 1e6). */
export const luaRegistryIndex = -1001000;
/** lua_sethook mask: call the hook every `count` instructions. */
export const luaMaskCount = 8;
/** lua_sethook mask: call the hook at every new line (and every backward jump). */
export const luaMaskLine = 4;

/** The raw exports of the Lua wasm module this file relies on. */
interface LuaExports {
  HEAPU8: Uint8Array;
  addFunction(fn: (...args: number[]) => number | void, signature: string): number;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _luaL_newstate(): number;
  _luaL_openlibs(L: number): void;
  _lua_close(L: number): void;
  _lua_gettop(L: number): number;
  _lua_settop(L: number, idx: number): void;
  _lua_pushvalue(L: number, idx: number): void;
  _lua_type(L: number, idx: number): number;
  _lua_toboolean(L: number, idx: number): number;
  _lua_isinteger(L: number, idx: number): number;
  _lua_tointegerx(L: number, idx: number, isnum: number): bigint;
  _lua_tonumberx(L: number, idx: number, isnum: number): number;
  _lua_tolstring(L: number, idx: number, len: number): number;
  _lua_rawlen(L: number, idx: number): bigint;
  _lua_pushnil(L: number): void;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pushinteger(L: number, n: bigint): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushlstring(L: number, s: number, len: number): number;
  _lua_pushcclosure(L: number, fn: number, n: number): void;
  _lua_createtable(L: number, narr: number, nrec: number): void;
  _lua_rawseti(L: number, idx: number, n: bigint): void;
  _lua_rawgeti(L: number, idx: number, n: bigint): number;
  _lua_setfield(L: number, idx: number, k: number): void;
  _lua_getfield(L: number, idx: number, k: number): number;
  _lua_rawget(L: number, idx: number): number;
  _lua_rawset(L: number, idx: number): void;
  _lua_next(L: number, idx: number): number;
  _lua_setglobal(L: number, name: number): void;
  _lua_getglobal(L: number, name: number): number;
  _lua_pcallk(L: number, nargs: number, nres: number, msgh: number, ctx: number, k: number): number;
  _lua_error(L: number): number;
  _luaL_loadbufferx(L: number, buf: number, size: number, name: number, mode: number): number;
  _luaL_ref(L: number, t: number): number;
  _luaL_unref(L: number, t: number, ref: number): void;
  _lua_sethook(L: number, fn: number, mask: number, count: number): void;
  _lua_checkstack(L: number, n: number): number;
}

const factory = new LuaFactory();
const raw: unknown = (await factory.getLuaModule()).module;
/** The Lua module's raw C API. */
export const lua = raw as LuaExports;

const encoder = new TextEncoder();
const cStrings = new Map<string, number>();

/** A NUL-terminated C string for a constant name (allocated once, kept). */
export function cString(text: string): number {
  let p = cStrings.get(text);
  if (p === undefined) {
    const bytes = encoder.encode(text);
    p = lua._malloc(bytes.length + 1);
    lua.HEAPU8.set(bytes, p);
    lua.HEAPU8[p + bytes.length] = 0;
    cStrings.set(text, p);
  }
  return p;
}

let scratch = 0;
let scratchBytes = 0;

/** A scratch buffer of at least `n` bytes in wasm memory, reused between calls. */
function scratchOf(n: number): number {
  if (n > scratchBytes) {
    if (scratch !== 0) lua._free(scratch);
    scratchBytes = Math.max(n, 256);
    scratch = lua._malloc(scratchBytes);
  }
  return scratch;
}

/** Pushes a byte string. */
export function pushBytes(L: number, bytes: Uint8Array): void {
  const p = scratchOf(bytes.length + 1);
  lua.HEAPU8.set(bytes, p);
  lua._lua_pushlstring(L, p, bytes.length);
}

/** Pushes program text as UTF-8. */
export function pushText(L: number, text: string): void {
  pushBytes(L, encoder.encode(text));
}

/** The bytes of the string (or number, converted in place) at `idx`; null for other types. */
export function toBytes(L: number, idx: number): Uint8Array | null {
  const lenPtr = scratchOf(8);
  const p = lua._lua_tolstring(L, idx, lenPtr);
  if (p === 0) return null;
  const h = lua.HEAPU8;
  const len = (h[lenPtr]! | h[lenPtr + 1]! << 8 | h[lenPtr + 2]! << 16 | h[lenPtr + 3]! << 24) >>>
    0;
  return h.slice(p, p + len);
}

const decoder = new TextDecoder();

/** The string at `idx` as text (UTF-8, lossy); "" for non-strings. */
export function toText(L: number, idx: number): string {
  const b = toBytes(L, idx);
  return b === null ? "" : decoder.decode(b);
}

/** Pushes a string and sets it as field `name` of the table at `idx` (negative idx adjusted). */
export function setField(L: number, idx: number, name: string): void {
  lua._lua_setfield(L, idx, cString(name));
}

/** Pushes field `name` of the table at `idx`; returns its type. */
export function getField(L: number, idx: number, name: string): number {
  return lua._lua_getfield(L, idx, cString(name));
}

/**
 * Loads a chunk of text (never binary) named `name` ("@user_script").
 * @returns 0 on success (the function is pushed), else an error (message pushed)
 */
export function loadChunk(L: number, body: Uint8Array, name: string): number {
  const p = lua._malloc(body.length + 1);
  try {
    lua.HEAPU8.set(body, p);
    return lua._luaL_loadbufferx(L, p, body.length, cString(name), cString("t"));
  } finally {
    lua._free(p);
  }
}

/**
 * Makes a Lua C function from `fn` (it gets the lua_State, returns the count
 * of results it pushed). Function table slots are never freed: register a
 * fixed set of functions once per process.
 */
export function cFunction(fn: (L: number) => number): number {
  return lua.addFunction(fn, "ii");
}

/** Makes a lua_Hook (called with the state and a debug record). */
export function hookFunction(fn: (L: number) => void): number {
  return lua.addFunction((L: number) => fn(L), "vii");
}
