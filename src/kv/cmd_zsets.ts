/**
 * Sorted-set commands: ZADD, scores, ranges, pops (blocking too), ranks.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";
import { type ZEntry, ZSet } from "./zset.ts";
import { fromLatin1, latin1, parseFloatStrict } from "./bytes.ts";
import {
  type BlockRequest,
  cursorArg,
  errors,
  type Handler,
  intArg,
  key,
  opt,
  randomCountArg,
  scanOptions,
  timeoutArg,
  typed,
} from "./cmd_util.ts";
import { globMatch } from "./glob.ts";
import { scanIterator } from "./keyspace.ts";
import { hashCursors, randomPick } from "./cmd_hashes.ts";
import { lexQuery, parseRange, runRange, scoreQuery } from "./zset_args.ts";
import { notifyFlags as ev } from "./notify.ts";

let nextCursor = 2_000_000_000;
const textZpopmin = fromLatin1("ZPOPMIN");
const textZpopmax = fromLatin1("ZPOPMAX");

function readZ(x: KvEngine, c: KvClient, k: string, write = false): ZSet | undefined | null {
  const e = typed(x, c, k, "zset", write);
  if (e === null) return null;
  return e === undefined ? undefined : e.value as ZSet;
}

/** After members left a sorted set: announces `event`, then deletes the key if it is empty. */
function afterRemove(x: KvEngine, c: KvClient, k: string, e: Entry, event: string): void {
  const empty = (e.value as ZSet).size === 0;
  if (empty) x.deleteKey(c.db, k);
  else x.entryChanged(c.db, k, e);
  x.notify(ev.zset, event, c.db, k);
  if (empty) x.notify(ev.generic, "del", c.db, k);
}

/** Replies entries, flat in RESP2, as [member, score] pairs in RESP3 when `pairs`. */
export function replyEntries(
  c: KvClient,
  entries: readonly ZEntry[],
  withScores: boolean,
  pairs = true,
): void {
  if (!withScores) {
    c.reply.array(entries.length);
    for (const e of entries) c.reply.bulkLatin1(e.member);
    return;
  }
  const nested = pairs && c.reply.resp === 3;
  c.reply.array(nested ? entries.length : entries.length * 2);
  for (const e of entries) {
    if (nested) c.reply.array(2);
    c.reply.bulkLatin1(e.member);
    c.reply.double(e.score);
  }
}

interface ZaddFlags {
  nx: boolean;
  xx: boolean;
  gt: boolean;
  lt: boolean;
  ch: boolean;
  incr: boolean;
}

function parseZaddFlags(argv: Uint8Array[]): [ZaddFlags, number] {
  const f: ZaddFlags = { nx: false, xx: false, gt: false, lt: false, ch: false, incr: false };
  let i = 2;
  for (; i < argv.length; i++) {
    // Flags are 2-4 letters: a score ends the flags without an upper-cased copy.
    const n = argv[i]!.length;
    if (n < 2 || n > 4) break;
    const w = opt(argv, i);
    if (w === "NX") f.nx = true;
    else if (w === "XX") f.xx = true;
    else if (w === "GT") f.gt = true;
    else if (w === "LT") f.lt = true;
    else if (w === "CH") f.ch = true;
    else if (w === "INCR") f.incr = true;
    else break;
  }
  return [f, i];
}

const zadd: Handler = (x, c, argv) => {
  const [f, first] = parseZaddFlags(argv);
  const pairs = argv.length - first;
  if (pairs === 0 || pairs % 2 !== 0) return c.reply.error(errors.syntax);
  if (f.nx && f.xx) {
    return c.reply.error("ERR XX and NX options at the same time are not compatible");
  }
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    return c.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if (f.incr && pairs > 2) {
    return c.reply.error("ERR INCR option supports a single increment-element pair");
  }
  const scores: number[] = [];
  for (let i = first; i < argv.length; i += 2) {
    const s = parseFloatStrict(argv[i]!);
    if (s === null) return c.reply.error(errors.notFloat);
    scores.push(s);
  }
  const k = key(argv, 1);
  let e = typed(x, c, k, "zset", true);
  if (e === null) return;
  if (e === undefined) {
    if (f.xx) return f.incr ? c.reply.nil() : c.reply.integer(0);
    e = x.setValue(c.db, k, "zset", new ZSet());
  }
  const z = e.value as ZSet;
  let added = 0, changed = 0;
  let result: number | null = null;
  for (let j = 0; j < scores.length; j++) {
    const m = latin1(argv[first + j * 2 + 1]!); // members skip the key cache
    const old = z.scores.get(m);
    let score = scores[j]!;
    if (old !== undefined) {
      if (f.nx) continue;
      if (f.incr) {
        score = old + score;
        if (Number.isNaN(score)) {
          if (z.size === 0) x.deleteKey(c.db, k);
          return c.reply.error("ERR resulting score is not a number (NaN)");
        }
      }
      if ((f.gt && !(score > old)) || (f.lt && !(score < old))) continue;
      result = score;
      if (score !== old) (z.replace(m, old, score), changed++);
    } else {
      if (f.xx) continue;
      z.insertNew(m, score);
      added++;
      result = score;
    }
  }
  if (z.size === 0) x.deleteKey(c.db, k);
  else if (added + changed > 0) x.entryChanged(c.db, k, e);
  if (added + changed > 0) x.notify(ev.zset, f.incr ? "zincr" : "zadd", c.db, k);
  if (f.incr) return result === null ? c.reply.nil() : c.reply.double(result);
  c.reply.integer(f.ch ? added + changed : added);
};

