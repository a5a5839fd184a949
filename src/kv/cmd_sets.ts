/**
 * Set commands.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { fromLatin1 } from "./bytes.ts";
import {
  cursorArg,
  errors,
  type Handler,
  intArg,
  key,
  randomCountArg,
  scanOptions,
  typed,
} from "./cmd_util.ts";
import { globMatch } from "./glob.ts";
import { scanIterator } from "./keyspace.ts";
import { hashCursors, randomPick } from "./cmd_hashes.ts";
import { notifyFlags as ev } from "./notify.ts";

let nextCursor = 1_000_000_000;
const textSrem = fromLatin1("SREM");
const textDel = fromLatin1("DEL");

const sadd: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  let e = typed(x, c, k, "set", true);
  if (e === null) return;
  if (e === undefined) e = x.setValue(c.db, k, "set", new Set<string>());
  const s = e.value as Set<string>;
  let n = 0;
  for (let i = 2; i < argv.length; i++) {
    const m = key(argv, i);
    if (!s.has(m)) (s.add(m), n++);
  }
  x.entryChanged(c.db, k, e);
  if (n > 0) x.notify(ev.set, "sadd", c.db, k);
  c.reply.integer(n);
};

const srem: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = typed(x, c, k, "set", true);
  if (e === null) return;
  if (e === undefined) return c.reply.integer(0);
  const s = e.value as Set<string>;
  let n = 0;
  for (let i = 2; i < argv.length; i++) if (s.delete(key(argv, i))) n++;
  if (n > 0) {
    if (s.size === 0) x.deleteKey(c.db, k);
    else x.entryChanged(c.db, k, e);
    x.notify(ev.set, "srem", c.db, k);
    if (s.size === 0) x.notify(ev.generic, "del", c.db, k);
  }
  c.reply.integer(n);
};

/** Reads a set (empty when missing); null after a WRONGTYPE reply. */
function readSet(x: KvEngine, c: KvClient, k: string): Set<string> | null {
  const e = typed(x, c, k, "set");
  if (e === null) return null;
  return e === undefined ? new Set() : e.value as Set<string>;
}

function replyMembers(c: KvClient, members: Iterable<string>, size: number): void {
  c.reply.set(size);
  for (const m of members) c.reply.bulkLatin1(m);
}

const smembers: Handler = (x, c, argv) => {
  const s = readSet(x, c, key(argv, 1));
  if (s !== null) replyMembers(c, s, s.size);
};

const sismember: Handler = (x, c, argv) => {
  const s = readSet(x, c, key(argv, 1));
  if (s !== null) c.reply.integer(s.has(key(argv, 2)) ? 1 : 0);
};

const smismember: Handler = (x, c, argv) => {
  const s = readSet(x, c, key(argv, 1));
  if (s === null) return;
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.reply.integer(s.has(key(argv, i)) ? 1 : 0);
};

const scard: Handler = (x, c, argv) => {
  const s = readSet(x, c, key(argv, 1));
  if (s !== null) c.reply.integer(s.size);
};

const spop: Handler = (x, c, argv) => {
  let count = -1;
  if (argv.length > 3) return c.reply.error(errors.syntax);
  if (argv.length === 3) {
    const n = intArg(c, argv[2]!, errors.positive);
    if (n === null) return;
    if (n < 0) return c.reply.error(errors.positive);
    count = n;
  }
  const k = key(argv, 1);
  const e = typed(x, c, k, "set", true);
  if (e === null) return;
  if (e === undefined) return count === -1 ? c.reply.nil() : c.reply.set(0);
  const s = e.value as Set<string>;
  const picked = randomPick([...s], count === -1 ? 1 : count, x.random);
  if (count === -1) c.reply.bulkLatin1(picked[0]!);
  else replyMembers(c, picked, picked.length);
  if (picked.length === 0) return;
  for (const m of picked) s.delete(m);
  if (s.size === 0) {
    x.deleteKey(c.db, k);
    x.propagate(c.db, [textDel, argv[1]!]);
  } else {
    x.entryChanged(c.db, k, e);
    x.propagate(c.db, [textSrem, argv[1]!, ...picked.map(fromLatin1)]);
  }
  x.notify(ev.set, "spop", c.db, k);
  if (s.size === 0) x.notify(ev.generic, "del", c.db, k);
};

const srandmember: Handler = (x, c, argv) => {
  let count: number | null = null;
  if (argv.length > 3) return c.reply.error(errors.syntax);
  if (argv.length === 3) {
    count = randomCountArg(c, argv[2]!, false);
    if (count === null) return;
  }
  const s = readSet(x, c, key(argv, 1));
  if (s === null) return;
  if (count === null) {
    if (s.size === 0) return c.reply.nil();
    return c.reply.bulkLatin1(randomPick([...s], 1, x.random)[0]!);
  }
  const picked = s.size === 0 ? [] : randomPick([...s], count, x.random);
  c.reply.array(picked.length);
  for (const m of picked) c.reply.bulkLatin1(m);
};

