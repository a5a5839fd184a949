/**
 * Sorted-set algebra: ZUNION/ZINTER/ZDIFF and their STORE forms. Plain sets
 * are accepted as inputs with score 1, as in Redis.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { ZSet } from "./zset.ts";
import { parseFloatStrict } from "./bytes.ts";
import { errors, type Handler, intArg, key, opt } from "./cmd_util.ts";
import { replyEntries } from "./cmd_zsets.ts";
import { notifyFlags as ev } from "./notify.ts";

type Op = "union" | "inter" | "diff";

function inputs(x: KvEngine, c: KvClient, keys: string[]): Map<string, number>[] | null {
  const out: Map<string, number>[] = [];
  for (const k of keys) {
    const e = x.lookupRead(c.db, k);
    if (e === undefined) out.push(new Map());
    else if (e.type === "zset") out.push((e.value as ZSet).scores);
    else if (e.type === "set") out.push(new Map([...(e.value as Set<string>)].map((m) => [m, 1])));
    else return (c.reply.error(errors.wrongType), null);
  }
  return out;
}

function aggregate(a: number, b: number, how: string): number {
  if (how === "MIN") return Math.min(a, b);
  if (how === "MAX") return Math.max(a, b);
  const r = a + b;
  return Number.isNaN(r) ? 0 : r;
}

function weighted(score: number, w: number): number {
  const r = score * w;
  return Number.isNaN(r) ? 0 : r;
}

function compute(sets: Map<string, number>[], weights: number[], how: string, op: Op): ZSet {
  const out = new ZSet();
  if (op === "diff") {
    for (const [m, s] of sets[0]!) {
      if (!sets.slice(1).some((o) => o.has(m))) out.add(m, s);
    }
    return out;
  }
  if (op === "union") {
    const acc = new Map<string, number>();
    sets.forEach((s, i) => {
      for (const [m, v] of s) {
        const w = weighted(v, weights[i]!);
        const old = acc.get(m);
        acc.set(m, old === undefined ? w : aggregate(old, w, how));
      }
    });
    for (const [m, v] of acc) out.add(m, v);
    return out;
  }
  const order = sets.map((_, i) => i).sort((a, b) => sets[a]!.size - sets[b]!.size);
  const smallest = order[0]!;
  outer: for (const [m, v] of sets[smallest]!) {
    let score = weighted(v, weights[smallest]!);
    for (const i of order.slice(1)) {
      const other = sets[i]!.get(m);
      if (other === undefined) continue outer;
      score = aggregate(score, weighted(other, weights[i]!), how);
    }
    out.add(m, score);
  }
  return out;
}

const zsetop = (op: Op, store: boolean): Handler => (x, c, argv) => {
  const name = (op === "union" ? "zunion" : op === "inter" ? "zinter" : "zdiff") +
    (store ? "store" : "");
  const at = store ? 2 : 1;
  const n = intArg(c, argv[at]!);
  if (n === null) return;
  if (n <= 0) return c.reply.error(`ERR at least 1 input key is needed for '${name}' command`);
  if (n > argv.length - at - 1) return c.reply.error(errors.syntax);
  const keys: string[] = [];
  for (let i = at + 1; i <= at + n; i++) keys.push(key(argv, i));
  const weights = keys.map(() => 1);
  let how = "SUM";
  let withScores = false;
  for (let i = at + 1 + n; i < argv.length; i++) {
    const w = opt(argv, i);
    if (w === "WEIGHTS" && op !== "diff" && i + n < argv.length) {
      for (let j = 0; j < n; j++) {
        const v = parseFloatStrict(argv[++i]!);
        if (v === null) return c.reply.error("ERR weight value is not a float");
        weights[j] = v;
      }
    } else if (w === "AGGREGATE" && op !== "diff" && i + 1 < argv.length) {
      how = opt(argv, ++i);
      if (how !== "SUM" && how !== "MIN" && how !== "MAX") return c.reply.error(errors.syntax);
    } else if (w === "WITHSCORES" && !store) withScores = true;
    else return c.reply.error(errors.syntax);
  }
  const sets = inputs(x, c, keys);
  if (sets === null) return;
  const out = compute(sets, weights, how, op);
  if (!store) return replyEntries(c, out.entries(), withScores);
  const dst = key(argv, 1);
  const existed = x.deleteKey(c.db, dst);
  if (out.size > 0) {
    x.setValue(c.db, dst, "zset", out);
    x.notify(ev.zset, `z${op}store`, c.db, dst);
  } else if (existed) x.notify(ev.generic, "del", c.db, dst);
  c.reply.integer(out.size);
};

/** ZINTERCARD numkeys key... [LIMIT n]: the size of the intersection, capped by LIMIT. */
const zintercard: Handler = (x, c, argv) => {
  const n = intArg(c, argv[1]!);
  if (n === null) return;
  if (n <= 0) return c.reply.error("ERR at least 1 input key is needed for 'zintercard' command");
  if (n > argv.length - 2) return c.reply.error(errors.syntax);
  let limit = 0;
  for (let i = 2 + n; i < argv.length; i++) {
    if (opt(argv, i) === "LIMIT" && i + 1 < argv.length) {
      const l = intArg(c, argv[++i]!, "ERR LIMIT can't be negative");
      if (l === null) return;
      if (l < 0) return c.reply.error("ERR LIMIT can't be negative");
      limit = l;
    } else return c.reply.error(errors.syntax);
  }
  const keys: string[] = [];
  for (let i = 2; i < 2 + n; i++) keys.push(key(argv, i));
  const sets = inputs(x, c, keys);
  if (sets === null) return;
  const size = compute(sets, keys.map(() => 1), "SUM", "inter").size;
  c.reply.integer(limit > 0 ? Math.min(limit, size) : size);
};

/** Sorted-set algebra handlers by lower-case name. */
export const zsetOpHandlers: Record<string, Handler> = {
  zunion: zsetop("union", false),
  zinter: zsetop("inter", false),
  zdiff: zsetop("diff", false),
  zunionstore: zsetop("union", true),
  zinterstore: zsetop("inter", true),
  zdiffstore: zsetop("diff", true),
  zintercard,
};
