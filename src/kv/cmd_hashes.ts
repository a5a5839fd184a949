/**
 * Hash commands.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";
import {
  addInt64,
  formatIncrFloat,
  fromLatin1,
  latin1,
  parseFloatStrict,
  parseInt64,
} from "./bytes.ts";
import {
  cursorArg,
  errors,
  type Handler,
  key,
  opt,
  randomCountArg,
  scanOptions,
  typed,
} from "./cmd_util.ts";
import { globMatch } from "./glob.ts";
import { scanIterator } from "./keyspace.ts";
import { notifyFlags as ev } from "./notify.ts";

type Hash = Map<string, string>;
const textHset = fromLatin1("HSET");

function hashFor(x: KvEngine, c: KvClient, k: string): [Entry, Hash] | null {
  const e = typed(x, c, k, "hash", true);
  if (e === null) return null;
  if (e !== undefined) return [e, e.value as Hash];
  const h: Hash = new Map();
  return [x.setValue(c.db, k, "hash", h), h];
}

/** Deletes the key when its collection became empty (Redis never keeps empty collections). */
function afterRemove(x: KvEngine, c: KvClient, k: string, e: Entry, size: number): void {
  if (size === 0) x.deleteKey(c.db, k);
  else x.entryChanged(c.db, k, e);
  x.notify(ev.hash, "hdel", c.db, k);
  if (size === 0) x.notify(ev.generic, "del", c.db, k);
}

const hset = (isHmset: boolean): Handler => (x, c, argv) => {
  if (argv.length % 2 !== 0) {
    return c.reply.error(
      `ERR wrong number of arguments for '${isHmset ? "hmset" : "hset"}' command`,
    );
  }
  const k = key(argv, 1);
  const r = hashFor(x, c, k);
  if (r === null) return;
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) {
    // One map operation per field: a new field shows as a larger map. Fields are
    // decoded without the key cache (they repeat far less than keys).
    const size = r[1].size;
    r[1].set(latin1(argv[i]!), latin1(argv[i + 1]!));
    if (r[1].size !== size) added++;
  }
  x.entryChanged(c.db, k, r[0]);
  x.notify(ev.hash, "hset", c.db, k);
  if (isHmset) c.reply.ok();
  else c.reply.integer(added);
};

const hsetnx: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const existing = typed(x, c, k, "hash", true);
  if (existing === null) return;
  const f = key(argv, 2);
  if (existing !== undefined && (existing.value as Hash).has(f)) return c.reply.integer(0);
  const r = hashFor(x, c, k)!;
  r[1].set(f, latin1(argv[3]!));
  x.entryChanged(c.db, k, r[0]);
  x.notify(ev.hash, "hset", c.db, k);
  c.reply.integer(1);
};

const hget: Handler = (x, c, argv) => {
  const e = typed(x, c, key(argv, 1), "hash");
  if (e === null) return;
  const v = e === undefined ? undefined : (e.value as Hash).get(key(argv, 2));
  if (v === undefined) c.reply.nil();
  else c.reply.bulkLatin1(v);
};

const hmget: Handler = (x, c, argv) => {
  const e = typed(x, c, key(argv, 1), "hash");
  if (e === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = e === undefined ? undefined : (e.value as Hash).get(key(argv, i));
    if (v === undefined) c.reply.nil();
    else c.reply.bulkLatin1(v);
  }
};

const hgetall = (what: "all" | "keys" | "vals"): Handler => (x, c, argv) => {
  const e = typed(x, c, key(argv, 1), "hash");
  if (e === null) return;
  const h = e === undefined ? new Map() as Hash : e.value as Hash;
  if (what === "all") c.reply.map(h.size);
  else c.reply.array(h.size);
  for (const [f, v] of h) {
    if (what !== "vals") c.reply.bulkLatin1(f);
    if (what !== "keys") c.reply.bulkLatin1(v);
  }
};

const hdel: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = typed(x, c, k, "hash", true);
  if (e === null) return;
  if (e === undefined) return c.reply.integer(0);
  const h = e.value as Hash;
  let n = 0;
  for (let i = 2; i < argv.length; i++) if (h.delete(key(argv, i))) n++;
  if (n > 0) afterRemove(x, c, k, e, h.size);
  c.reply.integer(n);
};

const hexists: Handler = (x, c, argv) => {
  const e = typed(x, c, key(argv, 1), "hash");
  if (e === null) return;
  c.reply.integer(e !== undefined && (e.value as Hash).has(key(argv, 2)) ? 1 : 0);
};

const hlen: Handler = (x, c, argv) => {
  const e = typed(x, c, key(argv, 1), "hash");
  if (e === null) return;
  c.reply.integer(e === undefined ? 0 : (e.value as Hash).size);
};

const hstrlen: Handler = (x, c, argv) => {
  const e = typed(x, c, key(argv, 1), "hash");
  if (e === null) return;
  c.reply.integer(e === undefined ? 0 : ((e.value as Hash).get(key(argv, 2))?.length ?? 0));
};