const zincrby: Handler = (x, c, argv) => {
  const delta = parseFloatStrict(argv[2]!);
  if (delta === null) return c.reply.error(errors.notFloat);
  const k = key(argv, 1);
  let e = typed(x, c, k, "zset", true);
  if (e === null) return;
  if (e === undefined) e = x.setValue(c.db, k, "zset", new ZSet());
  const z = e.value as ZSet;
  const m = key(argv, 3);
  const next = (z.scores.get(m) ?? 0) + delta;
  if (Number.isNaN(next)) {
    if (z.size === 0) x.deleteKey(c.db, k);
    return c.reply.error("ERR resulting score is not a number (NaN)");
  }
  z.add(m, next);
  x.entryChanged(c.db, k, e);
  x.notify(ev.zset, "zincr", c.db, k);
  c.reply.double(next);
};

const zrem: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = typed(x, c, k, "zset", true);
  if (e === null) return;
  if (e === undefined) return c.reply.integer(0);
  let n = 0;
  for (let i = 2; i < argv.length; i++) if ((e.value as ZSet).remove(key(argv, i))) n++;
  if (n > 0) afterRemove(x, c, k, e, "zrem");
  c.reply.integer(n);
};

const zscore: Handler = (x, c, argv) => {
  const z = readZ(x, c, key(argv, 1));
  if (z === null) return;
  const s = z?.scores.get(key(argv, 2));
  if (s === undefined) c.reply.nil();
  else c.reply.double(s);
};

const zmscore: Handler = (x, c, argv) => {
  const z = readZ(x, c, key(argv, 1));
  if (z === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const s = z?.scores.get(key(argv, i));
    if (s === undefined) c.reply.nil();
    else c.reply.double(s);
  }
};

const zcard: Handler = (x, c, argv) => {
  const z = readZ(x, c, key(argv, 1));
  if (z !== null) c.reply.integer(z?.size ?? 0);
};

const zcount = (lex: boolean): Handler => (x, c, argv) => {
  const q = lex ? lexQuery(c, argv[2]!, argv[3]!, false) : scoreQuery(c, argv[2]!, argv[3]!, false);
  if (q === null) return;
  const z = readZ(x, c, key(argv, 1));
  if (z !== null) c.reply.integer(runRange(z, q).length);
};

const zrange = (base: "rank" | "score" | "lex" | null, rev: boolean): Handler => (x, c, argv) => {
  const p = parseRange(c, argv, 2, base, rev, 4);
  if (p === null) return;
  const z = readZ(x, c, key(argv, 1));
  if (z === null) return;
  replyEntries(c, runRange(z, p.q), p.withScores);
};

const zrangestore: Handler = (x, c, argv) => {
  const p = parseRange(c, argv, 3, null, false, 5);
  if (p === null) return;
  if (p.withScores) return c.reply.error(errors.syntax);
  const z = readZ(x, c, key(argv, 2));
  if (z === null) return;
  const entries = runRange(z, p.q);
  const dst = key(argv, 1);
  const existed = x.deleteKey(c.db, dst);
  if (entries.length > 0) {
    const out = new ZSet();
    for (const e of entries) out.add(e.member, e.score);
    x.setValue(c.db, dst, "zset", out);
    x.notify(ev.zset, "zrangestore", c.db, dst);
  } else if (existed) x.notify(ev.generic, "del", c.db, dst);
  c.reply.integer(entries.length);
};

const zrank = (rev: boolean): Handler => (x, c, argv) => {
  const withScore = argv.length === 4 && opt(argv, 3) === "WITHSCORE";
  if (argv.length === 4 && !withScore) return c.reply.error(errors.syntax);
  const z = readZ(x, c, key(argv, 1));
  if (z === null) return;
  const m = key(argv, 2);
  const r = z === undefined ? -1 : z.rank(m);
  if (r < 0) return withScore ? c.reply.nullArray() : c.reply.nil();
  const rank = rev ? z!.size - 1 - r : r;
  if (!withScore) return c.reply.integer(rank);
  c.reply.array(2);
  c.reply.integer(rank);
  c.reply.double(z!.scores.get(m)!);
};

