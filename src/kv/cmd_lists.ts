/**
 * List commands, including the blocking pops.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";
import { Deque } from "./deque.ts";
import { fromLatin1, latin1 } from "./bytes.ts";
import {
  type BlockRequest,
  clampRange,
  errors,
  type Handler,
  intArg,
  key,
  opt,
  timeoutArg,
  typed,
} from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";

const textLpop = fromLatin1("LPOP");
const textRpop = fromLatin1("RPOP");
const textLmove = fromLatin1("LMOVE");
const textLeft = fromLatin1("LEFT");
const textRight = fromLatin1("RIGHT");

/** After elements left a list: announces `event`, then deletes the key if it is empty. */
function afterRemove(x: KvEngine, c: KvClient, k: string, e: Entry, event: string): void {
  const empty = (e.value as Deque).length === 0;
  if (empty) x.deleteKey(c.db, k);
  else x.entryChanged(c.db, k, e);
  x.notify(ev.list, event, c.db, k);
  if (empty) x.notify(ev.generic, "del", c.db, k);
}

const push = (left: boolean, onlyExisting: boolean): Handler => (x, c, argv) => {
  const k = key(argv, 1);
  let e = typed(x, c, k, "list", true);
  if (e === null) return;
  if (e === undefined) {
    if (onlyExisting) return c.reply.integer(0);
    e = x.setValue(c.db, k, "list", new Deque());
  }
  const d = e.value as Deque;
  for (let i = 2; i < argv.length; i++) {
    if (left) d.pushFront(latin1(argv[i]!));
    else d.pushBack(latin1(argv[i]!));
  }
  x.entryChanged(c.db, k, e);
  x.notify(ev.list, left ? "lpush" : "rpush", c.db, k);
  c.reply.integer(d.length);
};

const pop = (left: boolean): Handler => (x, c, argv) => {
  let count = -1;
  if (argv.length > 3) {
    return c.reply.error(`ERR wrong number of arguments for '${left ? "lpop" : "rpop"}' command`);
  }
  if (argv.length === 3) {
    const n = intArg(c, argv[2]!, errors.positive);
    if (n === null) return;
    if (n < 0) return c.reply.error(errors.positive);
    count = n;
  }
  const k = key(argv, 1);
  const e = typed(x, c, k, "list", true);
  if (e === null) return;
  if (e === undefined) return count === -1 ? c.reply.nil() : c.reply.nullArray();
  const d = e.value as Deque;
  if (count === -1) {
    c.reply.bulkLatin1((left ? d.popFront() : d.popBack())!);
  } else {
    const n = Math.min(count, d.length);
    c.reply.array(n);
    for (let i = 0; i < n; i++) c.reply.bulkLatin1((left ? d.popFront() : d.popBack())!);
    if (n === 0) return;
  }
  afterRemove(x, c, k, e, left ? "lpop" : "rpop");
};

const lrange: Handler = (x, c, argv) => {
  const start = intArg(c, argv[2]!);
  if (start === null) return;
  const end = intArg(c, argv[3]!);
  if (end === null) return;
  const e = typed(x, c, key(argv, 1), "list");
  if (e === null) return;
  if (e === undefined) return c.reply.array(0);
  const d = e.value as Deque;
  const r = clampRange(start, end, d.length);
  if (r === null) return c.reply.array(0);
  c.reply.array(r[1] - r[0] + 1);
  for (let i = r[0]; i <= r[1]; i++) c.reply.bulkLatin1(d.at(i)!);
};

const llen: Handler = (x, c, argv) => {
  const e = typed(x, c, key(argv, 1), "list");
  if (e === null) return;
  c.reply.integer(e === undefined ? 0 : (e.value as Deque).length);
};

const lindex: Handler = (x, c, argv) => {
  const i = intArg(c, argv[2]!);
  if (i === null) return;
  const e = typed(x, c, key(argv, 1), "list");
  if (e === null) return;
  if (e === undefined) return c.reply.nil();
  const d = e.value as Deque;
  const v = d.at(i < 0 ? d.length + i : i);
  if (v === undefined) c.reply.nil();
  else c.reply.bulkLatin1(v);
};

