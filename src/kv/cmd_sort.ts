/**
 * SORT and SORT_RO over lists, sets and sorted sets: numeric or ALPHA order,
 * BY and GET patterns (`*` is the element, `->field` reads a hash field, `#`
 * the element itself), LIMIT, ASC/DESC and STORE, with Redis's rules (ties
 * broken by the element bytes; a BY pattern without `*` skips sorting, except
 * for a set being stored or sorted for a script, which is sorted ALPHA to
 * stay deterministic).
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { Deque } from "./deque.ts";
import type { ZSet } from "./zset.ts";
import { parseFloatStrict } from "./bytes.ts";
import { errors, type Handler, intArg, key, opt } from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";
import { readsAllKeys } from "./acl.ts";

interface SortOptions {
  desc: boolean;
  alpha: boolean;
  offset: number;
  count: number;
  by: string | null;
  gets: string[];
  store: string | null;
}

const aclDenied = (option: string) =>
  `ERR ${option} option of SORT denied due to insufficient ACL permissions.`;

/**
 * SORT's options. BY with a pattern and GET read keys the command line does
 * not name: as Redis, they need a user that may read every key (`fullKeys`).
 */
function parseOptions(
  c: KvClient,
  argv: Uint8Array[],
  readOnly: boolean,
  fullKeys: boolean,
): SortOptions | null {
  const o: SortOptions = {
    desc: false,
    alpha: false,
    offset: -1,
    count: -1,
    by: null,
    gets: [],
    store: null,
  };
  for (let i = 2; i < argv.length; i++) {
    const w = opt(argv, i);
    const left = argv.length - 1 - i;
    if (w === "ASC") o.desc = false;
    else if (w === "DESC") o.desc = true;
    else if (w === "ALPHA") o.alpha = true;
    else if (w === "LIMIT" && left >= 2) {
      const off = intArg(c, argv[i + 1]!);
      if (off === null) return null;
      const n = intArg(c, argv[i + 2]!);
      if (n === null) return null;
      [o.offset, o.count] = [off, n];
      i += 2;
    } else if (w === "STORE" && left >= 1 && !readOnly) o.store = key(argv, ++i);
    else if (w === "BY" && left >= 1) {
      o.by = key(argv, ++i);
      if (o.by.includes("*") && !fullKeys) return (c.reply.error(aclDenied("BY")), null);
    } else if (w === "GET" && left >= 1) {
      if (!fullKeys) return (c.reply.error(aclDenied("GET")), null);
      o.gets.push(key(argv, ++i));
    } else return (c.reply.error(errors.syntax), null);
  }
  return o;
}

/** The value a BY/GET pattern names for `elem`; null when missing or of another type. */
function lookupPattern(x: KvEngine, db: number, pattern: string, elem: string): string | null {
  if (pattern === "#") return elem;
  const star = pattern.indexOf("*");
  if (star < 0) return null;
  const arrow = pattern.indexOf("->", star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const keyName = pattern.slice(0, star) + elem +
    pattern.slice(star + 1, hasField ? arrow : pattern.length);
  const e = x.lookupRead(db, keyName);
  if (e === undefined) return null;
  if (hasField) {
    if (e.type !== "hash") return null;
    return (e.value as Map<string, string>).get(pattern.slice(arrow + 2)) ?? null;
  }
  return e.type === "string" ? e.value as string : null;
}

function elementsOf(value: unknown): string[] {
  if (value instanceof Deque) return value.toArray();
  if (value instanceof Set) return [...value as Set<string>];
  return (value as ZSet).entries().map((en) => en.member);
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts in place; false when a numeric sort met a non-number. */
function sortElements(x: KvEngine, db: number, elems: string[], o: SortOptions): boolean {
  const by = elems.map((m) => (o.by === null ? m : lookupPattern(x, db, o.by, m)));
  const scores = new Map<string, number>();
  if (!o.alpha) {
    for (let i = 0; i < elems.length; i++) {
      const v = by[i];
      const n = v === null || v === undefined ? 0 : parseFloatStrict(v);
      if (n === null) return false;
      scores.set(elems[i]!, n);
    }
  }
  const keyOf = new Map(elems.map((m, i) => [m, by[i] ?? null]));
  elems.sort((a, b) => {
    let cmp: number;
    if (o.alpha) {
      const ka = keyOf.get(a) ?? null, kb = keyOf.get(b) ?? null;
      cmp = ka === null ? (kb === null ? 0 : -1) : kb === null ? 1 : compareBytes(ka, kb);
    } else {
      const sa = scores.get(a)!, sb = scores.get(b)!;
      cmp = sa > sb ? 1 : sa < sb ? -1 : compareBytes(a, b);
    }
    return o.desc ? -cmp : cmp;
  });
  return true;
}

const sort = (readOnly: boolean): Handler => (x, c, argv) => {
  const u = c.aclUser ?? x.acl.defaultUser;
  const o = parseOptions(c, argv, readOnly, u.unrestricted || readsAllKeys(u));
  if (o === null) return;
  const k = key(argv, 1);
  const e = x.lookupRead(c.db, k);
  if (e !== undefined && e.type !== "list" && e.type !== "set" && e.type !== "zset") {
    return c.reply.error(errors.wrongType);
  }
  let elems = e === undefined ? [] : elementsOf(e.value);
  let dontSort = o.by !== null && !o.by.includes("*");
  // A set's order is arbitrary: stored, or returned to a script, it is sorted ALPHA.
  if (dontSort && e?.type === "set" && (o.store !== null || c.fromScript)) {
    [dontSort, o.alpha, o.by] = [false, true, null];
  }
  if (dontSort && o.desc && e?.type !== "set") elems.reverse();
  if (!dontSort && !sortElements(x, c.db, elems, o)) {
    return c.reply.error("ERR One or more scores can't be converted into double");
  }
  let start = o.offset < 0 ? 0 : o.offset;
  let end = o.count < 0 ? elems.length - 1 : start + o.count - 1;
  if (start >= elems.length) [start, end] = [elems.length - 1, elems.length - 2];
  if (end >= elems.length) end = elems.length - 1;
  elems = elems.slice(Math.max(start, 0), end + 1);
  const out: (string | null)[] = o.gets.length === 0
    ? elems
    : elems.flatMap((m) => o.gets.map((g) => lookupPattern(x, c.db, g, m)));
  if (o.store === null) {
    c.reply.array(out.length);
    for (const v of out) v === null ? c.reply.nil() : c.reply.bulkLatin1(v);
    return;
  }
  const existed = x.deleteKey(c.db, o.store);
  if (out.length > 0) {
    const d = new Deque();
    for (const v of out) d.pushBack(v ?? "");
    x.setValue(c.db, o.store, "list", d);
    x.notify(ev.list, "sortstore", c.db, o.store);
  } else if (existed) x.notify(ev.generic, "del", c.db, o.store);
  c.reply.integer(out.length);
};

/** SORT and SORT_RO by lower-case name. */
export const sortHandlers: Record<string, Handler> = { sort: sort(false), sort_ro: sort(true) };
