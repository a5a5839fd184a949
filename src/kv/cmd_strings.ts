/**
 * String commands: GET, SET and its options, counters, ranges.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import {
  addInt64,
  formatIncrFloat,
  fromLatin1,
  intBytes,
  isInt64Min,
  latin1,
  parseFloatStrict,
  parseInt64,
} from "./bytes.ts";
import { errors, type Handler, intArg, key, opt, typed } from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";

const textPxat = fromLatin1("PXAT");
const textSet = fromLatin1("SET");
const textKeepttl = fromLatin1("KEEPTTL");
const textPexpireat = fromLatin1("PEXPIREAT");
const textPersist = fromLatin1("PERSIST");
const textDel = fromLatin1("DEL");

function invalidExpire(c: KvClient, name: string): null {
  c.reply.error(`ERR invalid expire time in '${name}' command`);
  return null;
}

/**
 * Turns EX/PX/EXAT/PXAT amounts into an absolute ms time; replies and returns
 * null when invalid (not an integer, not positive, or overflowing).
 */
export function absoluteExpire(
  x: KvEngine,
  c: KvClient,
  unit: string,
  arg: Uint8Array,
  name: string,
): number | null {
  const n = parseInt64(arg);
  if (n === null) {
    c.reply.error(errors.notInteger);
    return null;
  }
  if (typeof n === "bigint" || n <= 0) return invalidExpire(c, name);
  let ms = unit === "EX" || unit === "EXAT" ? n * 1000 : n;
  if (unit === "EX" || unit === "PX") ms += x.now;
  if (!Number.isSafeInteger(ms) || ms > 8.64e15) return invalidExpire(c, name);
  return ms;
}

interface SetOptions {
  nx: boolean;
  xx: boolean;
  get: boolean;
  keepTtl: boolean;
  expireAt: number;
}

function parseSetOptions(x: KvEngine, c: KvClient, argv: Uint8Array[]): SetOptions | null {
  const o: SetOptions = { nx: false, xx: false, get: false, keepTtl: false, expireAt: 0 };
  let expireSeen = false;
  for (let i = 3; i < argv.length; i++) {
    const w = opt(argv, i);
    if (w === "NX" && !o.xx) o.nx = true;
    else if (w === "XX" && !o.nx) o.xx = true;
    else if (w === "GET") o.get = true;
    else if (w === "KEEPTTL" && !expireSeen) o.keepTtl = true;
    else if (
      (w === "EX" || w === "PX" || w === "EXAT" || w === "PXAT") && !expireSeen && !o.keepTtl &&
      i + 1 < argv.length
    ) {
      expireSeen = true;
      const at = absoluteExpire(x, c, w, argv[++i]!, "set");
      if (at === null) return null;
      o.expireAt = at;
    } else {
      c.reply.error(errors.syntax);
      return null;
    }
  }
  return o;
}

const set: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  if (argv.length === 3) {
    x.setString(c.db, k, latin1(argv[2]!));
    x.notify(ev.string, "set", c.db, k);
    c.reply.ok();
    return;
  }
  const o = parseSetOptions(x, c, argv);
  if (o === null) return;
  const old = x.lookupWrite(c.db, k);
  if (o.get && old !== undefined && old.type !== "string") return c.reply.error(errors.wrongType);
  const oldValue = old === undefined ? null : old.value as string;
  if ((o.nx && old !== undefined) || (o.xx && old === undefined)) {
    if (o.get && oldValue !== null) c.reply.bulkLatin1(oldValue);
    else c.reply.nil();
    return;
  }
  const keep = o.keepTtl && old !== undefined ? old.expireAt : 0;
  const value = latin1(argv[2]!);
  const expireAt = o.expireAt !== 0 ? o.expireAt : keep;
  if (o.expireAt !== 0 && o.expireAt <= x.now && !x.loading) {
    x.deleteKey(c.db, k);
    x.propagate(c.db, [textDel, argv[1]!]);
    x.notify(ev.string, "set", c.db, k);
    x.notify(ev.generic, "del", c.db, k);
  } else {
    x.setValue(c.db, k, "string", value, expireAt);
    x.notify(ev.string, "set", c.db, k);
    if (o.expireAt !== 0) x.notify(ev.generic, "expire", c.db, k);
    const logged = [textSet, argv[1]!, argv[2]!];
    if (expireAt !== 0) logged.push(textPxat, intBytes(expireAt));
    x.propagate(c.db, logged);
  }
  if (o.get) {
    if (oldValue !== null) c.reply.bulkLatin1(oldValue);
    else c.reply.nil();
  } else c.reply.ok();
};