const lset: Handler = (x, c, argv) => {
  const i = intArg(c, argv[2]!);
  if (i === null) return;
  const k = key(argv, 1);
  const e = typed(x, c, k, "list", true);
  if (e === null) return;
  if (e === undefined) return c.reply.error(errors.noSuchKey);
  const d = e.value as Deque;
  const at = i < 0 ? d.length + i : i;
  if (at < 0 || at >= d.length) return c.reply.error(errors.indexRange);
  d.setAt(at, latin1(argv[3]!));
  x.entryChanged(c.db, k, e);
  x.notify(ev.list, "lset", c.db, k);
  c.reply.ok();
};

const lrem: Handler = (x, c, argv) => {
  const count = intArg(c, argv[2]!);
  if (count === null) return;
  const k = key(argv, 1);
  const e = typed(x, c, k, "list", true);
  if (e === null) return;
  if (e === undefined) return c.reply.integer(0);
  const d = e.value as Deque;
  const items = d.toArray();
  const target = latin1(argv[3]!);
  let removed = 0;
  const limit = count === 0 ? Infinity : Math.abs(count);
  const keep: boolean[] = items.map(() => true);
  if (count >= 0) {
    for (let i = 0; i < items.length && removed < limit; i++) {
      if (items[i] === target) (keep[i] = false, removed++);
    }
  } else {
    for (let i = items.length - 1; i >= 0 && removed < limit; i--) {
      if (items[i] === target) (keep[i] = false, removed++);
    }
  }
  if (removed > 0) {
    d.replace(items.filter((_, i) => keep[i]));
    afterRemove(x, c, k, e, "lrem");
  }
  c.reply.integer(removed);
};

const ltrim: Handler = (x, c, argv) => {
  const start = intArg(c, argv[2]!);
  if (start === null) return;
  const end = intArg(c, argv[3]!);
  if (end === null) return;
  const k = key(argv, 1);
  const e = typed(x, c, k, "list", true);
  if (e === null) return;
  if (e === undefined) return c.reply.ok();
  const d = e.value as Deque;
  const r = clampRange(start, end, d.length);
  if (r === null) d.replace([]);
  else if (r[0] !== 0 || r[1] !== d.length - 1) d.replace(d.slice(r[0], r[1]));
  else return c.reply.ok();
  afterRemove(x, c, k, e, "ltrim");
  c.reply.ok();
};

const linsert: Handler = (x, c, argv) => {
  const where = opt(argv, 2);
  if (where !== "BEFORE" && where !== "AFTER") return c.reply.error(errors.syntax);
  const k = key(argv, 1);
  const e = typed(x, c, k, "list", true);
  if (e === null) return;
  if (e === undefined) return c.reply.integer(0);
  const d = e.value as Deque;
  const items = d.toArray();
  const pivot = latin1(argv[3]!);
  const i = items.findIndex((v) => v === pivot);
  if (i < 0) return c.reply.integer(-1);
  items.splice(where === "BEFORE" ? i : i + 1, 0, latin1(argv[4]!));
  d.replace(items);
  x.entryChanged(c.db, k, e);
  x.notify(ev.list, "linsert", c.db, k);
  c.reply.integer(d.length);
};

const lpos: Handler = (x, c, argv) => {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let i = 3; i < argv.length; i++) {
    const w = opt(argv, i);
    if (i + 1 >= argv.length) return c.reply.error(errors.syntax);
    const n = intArg(c, argv[++i]!);
    if (n === null) return;
    if (w === "RANK") {
      if (n === 0) {
        return c.reply.error(
          "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
        );
      }
      rank = n;
    } else if (w === "COUNT") {
      if (n < 0) return c.reply.error("ERR COUNT can't be negative");
      count = n;
    } else if (w === "MAXLEN") {
      if (n < 0) return c.reply.error("ERR MAXLEN can't be negative");
      maxlen = n;
    } else return c.reply.error(errors.syntax);
  }
  const e = typed(x, c, key(argv, 1), "list");
  if (e === null) return;
  const d = e === undefined ? new Deque() : e.value as Deque;
  const found: number[] = [];
  const wanted = latin1(argv[2]!);
  const want = count === -1 ? 1 : count === 0 ? Infinity : count;
  let skip = Math.abs(rank) - 1;
  const len = d.length;
  for (let step = 0; step < len && (maxlen === 0 || step < maxlen) && found.length < want; step++) {
    const i = rank > 0 ? step : len - 1 - step;
    if (d.at(i) !== wanted) continue;
    if (skip > 0) skip--;
    else found.push(i);
  }
  if (count === -1) return found.length === 0 ? c.reply.nil() : c.reply.integer(found[0]!);
  c.reply.array(found.length);
  for (const i of found) c.reply.integer(i);
};

