/**
 * Generic key commands: DEL, EXISTS, TYPE, RENAME, COPY, KEYS, SCAN, expiry,
 * OBJECT.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { Deque } from "./deque.ts";
import { Entry, type KvValue } from "./keyspace.ts";
import { ZSet } from "./zset.ts";
import { Stream } from "./stream.ts";
import { fromLatin1, intBytes, latin1, parseInt64 } from "./bytes.ts";
import {
  cursorArg,
  errors,
  type Handler,
  intArg,
  key,
  opt,
  replyHelp,
  scanOptions,
} from "./cmd_util.ts";
import { globMatch } from "./glob.ts";
import { encodingOf } from "./encoding.ts";
import { notifyFlags as ev } from "./notify.ts";
import { lfuCounter } from "./lfu.ts";

const textPexpireat = fromLatin1("PEXPIREAT");
const textDel = fromLatin1("DEL");

const del: Handler = (x, c, argv) => {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    const k = key(argv, i);
    if (x.lookupWrite(c.db, k) !== undefined && x.deleteKey(c.db, k)) {
      x.notify(ev.generic, "del", c.db, k);
      n++;
    }
  }
  c.reply.integer(n);
};

const exists: Handler = (x, c, argv) => {
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (x.lookupRead(c.db, key(argv, i), false) !== undefined) n++;
  }
  c.reply.integer(n);
};

const type: Handler = (x, c, argv) => {
  const e = x.lookupRead(c.db, key(argv, 1), false);
  c.reply.simple(e === undefined ? "none" : e.type);
};

/** Deep copy of a value (COPY). */
export function cloneValue(v: KvValue): KvValue {
  if (typeof v === "string") return v;
  if (v instanceof Deque) {
    const d = new Deque();
    for (const item of v.toArray()) d.pushBack(item);
    return d;
  }
  if (v instanceof ZSet) {
    const z = new ZSet();
    for (const e of v.entries()) z.add(e.member, e.score);
    return z;
  }
  if (v instanceof Map) return new Map(v);
  if (v instanceof Stream) return v.clone();
  return new Set(v);
}

const rename = (nx: boolean): Handler => (x, c, argv) => {
  const from = key(argv, 1);
  const to = key(argv, 2);
  const e = x.lookupWrite(c.db, from);
  if (e === undefined) return c.reply.error(errors.noSuchKey);
  if (from === to) return nx ? c.reply.integer(0) : c.reply.ok();
  if (nx && x.lookupWrite(c.db, to) !== undefined) return c.reply.integer(0);
  x.deleteKey(c.db, from);
  x.setValue(c.db, to, e.type, e.value, e.expireAt);
  x.notify(ev.generic, "rename_from", c.db, from);
  x.notify(ev.generic, "rename_to", c.db, to);
  if (nx) c.reply.integer(1);
  else c.reply.ok();
};

const copy: Handler = (x, c, argv) => {
  const from = key(argv, 1);
  const to = key(argv, 2);
  let dstDb = c.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const w = opt(argv, i);
    if (w === "REPLACE") replace = true;
    else if (w === "DB" && i + 1 < argv.length) {
      const n = intArg(c, argv[++i]!);
      if (n === null) return;
      if (n < 0 || n >= x.dbs.length) return c.reply.error(errors.dbRange);
      dstDb = n;
    } else return c.reply.error(errors.syntax);
  }
  if (from === to && dstDb === c.db) {
    return c.reply.error("ERR source and destination objects are the same");
  }
  const e = x.lookupRead(c.db, from);
  if (e === undefined) return c.reply.integer(0);
  if (x.lookupWrite(dstDb, to) !== undefined) {
    if (!replace) return c.reply.integer(0);
    x.deleteKey(dstDb, to);
  }
  x.setValue(dstDb, to, e.type, cloneValue(e.value), e.expireAt);
  x.notify(ev.generic, "copy_to", dstDb, to);
  c.reply.integer(1);
};

const keys: Handler = (x, c, argv) => {
  const pattern = key(argv, 1);
  const db = x.dbs[c.db]!;
  const out: string[] = [];
  const all = pattern === "*";
  for (const [k, e] of db.map) {
    if (e.expireAt !== 0 && e.expireAt <= x.now) continue;
    if (all || globMatch(pattern, k)) out.push(k);
  }
  c.reply.array(out.length);
  for (const k of out) c.reply.bulkLatin1(k);
};

const scan: Handler = (x, c, argv) => {
  const cursor = cursorArg(c, argv[1]!);
  if (cursor === null) return;
  const o = scanOptions(c, argv, 2, true);
  if (o === null) return;
  const db = x.dbs[c.db]!;
  const step = db.scan(cursor, o.count);
  const out: string[] = [];
  for (const k of step.keys) {
    const e = db.lookup(k, x.now, x.loading);
    if (e === undefined) continue;
    if (o.match !== null && !globMatch(o.match, k)) continue;
    if (o.type !== null && e.type !== o.type) continue;
    out.push(k);
  }
  c.reply.array(2);
  c.reply.bulkLatin1(String(step.next));
  c.reply.array(out.length);
  for (const k of out) c.reply.bulkLatin1(k);
};

const randomkey: Handler = (x, c) => {
  const db = x.dbs[c.db]!;
  for (let tries = 0; tries < 100 && db.size > 0; tries++) {
    const k = db.randomKey(x.random)!;
    if (db.lookup(k, x.now, x.loading) !== undefined) return c.reply.bulkLatin1(k);
  }
  c.reply.nil();
};