const get: Handler = (x, c, argv) => {
  const e = x.lookupRead(c.db, key(argv, 1));
  if (e === undefined) return c.reply.nil();
  if (e.type !== "string") return c.reply.error(errors.wrongType);
  c.reply.bulkLatin1(e.value as string);
};

const setex = (unit: "EX" | "PX", name: string): Handler => (x, c, argv) => {
  const at = absoluteExpire(x, c, unit, argv[2]!, name);
  if (at === null) return;
  const value = latin1(argv[3]!);
  const k = key(argv, 1);
  x.setValue(c.db, k, "string", value, at);
  x.propagate(c.db, [textSet, argv[1]!, argv[3]!, textPxat, intBytes(at)]);
  x.notify(ev.string, "set", c.db, k);
  x.notify(ev.generic, "expire", c.db, k);
  c.reply.ok();
};

const setnx: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  if (x.lookupWrite(c.db, k) !== undefined) return c.reply.integer(0);
  x.setValue(c.db, k, "string", latin1(argv[2]!));
  x.notify(ev.string, "set", c.db, k);
  c.reply.integer(1);
};

const mget: Handler = (x, c, argv) => {
  c.reply.array(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const e = x.lookupRead(c.db, key(argv, i));
    if (e === undefined || e.type !== "string") c.reply.nil();
    else c.reply.bulkLatin1(e.value as string);
  }
};

const mset = (nx: boolean): Handler => (x, c, argv) => {
  if (argv.length % 2 === 0) {
    return c.reply.error(`ERR wrong number of arguments for '${nx ? "msetnx" : "mset"}' command`);
  }
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (x.lookupWrite(c.db, key(argv, i)) !== undefined) return c.reply.integer(0);
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    const k = key(argv, i);
    x.setValue(c.db, k, "string", latin1(argv[i + 1]!));
    x.notify(ev.string, "set", c.db, k);
  }
  if (nx) c.reply.integer(1);
  else c.reply.ok();
};

const getset: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = typed(x, c, k, "string", true);
  if (e === null) return;
  if (e === undefined) c.reply.nil();
  else c.reply.bulkLatin1(e.value as string);
  x.setValue(c.db, k, "string", latin1(argv[2]!));
  x.notify(ev.string, "set", c.db, k);
};

const getdel: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = typed(x, c, k, "string");
  if (e === null) return;
  if (e === undefined) return c.reply.nil();
  c.reply.bulkLatin1(e.value as string);
  x.deleteKey(c.db, k);
  x.notify(ev.generic, "del", c.db, k);
};

const getex: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  let at = -1;
  let persist = false;
  for (let i = 2; i < argv.length; i++) {
    const w = opt(argv, i);
    if (
      (w === "EX" || w === "PX" || w === "EXAT" || w === "PXAT") && at === -1 && !persist &&
      i + 1 < argv.length
    ) {
      const v = absoluteExpire(x, c, w, argv[++i]!, "getex");
      if (v === null) return;
      at = v;
    } else if (w === "PERSIST" && at === -1) persist = true;
    else return c.reply.error(errors.syntax);
  }
  const e = typed(x, c, k, "string");
  if (e === null) return;
  if (e === undefined) return c.reply.nil();
  c.reply.bulkLatin1(e.value as string);
  if (at !== -1 && at <= x.now && !x.loading) {
    x.deleteKey(c.db, k);
    x.propagate(c.db, [textDel, argv[1]!]);
    x.notify(ev.generic, "del", c.db, k);
  } else if (at !== -1) {
    x.dbs[c.db]!.setExpire(k, e, at);
    x.keyChanged(c.db, k);
    x.propagate(c.db, [textPexpireat, argv[1]!, intBytes(at)]);
    x.notify(ev.generic, "expire", c.db, k);
  } else if (persist && e.expireAt !== 0) {
    x.dbs[c.db]!.setExpire(k, e, 0);
    x.keyChanged(c.db, k);
    x.propagate(c.db, [textPersist, argv[1]!]);
    x.notify(ev.generic, "persist", c.db, k);
  }
};

function incrBy(x: KvEngine, c: KvClient, k: string, delta: number | bigint): void {
  const e = typed(x, c, k, "string", true);
  if (e === null) return;
  let current: number | bigint = 0;
  if (e !== undefined) {
    const v = parseInt64(e.value as string);
    if (v === null) return c.reply.error(errors.notInteger);
    current = v;
  }
  const next = addInt64(current, delta);
  if (next === null) return c.reply.error(errors.overflow);
  const text = String(next);
  if (e === undefined) x.setValue(c.db, k, "string", text);
  else {
    e.value = text;
    x.entryChanged(c.db, k, e);
  }
  x.notify(ev.string, "incrby", c.db, k);
  c.reply.integer(next);
}