function parseSide(w: string): boolean | null {
  return w === "LEFT" ? true : w === "RIGHT" ? false : null;
}

/** Moves one element; returns false when the source is empty. Replies the element. */
function moveOne(
  x: KvEngine,
  c: KvClient,
  src: string,
  dst: string,
  fromLeft: boolean,
  toLeft: boolean,
): boolean {
  const e = typed(x, c, src, "list", true);
  if (e === null) return true;
  if (e === undefined) return false;
  const de = typed(x, c, dst, "list", true);
  if (de === null) return true;
  const v = fromLeft ? (e.value as Deque).popFront()! : (e.value as Deque).popBack()!;
  // As Redis: the push is announced before the pop, and an emptied source goes last.
  let target = src === dst ? e : de;
  if (target === undefined) target = x.setValue(c.db, dst, "list", new Deque());
  const d = target.value as Deque;
  if (toLeft) d.pushFront(v);
  else d.pushBack(v);
  x.entryChanged(c.db, dst, target);
  x.notify(ev.list, toLeft ? "lpush" : "rpush", c.db, dst);
  if (src === dst) x.notify(ev.list, fromLeft ? "lpop" : "rpop", c.db, src);
  else afterRemove(x, c, src, e, fromLeft ? "lpop" : "rpop");
  c.reply.bulkLatin1(v);
  return true;
}

const lmove = (blocking: boolean, fixed: [boolean, boolean] | null): Handler => (x, c, argv) => {
  let fromLeft: boolean | null, toLeft: boolean | null;
  if (fixed !== null) [fromLeft, toLeft] = fixed;
  else {
    fromLeft = parseSide(opt(argv, 3));
    toLeft = parseSide(opt(argv, 4));
    if (fromLeft === null || toLeft === null) return c.reply.error(errors.syntax);
  }
  let timeoutMs = 0;
  if (blocking) {
    const t = timeoutArg(c, argv[argv.length - 1]!);
    if (t === null) return;
    timeoutMs = t;
  }
  if (moveOne(x, c, key(argv, 1), key(argv, 2), fromLeft, toLeft)) {
    x.propagate(c.db, [
      textLmove,
      argv[1]!,
      argv[2]!,
      fromLeft ? textLeft : textRight,
      toLeft ? textLeft : textRight,
    ]);
    return;
  }
  if (!blocking || c.multi !== null || x.noBlock) return c.reply.nil();
  return { keys: [key(argv, 1)], timeoutMs, timeoutReply: "nil" } satisfies BlockRequest;
};

const bpop = (left: boolean): Handler => (x, c, argv) => {
  const timeoutMs = timeoutArg(c, argv[argv.length - 1]!);
  if (timeoutMs === null) return;
  const keys: string[] = [];
  for (let i = 1; i < argv.length - 1; i++) keys.push(key(argv, i));
  for (let i = 0; i < keys.length; i++) {
    const e = typed(x, c, keys[i]!, "list", true);
    if (e === null) return;
    if (e === undefined) continue;
    const d = e.value as Deque;
    const v = left ? d.popFront()! : d.popBack()!;
    c.reply.array(2);
    c.reply.bulk(argv[i + 1]!);
    c.reply.bulkLatin1(v);
    afterRemove(x, c, keys[i]!, e, left ? "lpop" : "rpop");
    x.propagate(c.db, [left ? textLpop : textRpop, argv[i + 1]!]);
    return;
  }
  if (x.noBlock) return c.reply.nullArray();
  return { keys, timeoutMs, timeoutReply: "nullArray" } satisfies BlockRequest;
};

/** List command handlers by lower-case name. */
export const listHandlers: Record<string, Handler> = {
  lpush: push(true, false),
  rpush: push(false, false),
  lpushx: push(true, true),
  rpushx: push(false, true),
  lpop: pop(true),
  rpop: pop(false),
  lrange,
  llen,
  lindex,
  lset,
  lrem,
  ltrim,
  linsert,
  lpos,
  lmove: lmove(false, null),
  blmove: lmove(true, null),
  rpoplpush: lmove(false, [false, true]),
  brpoplpush: lmove(true, [false, true]),
  blpop: bpop(true),
  brpop: bpop(false),
};
