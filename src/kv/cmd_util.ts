/**
 * Shared pieces of the command handlers: the handler signature, Redis's exact
 * error texts, and argument parsing that answers the client on bad input.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry, ValueType } from "./keyspace.ts";
import { internLatin1, latin1, parseFloatStrict, parseInt64, upperAscii } from "./bytes.ts";

/** A blocking command asks the dispatcher to park the client. */
export interface BlockRequest {
  readonly keys: readonly string[];
  readonly timeoutMs: number;
  readonly timeoutReply: "nil" | "nullArray" | "zero";
}

/** A command implementation: reads `argv`, acts on the engine, writes to `client.reply`. */
export type Handler = (
  x: KvEngine,
  c: KvClient,
  argv: Uint8Array[],
) => BlockRequest | Promise<void> | void;

/** Redis's error texts, which clients match on. */
export const errors = {
  wrongType: "WRONGTYPE Operation against a key holding the wrong kind of value",
  notInteger: "ERR value is not an integer or out of range",
  notFloat: "ERR value is not a valid float",
  overflow: "ERR increment or decrement would overflow",
  syntax: "ERR syntax error",
  noSuchKey: "ERR no such key",
  indexRange: "ERR index out of range",
  nanOrInf: "ERR increment would produce NaN or Infinity",
  minMaxFloat: "ERR min or max is not a float",
  minMaxLex: "ERR min or max not valid string range item",
  timeoutFloat: "ERR timeout is not a float or out of range",
  timeoutNegative: "ERR timeout is negative",
  positive: "ERR value is out of range, must be positive",
  tooBig: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
  offsetRange: "ERR offset is out of range",
  invalidCursor: "ERR invalid cursor",
  dbRange: "ERR DB index is out of range",
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
} as const;

/** Lower-case name for messages such as "wrong number of arguments for 'get' command". */
export function commandLabel(argv: Uint8Array[]): string {
  return latin1(argv[0]!).toLowerCase();
}

/** Key argument as a latin1 string (repeated keys come back as the same string, see `internLatin1`). */
export function key(argv: Uint8Array[], i: number): string {
  return internLatin1(argv[i]!);
}

/** Upper-cased option word. */
export function opt(argv: Uint8Array[], i: number): string {
  return upperAscii(argv[i]!);
}

/** Parses an integer argument or replies the error; returns null after replying. */
export function intArg(
  c: KvClient,
  arg: Uint8Array,
  message: string = errors.notInteger,
): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.reply.error(message);
    return null;
  }
  if (typeof v === "bigint") return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  return v;
}

/**
 * Parses the count of SRANDMEMBER, HRANDFIELD and ZRANDMEMBER as Redis does:
 * within ±(2^63-1), and with `pairs` (WITHVALUES/WITHSCORES) a negative count
 * may not exceed half of that. Replies and returns null on error.
 */
export function randomCountArg(c: KvClient, arg: Uint8Array, pairs: boolean): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.reply.error(errors.notInteger);
    return null;
  }
  const big = BigInt(v);
  if (big < -int64MaxBig) {
    c.reply.error(
      "ERR value is out of range, must be between -9223372036854775807 and 9223372036854775807",
    );
    return null;
  }
  if (pairs && big < -(int64MaxBig / 2n)) {
    c.reply.error("ERR value is out of range");
    return null;
  }
  if (typeof v === "bigint") return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  return v;
}

const int64MaxBig = 9223372036854775807n;

/** Parses a float argument (no NaN) or replies the error. */
export function floatArg(
  c: KvClient,
  arg: Uint8Array,
  message: string = errors.notFloat,
): number | null {
  const v = parseFloatStrict(arg);
  if (v === null) c.reply.error(message);
  return v;
}

/**
 * The live entry of `key` if it has type `type`; undefined when missing; null
 * (after replying WRONGTYPE) when it holds another type.
 */
export function typed(
  x: KvEngine,
  c: KvClient,
  keyName: string,
  type: ValueType,
  write = false,
): Entry | undefined | null {
  const e = write ? x.lookupWrite(c.db, keyName) : x.lookupRead(c.db, keyName);
  if (e !== undefined && e.type !== type) {
    c.reply.error(errors.wrongType);
    return null;
  }
  return e;
}

/** Parses a blocking timeout in seconds (float) into ms; replies and returns null on error. */
export function timeoutArg(c: KvClient, arg: Uint8Array): number | null {
  const v = parseFloatStrict(arg);
  if (v === null || !Number.isFinite(v)) {
    c.reply.error(errors.timeoutFloat);
    return null;
  }
  if (v < 0) {
    c.reply.error(errors.timeoutNegative);
    return null;
  }
  return Math.round(v * 1000);
}

/** Clamps Redis-style start/end indexes (negative from the end) to [0, len-1]; null when empty. */
export function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/** Parses SCAN-family options (MATCH, COUNT, and TYPE when allowed); replies and returns null on error. */
export function scanOptions(
  c: KvClient,
  argv: Uint8Array[],
  from: number,
  allowType: boolean,
): { match: string | null; count: number; type: string | null } | null {
  let match: string | null = null;
  let count = 10;
  let type: string | null = null;
  for (let i = from; i < argv.length; i++) {
    const o = opt(argv, i);
    if (o === "MATCH" && i + 1 < argv.length) match = key(argv, ++i);
    else if (o === "COUNT" && i + 1 < argv.length) {
      const n = intArg(c, argv[++i]!);
      if (n === null) return null;
      if (n < 1) {
        c.reply.error(errors.syntax);
        return null;
      }
      count = n;
    } else if (allowType && o === "TYPE" && i + 1 < argv.length) {
      type = key(argv, ++i).toLowerCase();
    } else {
      c.reply.error(errors.syntax);
      return null;
    }
  }
  return { match, count, type };
}

/** Parses a SCAN cursor; replies and returns null when invalid. */
export function cursorArg(c: KvClient, arg: Uint8Array): number | null {
  const text = latin1(arg);
  if (!/^\d+$/.test(text)) {
    c.reply.error(errors.invalidCursor);
    return null;
  }
  const v = Number(text);
  return Number.isSafeInteger(v) ? v : 0;
}

/** Replies a container command's HELP text: one status line per entry. */
export function replyHelp(c: KvClient, lines: readonly string[]): void {
  c.reply.array(lines.length);
  for (const line of lines) c.reply.simple(line);
}

/** Replies Redis's "unknown subcommand or wrong number of arguments" error of `container`. */
export function subcommandArityError(c: KvClient, container: string, argv: Uint8Array[]): void {
  c.reply.error(
    `ERR unknown subcommand or wrong number of arguments for '${
      latin1(argv[1]!)
    }'. Try ${container} HELP.`,
  );
}

/**
 * Replies Redis's error for a container command (CLIENT, CONFIG, ...): wrong
 * arity for a known subcommand, or an unknown subcommand.
 */
export function subcommandError(
  c: KvClient,
  container: string,
  argv: Uint8Array[],
  known: readonly string[],
): void {
  const sub = latin1(argv[1]!);
  if (known.includes(sub.toUpperCase())) {
    c.reply.error(
      `ERR wrong number of arguments for '${container.toLowerCase()}|${sub.toLowerCase()}' command`,
    );
  } else c.reply.error(`ERR unknown subcommand '${sub}'. Try ${container} HELP.`);
}
