/**
 * Redis's conversion rules between replies and Lua values, both ways
 * (https://redis.io/docs/interact/programmability/lua-api/): integers stay
 * integers, bulk strings become strings, a nil bulk becomes false, a status
 * {ok=...}, an error {err=...}; back, numbers truncate to integers, true is
 * 1, false nil, and a table is an array up to its first nil unless it holds
 * `ok`/`err` (or, under RESP3, `map`/`set`/`double`/`big_number`).
 * @module
 */
import type { Reply } from "./reply.ts";
import type { RespValue } from "./script_capture.ts";
import { fromLatin1, latin1 } from "./bytes.ts";
import { lua, luaType, pushBytes, pushText, setField, toBytes } from "./lua_wasm.ts";

/** How deep a reply or a returned table may nest before conversion stops. */
export const nestingMax = 1000;

/**
 * Pushes `{err = text}` (what redis.pcall returns and redis.call raises),
 * marked as already counted in errorstats when `counted`.
 */
export function pushErrorTable(L: number, text: string, counted = false): void {
  lua._lua_createtable(L, 0, 2);
  pushBytes(L, fromLatin1(text));
  setField(L, -2, "err");
  if (!counted) return;
  lua._lua_pushboolean(L, 1);
  setField(L, -2, "ignore_error_stats_update");
}

/** Whether the table at absolute `idx` is an error already counted in errorstats. */
export function errorCounted(L: number, idx: number): boolean {
  const t = rawField(L, idx, "ignore_error_stats_update");
  const counted = t === luaType.boolean && lua._lua_toboolean(L, -1) !== 0;
  lua._lua_settop(L, -2);
  return counted;
}

/** Set when `writeLua` last wrote an error that was already counted. */
export let wroteCountedError = false;

function pushItems(L: number, items: readonly RespValue[]): void {
  lua._lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushResp(L, items[i]!);
    lua._lua_rawseti(L, -2, BigInt(i + 1));
  }
}

/** Pushes a command's reply as Lua sees it. */
export function pushResp(L: number, v: RespValue): void {
  lua._lua_checkstack(L, 4);
  switch (v.kind) {
    case "status":
      lua._lua_createtable(L, 0, 1);
      pushBytes(L, fromLatin1(v.text));
      return setField(L, -2, "ok");
    case "error":
      return pushErrorTable(L, v.text);
    case "integer":
      return lua._lua_pushinteger(L, BigInt(v.value));
    case "bulk":
      return pushBytes(L, v.bytes);
    case "null":
    case "nullArray":
      return lua._lua_pushboolean(L, 0);
    case "none":
      return lua._lua_pushnil(L);
    case "array":
      return pushItems(L, v.items);
    case "set":
      lua._lua_createtable(L, 0, 1);
      lua._lua_createtable(L, 0, v.items.length);
      for (const item of v.items) {
        pushResp(L, item);
        lua._lua_pushboolean(L, 1);
        lua._lua_rawset(L, -3);
      }
      return setField(L, -2, "set");
    case "map":
      lua._lua_createtable(L, 0, 1);
      lua._lua_createtable(L, 0, v.items.length / 2);
      for (let i = 0; i + 1 < v.items.length; i += 2) {
        pushResp(L, v.items[i]!);
        pushResp(L, v.items[i + 1]!);
        lua._lua_rawset(L, -3);
      }
      return setField(L, -2, "map");
    case "double":
      lua._lua_createtable(L, 0, 1);
      lua._lua_pushnumber(L, v.value);
      return setField(L, -2, "double");
    case "bool":
      return lua._lua_pushboolean(L, v.value ? 1 : 0);
    case "bigNumber":
      lua._lua_createtable(L, 0, 1);
      pushText(L, v.digits);
      return setField(L, -2, "big_number");
    case "verbatim":
      lua._lua_createtable(L, 0, 1);
      lua._lua_createtable(L, 0, 2);
      pushText(L, v.text);
      setField(L, -2, "string");
      pushText(L, "txt");
      setField(L, -2, "format");
      return setField(L, -2, "verbatim_string");
    default:
      return assertNeverValue(v);
  }
}

function assertNeverValue(v: never): never {
  throw new Error(`Unknown reply kind ${JSON.stringify(v)}`);
}

/**
 * Pushes field `name` of the table at absolute `idx` without metamethods
 * (a script's table may have an __index that raises, outside any pcall).
 */
export function rawField(L: number, idx: number, name: string): number {
  pushText(L, name);
  return lua._lua_rawget(L, idx);
}

/** The text of string field `name` of the table at `idx`, or null when absent or not a string. */
export function stringField(L: number, idx: number, name: string): Uint8Array | null {
  const t = rawField(L, idx, name);
  const out = t === luaType.string ? toBytes(L, -1) : null;
  lua._lua_settop(L, -2);
  return out;
}