const incr: Handler = (x, c, argv) => incrBy(x, c, key(argv, 1), 1);
const decr: Handler = (x, c, argv) => incrBy(x, c, key(argv, 1), -1);
const incrby: Handler = (x, c, argv) => {
  const d = parseInt64(argv[2]!);
  if (d === null) return c.reply.error(errors.notInteger);
  incrBy(x, c, key(argv, 1), d);
};
const decrby: Handler = (x, c, argv) => {
  const d = parseInt64(argv[2]!);
  if (d === null) return c.reply.error(errors.notInteger);
  if (isInt64Min(d)) return c.reply.error("ERR decrement would overflow");
  incrBy(x, c, key(argv, 1), typeof d === "bigint" ? -d : -d);
};

const incrbyfloat: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = typed(x, c, k, "string", true);
  if (e === null) return;
  const delta = parseFloatStrict(argv[2]!);
  let current = 0;
  if (e !== undefined) {
    const v = parseFloatStrict(e.value as string);
    if (v === null) return c.reply.error(errors.notFloat);
    current = v;
  }
  if (delta === null) return c.reply.error(errors.notFloat);
  const next = current + delta;
  if (!Number.isFinite(next)) return c.reply.error(errors.nanOrInf);
  const text = formatIncrFloat(next);
  if (e === undefined) x.setValue(c.db, k, "string", text);
  else {
    e.value = text;
    x.entryChanged(c.db, k, e);
  }
  x.propagate(c.db, [textSet, argv[1]!, fromLatin1(text), textKeepttl]);
  x.notify(ev.string, "incrbyfloat", c.db, k);
  c.reply.bulkLatin1(text);
};

const append: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = typed(x, c, k, "string", true);
  if (e === null) return;
  if (e === undefined) {
    x.setValue(c.db, k, "string", latin1(argv[2]!));
    x.notify(ev.string, "append", c.db, k);
    return c.reply.integer(argv[2]!.length);
  }
  const old = e.value as string;
  if (old.length + argv[2]!.length > x.config.protoMaxBulkLen) return c.reply.error(errors.tooBig);
  e.value = old + latin1(argv[2]!);
  e.big = true; // Redis turns a string it appends to into "raw"
  x.entryChanged(c.db, k, e);
  x.notify(ev.string, "append", c.db, k);
  c.reply.integer((e.value as string).length);
};

const strlen: Handler = (x, c, argv) => {
  const e = typed(x, c, key(argv, 1), "string");
  if (e === null) return;
  c.reply.integer(e === undefined ? 0 : (e.value as string).length);
};

const getrange: Handler = (x, c, argv) => {
  let start = intArg(c, argv[2]!);
  if (start === null) return;
  let end = intArg(c, argv[3]!);
  if (end === null) return;
  const e = typed(x, c, key(argv, 1), "string");
  if (e === null) return;
  const v = e === undefined ? "" : e.value as string;
  if (start < 0 && end < 0 && start > end) return c.reply.bulkLatin1("");
  const len = v.length;
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return c.reply.bulkLatin1("");
  c.reply.bulkLatin1(v.slice(start, end + 1));
};

const setrange: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const offset = intArg(c, argv[2]!);
  if (offset === null) return;
  if (offset < 0) return c.reply.error(errors.offsetRange);
  const piece = argv[3]!;
  const e = typed(x, c, k, "string", true);
  if (e === null) return;
  const old = e === undefined ? "" : e.value as string;
  if (piece.length === 0) return c.reply.integer(old.length);
  if (offset + piece.length > x.config.protoMaxBulkLen) return c.reply.error(errors.tooBig);
  const padded = old.length < offset ? old + "\u0000".repeat(offset - old.length) : old;
  const next = padded.slice(0, offset) + latin1(piece) + padded.slice(offset + piece.length);
  if (e === undefined) x.setValue(c.db, k, "string", next).big = true;
  else {
    e.value = next;
    e.big = true; // "raw" in Redis, whatever the length
    x.entryChanged(c.db, k, e);
  }
  x.notify(ev.string, "setrange", c.db, k);
  c.reply.integer(next.length);
};

/** String command handlers by lower-case name. */
export const stringHandlers: Record<string, Handler> = {
  get,
  set,
  setex: setex("EX", "setex"),
  psetex: setex("PX", "psetex"),
  setnx,
  mget,
  mset: mset(false),
  msetnx: mset(true),
  getset,
  getdel,
  getex,
  incr,
  decr,
  incrby,
  decrby,
  incrbyfloat,
  append,
  strlen,
  getrange,
  substr: getrange,
  setrange,
};