function setExpireAt(
  x: KvEngine,
  c: KvClient,
  argv: Uint8Array[],
  k: string,
  e: Entry,
  at: number,
): void {
  if (at <= x.now && !x.loading) {
    x.deleteKey(c.db, k);
    x.propagate(c.db, [textDel, argv[1]!]);
    x.notify(ev.generic, "del", c.db, k);
  } else {
    x.dbs[c.db]!.setExpire(k, e, at);
    x.keyChanged(c.db, k);
    x.propagate(c.db, [textPexpireat, argv[1]!, intBytes(at)]);
    x.notify(ev.generic, "expire", c.db, k);
  }
}

const int64Max = 9223372036854775807n;
const safeMax = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The absolute expiry in ms of an EXPIRE-family argument, with Redis's
 * overflow checks (null = "invalid expire time"). Times beyond 2^53 ms
 * (about 285,000 years) are stored as 2^53-1: the key never expires in
 * practice either way.
 */
function expireTime(n: bigint, unitMs: number, base: number): number | null {
  const unit = BigInt(unitMs);
  if (n > int64Max / unit || n < -int64Max / unit) return null;
  const when = n * unit;
  if (when > int64Max - BigInt(base)) return null;
  const at = when + BigInt(base);
  return at > safeMax
    ? Number.MAX_SAFE_INTEGER
    : at < -safeMax
    ? -Number.MAX_SAFE_INTEGER
    : Number(at);
}

const expire = (unitMs: number, absolute: boolean, name: string): Handler => (x, c, argv) => {
  const n = parseInt64(argv[2]!);
  if (n === null) return c.reply.error(errors.notInteger);
  let nx = false, xx = false, gt = false, lt = false;
  for (let i = 3; i < argv.length; i++) {
    const w = opt(argv, i);
    if (w === "NX") nx = true;
    else if (w === "XX") xx = true;
    else if (w === "GT") gt = true;
    else if (w === "LT") lt = true;
    else return c.reply.error(`ERR Unsupported option ${String.fromCharCode(...argv[i]!)}`);
  }
  if (nx && (xx || gt || lt)) {
    return c.reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) return c.reply.error("ERR GT and LT options at the same time are not compatible");
  const at = expireTime(BigInt(n), unitMs, absolute ? 0 : x.now);
  if (at === null) return c.reply.error(`ERR invalid expire time in '${name}' command`);
  const k = key(argv, 1);
  const e = x.lookupWrite(c.db, k);
  if (e === undefined) return c.reply.integer(0);
  const current = e.expireAt === 0 ? Infinity : e.expireAt;
  if (nx && e.expireAt !== 0) return c.reply.integer(0);
  if (xx && e.expireAt === 0) return c.reply.integer(0);
  if (gt && !(at > current)) return c.reply.integer(0);
  if (lt && !(at < current)) return c.reply.integer(0);
  setExpireAt(x, c, argv, k, e, at);
  c.reply.integer(1);
};

const ttl = (divisor: number, absolute: boolean): Handler => (x, c, argv) => {
  const e = x.lookupRead(c.db, key(argv, 1), false);
  if (e === undefined) return c.reply.integer(-2);
  if (e.expireAt === 0) return c.reply.integer(-1);
  const ms = absolute ? e.expireAt : Math.max(0, e.expireAt - x.now);
  c.reply.integer(divisor === 1 ? ms : Math.floor((ms + (absolute ? 0 : 500)) / 1000));
};

const persist: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = x.lookupWrite(c.db, k);
  if (e === undefined || e.expireAt === 0) return c.reply.integer(0);
  x.dbs[c.db]!.setExpire(k, e, 0);
  x.keyChanged(c.db, k);
  x.notify(ev.generic, "persist", c.db, k);
  c.reply.integer(1);
};

const touch: Handler = (x, c, argv) => {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (x.lookupWrite(c.db, key(argv, i)) !== undefined) n++;
  c.reply.integer(n);
};

const object: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "HELP") {
    const lines = [
      "OBJECT <subcommand>",
      "ENCODING <key>",
      "FREQ <key>",
      "IDLETIME <key>",
      "REFCOUNT <key>",
    ];
    replyHelp(c, lines);
    return;
  }
  if (!["ENCODING", "REFCOUNT", "IDLETIME", "FREQ"].includes(sub)) {
    return c.reply.error(`ERR unknown subcommand '${latin1(argv[1]!)}'. Try OBJECT HELP.`);
  }
  if (argv.length !== 3) {
    return c.reply.error(`ERR wrong number of arguments for 'object|${sub.toLowerCase()}' command`);
  }
  const e = x.dbs[c.db]!.lookup(key(argv, 2), x.now, x.loading);
  if (e === undefined) return c.reply.nil();
  if (sub === "ENCODING") c.reply.bulkText(encodingOf(e));
  else if (sub === "REFCOUNT") c.reply.integer(1);
  else if (sub === "IDLETIME" && !x.lfu) c.reply.integer(Math.floor((x.now - e.lru) / 1000));
  else if (sub === "IDLETIME") {
    c.reply.error(
      "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    );
  } else if (x.lfu) c.reply.integer(lfuCounter(e, x.now));
  else {
    c.reply.error(
      "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    );
  }
};

/** Key command handlers by lower-case name. */
export const keyHandlers: Record<string, Handler> = {
  del,
  unlink: del,
  exists,
  type,
  rename: rename(false),
  renamenx: rename(true),
  copy,
  keys,
  scan,
  randomkey,
  expire: expire(1000, false, "expire"),
  pexpire: expire(1, false, "pexpire"),
  expireat: expire(1000, true, "expireat"),
  pexpireat: expire(1, true, "pexpireat"),
  ttl: ttl(1000, false),
  pttl: ttl(1, false),
  expiretime: ttl(1000, true),
  pexpiretime: ttl(1, true),
  persist,
  touch,
  object,
};