const safeMax = BigInt(Number.MAX_SAFE_INTEGER);

/** Lua number at `idx` as Redis replies it: an integer, floats truncated toward zero. */
function numberReply(L: number, idx: number): number | bigint {
  if (lua._lua_isinteger(L, idx) !== 0) {
    const b = lua._lua_tointegerx(L, idx, 0);
    return b >= -safeMax && b <= safeMax ? Number(b) : b;
  }
  const n = Math.trunc(lua._lua_tonumberx(L, idx, 0));
  if (!Number.isFinite(n)) return n > 0 ? 9223372036854775807n : -9223372036854775808n;
  return Number.isSafeInteger(n) ? n : BigInt(n);
}

/**
 * Writes the Lua value at `idx` (absolute) as a reply; `resp` is the
 * script's protocol (redis.setresp), which decides whether RESP3-only forms
 * (maps, sets, doubles, booleans) are recognised.
 */
export function writeLua(L: number, idx: number, reply: Reply, resp: 2 | 3, depth = 0): void {
  if (depth === 0) wroteCountedError = false;
  if (depth > nestingMax) return reply.error("ERR reached lua stack limit");
  lua._lua_checkstack(L, 4);
  switch (lua._lua_type(L, idx)) {
    case luaType.string:
      return reply.bulk(toBytes(L, idx)!);
    case luaType.number:
      return reply.integer(numberReply(L, idx));
    case luaType.boolean: {
      const b = lua._lua_toboolean(L, idx) !== 0;
      if (resp === 3) return reply.bool(b);
      return b ? reply.integer(1) : reply.nil();
    }
    case luaType.table:
      return writeTable(L, idx, reply, resp, depth);
    default:
      return reply.nil();
  }
}

function writeTable(L: number, idx: number, reply: Reply, resp: 2 | 3, depth: number): void {
  const err = stringField(L, idx, "err");
  if (err !== null) {
    if (depth === 0) wroteCountedError = errorCounted(L, idx);
    return reply.error(err.length === 0 ? "ERR" : latin1Text(err));
  }
  const ok = stringField(L, idx, "ok");
  if (ok !== null) return reply.simple(latin1Text(ok).replace(/[\r\n]/g, " "));
  // As Redis: the typed forms are read whatever redis.setresp chose; the client's protocol frames them.
  if (writeResp3Table(L, idx, reply, depth)) return;
  let n = 0;
  while (lua._lua_rawgeti(L, idx, BigInt(n + 1)) !== luaType.nil) {
    lua._lua_settop(L, -2);
    n++;
  }
  lua._lua_settop(L, -2);
  reply.array(n);
  for (let i = 1; i <= n; i++) {
    lua._lua_rawgeti(L, idx, BigInt(i));
    writeLua(L, lua._lua_gettop(L), reply, resp, depth + 1);
    lua._lua_settop(L, -2);
  }
}

/** RESP3 forms: {map={...}}, {set={...}}, {double=n}, {big_number="..."}; false when none. */
function writeResp3Table(L: number, idx: number, reply: Reply, depth: number): boolean {
  if (rawField(L, idx, "double") === luaType.number) {
    reply.double(lua._lua_tonumberx(L, -1, 0));
    lua._lua_settop(L, -2);
    return true;
  }
  lua._lua_settop(L, -2);
  const big = stringField(L, idx, "big_number");
  if (big !== null) {
    // As Redis: CR and LF cannot be part of the number's line, so they become spaces.
    reply.bigNumber(latin1(big).replace(/[\r\n]/g, " "));
    return true;
  }
  if (rawField(L, idx, "verbatim_string") === luaType.table) {
    const text = stringField(L, lua._lua_gettop(L), "string");
    lua._lua_settop(L, -2);
    if (text !== null) {
      reply.verbatim(new TextDecoder().decode(text));
      return true;
    }
  } else lua._lua_settop(L, -2);
  for (const form of ["map", "set"] as const) {
    if (rawField(L, idx, form) !== luaType.table) {
      lua._lua_settop(L, -2);
      continue;
    }
    const t = lua._lua_gettop(L);
    let count = 0;
    lua._lua_pushnil(L);
    while (lua._lua_next(L, t) !== 0) {
      count++;
      lua._lua_settop(L, -2);
    }
    if (form === "map") reply.map(count);
    else reply.set(count);
    lua._lua_pushnil(L);
    while (lua._lua_next(L, t) !== 0) {
      writeLua(L, lua._lua_gettop(L) - 1, reply, 3, depth + 1);
      if (form === "map") writeLua(L, lua._lua_gettop(L), reply, 3, depth + 1);
      lua._lua_settop(L, -2);
    }
    lua._lua_settop(L, -2);
    return true;
  }
  return false;
}

/** Bytes as a one-char-per-byte string (error and status texts). */
function latin1Text(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