const zremrange = (mode: "rank" | "score" | "lex"): Handler => (x, c, argv) => {
  const p = parseRange(c, argv, 2, mode, false, 4);
  if (p === null) return;
  const k = key(argv, 1);
  const e = typed(x, c, k, "zset", true);
  if (e === null) return;
  const entries = runRange(e?.value as ZSet | undefined, p.q);
  if (e === undefined || entries.length === 0) return c.reply.integer(0);
  for (const en of entries) (e.value as ZSet).remove(en.member);
  afterRemove(x, c, k, e, `zremrangeby${mode}`);
  c.reply.integer(entries.length);
};

function popFrom(z: ZSet, max: boolean, count: number): ZEntry[] {
  const out: ZEntry[] = [];
  while (out.length < count && z.size > 0) {
    const en = z.at(max ? z.size - 1 : 0)!;
    z.remove(en.member);
    out.push(en);
  }
  return out;
}

const zpop = (max: boolean): Handler => (x, c, argv) => {
  let count = 1;
  if (argv.length > 3) return c.reply.error(errors.syntax);
  if (argv.length === 3) {
    const n = intArg(c, argv[2]!);
    if (n === null) return;
    if (n < 0) return c.reply.error(errors.positive);
    count = n;
  }
  const k = key(argv, 1);
  const e = typed(x, c, k, "zset", true);
  if (e === null) return;
  if (e === undefined) return c.reply.array(0);
  const out = popFrom(e.value as ZSet, max, count);
  replyEntries(c, out, true, argv.length === 3);
  if (out.length > 0) afterRemove(x, c, k, e, max ? "zpopmax" : "zpopmin");
};

const bzpop = (max: boolean): Handler => (x, c, argv) => {
  const timeoutMs = timeoutArg(c, argv[argv.length - 1]!);
  if (timeoutMs === null) return;
  const keys: string[] = [];
  for (let i = 1; i < argv.length - 1; i++) keys.push(key(argv, i));
  for (let i = 0; i < keys.length; i++) {
    const e = typed(x, c, keys[i]!, "zset", true);
    if (e === null) return;
    if (e === undefined) continue;
    const en = popFrom(e.value as ZSet, max, 1)[0]!;
    c.reply.array(3);
    c.reply.bulk(argv[i + 1]!);
    c.reply.bulkLatin1(en.member);
    c.reply.double(en.score);
    afterRemove(x, c, keys[i]!, e, max ? "zpopmax" : "zpopmin");
    x.propagate(c.db, [max ? textZpopmax : textZpopmin, argv[i + 1]!]);
    return;
  }
  if (x.noBlock) return c.reply.nullArray();
  return { keys, timeoutMs, timeoutReply: "nullArray" } satisfies BlockRequest;
};

const zrandmember: Handler = (x, c, argv) => {
  let count: number | null = null;
  let withScores = false;
  if (argv.length >= 3) {
    if (argv.length === 4 && opt(argv, 3) === "WITHSCORES") withScores = true;
    else if (argv.length > 3) return c.reply.error(errors.syntax);
    count = randomCountArg(c, argv[2]!, withScores);
    if (count === null) return;
  }
  const z = readZ(x, c, key(argv, 1));
  if (z === null) return;
  if (z === undefined) return count === null ? c.reply.nil() : c.reply.array(0);
  const picked = randomPick([...z.entries()], count ?? 1, x.random);
  if (count === null) return c.reply.bulkLatin1(picked[0]!.member);
  replyEntries(c, picked, withScores);
};

const zscan: Handler = (x, c, argv) => {
  const cursor = cursorArg(c, argv[2]!);
  if (cursor === null) return;
  const o = scanOptions(c, argv, 3, false);
  if (o === null) return;
  const z = readZ(x, c, key(argv, 1));
  if (z === null) return;
  const scores = z?.scores ?? new Map<string, number>();
  const step = scanIterator(hashCursors, cursor, o.count, () => scores.keys(), () => nextCursor++);
  const out = step.keys.filter((m) => scores.has(m) && (o.match === null || globMatch(o.match, m)));
  c.reply.array(2);
  c.reply.bulkLatin1(String(step.next));
  c.reply.array(out.length * 2);
  for (const m of out) {
    c.reply.bulkLatin1(m);
    c.reply.double(scores.get(m)!);
  }
};

/** Sorted-set command handlers by lower-case name (the set algebra is in cmd_zsetops.ts). */
export const zsetHandlers: Record<string, Handler> = {
  zadd,
  zincrby,
  zrem,
  zscore,
  zmscore,
  zcard,
  zcount: zcount(false),
  zlexcount: zcount(true),
  zrange: zrange(null, false),
  zrangebyscore: zrange("score", false),
  zrevrangebyscore: zrange("score", true),
  zrangebylex: zrange("lex", false),
  zrevrangebylex: zrange("lex", true),
  zrevrange: zrange("rank", true),
  zrangestore,
  zrank: zrank(false),
  zrevrank: zrank(true),
  zremrangebyrank: zremrange("rank"),
  zremrangebyscore: zremrange("score"),
  zremrangebylex: zremrange("lex"),
  zpopmin: zpop(false),
  zpopmax: zpop(true),
  bzpopmin: bzpop(false),
  bzpopmax: bzpop(true),
  zrandmember,
  zscan,
};
