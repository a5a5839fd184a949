/**
 * The multi-key pops of Redis 7: LMPOP/BLMPOP and ZMPOP/BZMPOP. They pop up
 * to COUNT items from the first non-empty key of a list, reply
 * `[key, items]`, and are propagated to the WAL as the LPOP/RPOP/ZPOPMIN/
 * ZPOPMAX with a count they amount to, as Redis propagates them.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";
import type { Deque } from "./deque.ts";
import type { ZSet } from "./zset.ts";
import { fromLatin1, intBytes, parseInt64 } from "./bytes.ts";
import {
  type BlockRequest,
  errors,
  type Handler,
  key,
  opt,
  timeoutArg,
  typed,
} from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";

const numkeysError = "ERR numkeys should be greater than 0";
const countError = "ERR count should be greater than 0";

/** Parses a positive integer as Redis's getRangeLong (1..LONG_MAX); replies `message` otherwise. */
function positiveArg(c: KvClient, arg: Uint8Array, message: string): number | null {
  const v = parseInt64(arg);
  if (v === null || v < 1) {
    c.reply.error(message);
    return null;
  }
  return typeof v === "bigint" ? Number.MAX_SAFE_INTEGER : v;
}

interface MpopArgs {
  readonly keys: readonly string[];
  /** Index in argv of the first key. */
  readonly first: number;
  /** LEFT / MIN. */
  readonly head: boolean;
  readonly count: number;
}

/** Parses `numkeys key... <where> [COUNT n]` from `at`; replies and returns null on error. */
function parseMpop(
  c: KvClient,
  argv: Uint8Array[],
  at: number,
  sides: readonly [string, string],
): MpopArgs | null {
  const n = positiveArg(c, argv[at]!, numkeysError);
  if (n === null) return null;
  const whereAt = at + n + 1;
  if (whereAt >= argv.length) return (c.reply.error(errors.syntax), null);
  const where = opt(argv, whereAt);
  if (where !== sides[0] && where !== sides[1]) return (c.reply.error(errors.syntax), null);
  let count = -1;
  for (let i = whereAt + 1; i < argv.length; i++) {
    if (count === -1 && opt(argv, i) === "COUNT" && i + 1 < argv.length) {
      count = positiveArg(c, argv[++i]!, countError) ?? -2;
      if (count === -2) return null;
    } else return (c.reply.error(errors.syntax), null);
  }
  const keys: string[] = [];
  for (let i = at + 1; i <= at + n; i++) keys.push(key(argv, i));
  return { keys, first: at + 1, head: where === sides[0], count: count === -1 ? 1 : count };
}

/** After a pop: announces `event` of class `type`, then deletes the key if it is empty. */
function afterRemove(
  x: KvEngine,
  c: KvClient,
  k: string,
  e: Entry,
  size: number,
  type: number,
  event: string,
): void {
  if (size === 0) x.deleteKey(c.db, k);
  else x.entryChanged(c.db, k, e);
  x.notify(type, event, c.db, k);
  if (size === 0) x.notify(ev.generic, "del", c.db, k);
}

const textLpop = fromLatin1("LPOP");
const textRpop = fromLatin1("RPOP");
const textZpopmin = fromLatin1("ZPOPMIN");
const textZpopmax = fromLatin1("ZPOPMAX");

/** Pops from the first non-empty list; false when every key is empty (nothing replied). */
function popLists(x: KvEngine, c: KvClient, argv: Uint8Array[], a: MpopArgs): boolean | null {
  for (let i = 0; i < a.keys.length; i++) {
    const k = a.keys[i]!;
    const e = typed(x, c, k, "list", true);
    if (e === null) return null;
    if (e === undefined) continue;
    const d = e.value as Deque;
    const n = Math.min(a.count, d.length);
    c.reply.array(2);
    c.reply.bulk(argv[a.first + i]!);
    c.reply.array(n);
    for (let j = 0; j < n; j++) c.reply.bulkLatin1((a.head ? d.popFront() : d.popBack())!);
    afterRemove(x, c, k, e, d.length, ev.list, a.head ? "lpop" : "rpop");
    x.propagate(c.db, [a.head ? textLpop : textRpop, argv[a.first + i]!, intBytes(n)]);
    return true;
  }
  return false;
}

/** Pops from the first non-empty sorted set; false when every key is empty. */
function popZsets(x: KvEngine, c: KvClient, argv: Uint8Array[], a: MpopArgs): boolean | null {
  for (let i = 0; i < a.keys.length; i++) {
    const k = a.keys[i]!;
    const e = typed(x, c, k, "zset", true);
    if (e === null) return null;
    if (e === undefined) continue;
    const z = e.value as ZSet;
    const n = Math.min(a.count, z.size);
    c.reply.array(2);
    c.reply.bulk(argv[a.first + i]!);
    c.reply.array(n);
    for (let j = 0; j < n; j++) {
      const en = z.at(a.head ? 0 : z.size - 1)!;
      z.remove(en.member);
      c.reply.array(2);
      c.reply.bulkLatin1(en.member);
      c.reply.double(en.score);
    }
    afterRemove(x, c, k, e, z.size, ev.zset, a.head ? "zpopmin" : "zpopmax");
    x.propagate(c.db, [a.head ? textZpopmin : textZpopmax, argv[a.first + i]!, intBytes(n)]);
    return true;
  }
  return false;
}

type Popper = typeof popLists;

const mpop =
  (pop: Popper, sides: readonly [string, string], blocking: boolean): Handler => (x, c, argv) => {
    const a = parseMpop(c, argv, blocking ? 2 : 1, sides);
    if (a === null) return;
    let timeoutMs = 0;
    if (blocking) {
      const t = timeoutArg(c, argv[1]!);
      if (t === null) return;
      timeoutMs = t;
    }
    const done = pop(x, c, argv, a);
    if (done !== false) return;
    if (!blocking || c.multi !== null || x.noBlock) return c.reply.nullArray();
    return { keys: a.keys, timeoutMs, timeoutReply: "nullArray" } satisfies BlockRequest;
  };

const listSides = ["LEFT", "RIGHT"] as const;
const zsetSides = ["MIN", "MAX"] as const;

/** Multi-key pop handlers by lower-case name. */
export const mpopHandlers: Record<string, Handler> = {
  lmpop: mpop(popLists, listSides, false),
  blmpop: mpop(popLists, listSides, true),
  zmpop: mpop(popZsets, zsetSides, false),
  bzmpop: mpop(popZsets, zsetSides, true),
};