const hincrby: Handler = (x, c, argv) => {
  const delta = parseInt64(argv[3]!);
  if (delta === null) return c.reply.error(errors.notInteger);
  const k = key(argv, 1);
  const existing = typed(x, c, k, "hash", true);
  if (existing === null) return;
  const f = key(argv, 2);
  let current: number | bigint = 0;
  const old = existing === undefined ? undefined : (existing.value as Hash).get(f);
  if (old !== undefined) {
    const v = parseInt64(old);
    if (v === null) return c.reply.error("ERR hash value is not an integer");
    current = v;
  }
  const next = addInt64(current, delta);
  if (next === null) return c.reply.error(errors.overflow);
  const r = hashFor(x, c, k)!;
  r[1].set(f, String(next));
  x.entryChanged(c.db, k, r[0]);
  x.notify(ev.hash, "hincrby", c.db, k);
  c.reply.integer(next);
};

const hincrbyfloat: Handler = (x, c, argv) => {
  const delta = parseFloatStrict(argv[3]!);
  if (delta === null) return c.reply.error(errors.notFloat);
  if (!Number.isFinite(delta)) return c.reply.error("ERR value is NaN or Infinity");
  const k = key(argv, 1);
  const existing = typed(x, c, k, "hash", true);
  if (existing === null) return;
  const f = key(argv, 2);
  let current = 0;
  const old = existing === undefined ? undefined : (existing.value as Hash).get(f);
  if (old !== undefined) {
    const v = parseFloatStrict(old);
    if (v === null) return c.reply.error("ERR hash value is not a float");
    current = v;
  }
  const next = current + delta;
  if (!Number.isFinite(next)) return c.reply.error(errors.nanOrInf);
  const text = formatIncrFloat(next);
  const r = hashFor(x, c, k)!;
  r[1].set(f, text);
  x.entryChanged(c.db, k, r[0]);
  x.propagate(c.db, [textHset, argv[1]!, argv[2]!, fromLatin1(text)]);
  x.notify(ev.hash, "hincrbyfloat", c.db, k);
  c.reply.bulkLatin1(text);
};

const hscan: Handler = (x, c, argv) => {
  const cursor = cursorArg(c, argv[2]!);
  if (cursor === null) return;
  const o = scanOptions(c, argv, 3, false);
  if (o === null) return;
  const e = typed(x, c, key(argv, 1), "hash");
  if (e === null) return;
  const h = e === undefined ? new Map() as Hash : e.value as Hash;
  const step = scanIterator(hashCursors, cursor, o.count, () => h.keys(), () => nextCursor++);
  const out: string[] = [];
  for (const f of step.keys) {
    if (h.has(f) && (o.match === null || globMatch(o.match, f))) out.push(f);
  }
  c.reply.array(2);
  c.reply.bulkLatin1(String(step.next));
  c.reply.array(out.length * 2);
  for (const f of out) {
    c.reply.bulkLatin1(f);
    c.reply.bulkLatin1(h.get(f)!);
  }
};

/** Live iterators behind HSCAN/SSCAN/ZSCAN cursors (shared; ids never repeat). */
export const hashCursors = new Map<number, Iterator<string>>();
let nextCursor = 1;

/** Picks random elements the way HRANDFIELD/SRANDMEMBER/ZRANDMEMBER do (negative count repeats). */
export function randomPick<T>(items: T[], count: number, random: () => number): T[] {
  if (count >= 0) {
    if (count >= items.length) return items;
    const copy = items.slice();
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, count);
  }
  const out: T[] = [];
  for (let i = 0; i < -count; i++) out.push(items[Math.floor(random() * items.length)]!);
  return out;
}

const hrandfield: Handler = (x, c, argv) => {
  let count: number | null = null;
  let withValues = false;
  if (argv.length >= 3) {
    if (argv.length === 4 && opt(argv, 3) === "WITHVALUES") withValues = true;
    else if (argv.length > 3) return c.reply.error(errors.syntax);
    count = randomCountArg(c, argv[2]!, withValues);
    if (count === null) return;
  }
  const e = typed(x, c, key(argv, 1), "hash");
  if (e === null) return;
  if (e === undefined) return count === null ? c.reply.nil() : c.reply.array(0);
  const h = e.value as Hash;
  const fields = [...h.keys()];
  if (count === null) return c.reply.bulkLatin1(randomPick(fields, 1, x.random)[0]!);
  const picked = randomPick(fields, count, x.random);
  if (withValues && c.reply.resp === 3) {
    c.reply.array(picked.length);
    for (const f of picked) {
      c.reply.array(2);
      c.reply.bulkLatin1(f);
      c.reply.bulkLatin1(h.get(f)!);
    }
    return;
  }
  c.reply.array(picked.length * (withValues ? 2 : 1));
  for (const f of picked) {
    c.reply.bulkLatin1(f);
    if (withValues) c.reply.bulkLatin1(h.get(f)!);
  }
};

/** Hash command handlers by lower-case name. */
export const hashHandlers: Record<string, Handler> = {
  hset: hset(false),
  hmset: hset(true),
  hsetnx,
  hget,
  hmget,
  hgetall: hgetall("all"),
  hkeys: hgetall("keys"),
  hvals: hgetall("vals"),
  hdel,
  hexists,
  hlen,
  hstrlen,
  hincrby,
  hincrbyfloat,
  hscan,
  hrandfield,
};