const smove: Handler = (x, c, argv) => {
  const src = key(argv, 1);
  const dst = key(argv, 2);
  const se = typed(x, c, src, "set", true);
  if (se === null) return;
  const de = typed(x, c, dst, "set", true);
  if (de === null) return;
  const m = key(argv, 3);
  if (se === undefined || !(se.value as Set<string>).has(m)) return c.reply.integer(0);
  if (src === dst) return c.reply.integer(1);
  (se.value as Set<string>).delete(m);
  const emptied = (se.value as Set<string>).size === 0;
  if (emptied) x.deleteKey(c.db, src);
  else x.entryChanged(c.db, src, se);
  x.notify(ev.set, "srem", c.db, src);
  if (emptied) x.notify(ev.generic, "del", c.db, src);
  // As in Redis, the destination only counts as modified (WATCH) when it gains the member.
  if (de !== undefined && (de.value as Set<string>).has(m)) return c.reply.integer(1);
  const target = de ?? x.setValue(c.db, dst, "set", new Set<string>());
  (target.value as Set<string>).add(m);
  x.entryChanged(c.db, dst, target);
  x.notify(ev.set, "sadd", c.db, dst);
  c.reply.integer(1);
};

type SetOp = "inter" | "union" | "diff";

/** Computes an intersection, union or difference; null after a WRONGTYPE reply. */
export function combineSets(
  x: KvEngine,
  c: KvClient,
  keys: string[],
  op: SetOp,
): Set<string> | null {
  const sets: Set<string>[] = [];
  for (const k of keys) {
    const s = readSet(x, c, k);
    if (s === null) return null;
    sets.push(s);
  }
  if (op === "union") {
    const out = new Set<string>();
    for (const s of sets) for (const m of s) out.add(m);
    return out;
  }
  if (op === "diff") {
    const out = new Set(sets[0]!);
    for (let i = 1; i < sets.length; i++) for (const m of sets[i]!) out.delete(m);
    return out;
  }
  const sorted = sets.slice().sort((a, b) => a.size - b.size);
  const out = new Set<string>();
  if (sorted[0]!.size === 0) return out;
  outer: for (const m of sorted[0]!) {
    for (let i = 1; i < sorted.length; i++) if (!sorted[i]!.has(m)) continue outer;
    out.add(m);
  }
  return out;
}

const setop = (op: SetOp, store: boolean): Handler => (x, c, argv) => {
  const from = store ? 2 : 1;
  const keys: string[] = [];
  for (let i = from; i < argv.length; i++) keys.push(key(argv, i));
  const out = combineSets(x, c, keys, op);
  if (out === null) return;
  if (!store) return replyMembers(c, out, out.size);
  const dst = key(argv, 1);
  const existed = x.deleteKey(c.db, dst);
  if (out.size > 0) {
    x.setValue(c.db, dst, "set", out);
    x.notify(ev.set, `s${op}store`, c.db, dst);
  } else if (existed) x.notify(ev.generic, "del", c.db, dst);
  c.reply.integer(out.size);
};

const sintercard: Handler = (x, c, argv) => {
  const n = intArg(c, argv[1]!, "ERR numkeys should be greater than 0");
  if (n === null) return;
  if (n <= 0) return c.reply.error("ERR numkeys should be greater than 0");
  if (n > argv.length - 2) {
    return c.reply.error("ERR Number of keys can't be greater than number of args");
  }
  let limit = 0;
  for (let i = 2 + n; i < argv.length; i++) {
    if (key(argv, i).toUpperCase() === "LIMIT" && i + 1 < argv.length) {
      const l = intArg(c, argv[++i]!, "ERR LIMIT can't be negative");
      if (l === null) return;
      if (l < 0) return c.reply.error("ERR LIMIT can't be negative");
      limit = l;
    } else return c.reply.error(errors.syntax);
  }
  const keys: string[] = [];
  for (let i = 2; i < 2 + n; i++) keys.push(key(argv, i));
  const out = combineSets(x, c, keys, "inter");
  if (out === null) return;
  c.reply.integer(limit > 0 ? Math.min(limit, out.size) : out.size);
};

const sscan: Handler = (x, c, argv) => {
  const cursor = cursorArg(c, argv[2]!);
  if (cursor === null) return;
  const o = scanOptions(c, argv, 3, false);
  if (o === null) return;
  const s = readSet(x, c, key(argv, 1));
  if (s === null) return;
  const step = scanIterator(hashCursors, cursor, o.count, () => s.values(), () => nextCursor++);
  const out = step.keys.filter((m) => s.has(m) && (o.match === null || globMatch(o.match, m)));
  c.reply.array(2);
  c.reply.bulkLatin1(String(step.next));
  c.reply.array(out.length);
  for (const m of out) c.reply.bulkLatin1(m);
};

/** Set command handlers by lower-case name. */
export const setHandlers: Record<string, Handler> = {
  sadd,
  srem,
  smembers,
  sismember,
  smismember,
  scard,
  spop,
  srandmember,
  smove,
  sinter: setop("inter", false),
  sunion: setop("union", false),
  sdiff: setop("diff", false),
  sinterstore: setop("inter", true),
  sunionstore: setop("union", true),
  sdiffstore: setop("diff", true),
  sintercard,
  sscan,
};
