/**
 * Parsing of sorted-set arguments: score and lex bounds, and the range query
 * shared by ZRANGE, ZRANGEBYSCORE, ZRANGEBYLEX, their REV forms and ZRANGESTORE.
 * @module
 */
import { latin1, parseFloatStrict } from "./bytes.ts";
import type { LexBound, ScoreBound, ZEntry, ZSet } from "./zset.ts";
import type { KvClient } from "./client.ts";
import { clampRange, errors, intArg, opt } from "./cmd_util.ts";

/** Parses "(1.5", "-inf", "3"; null when not a float. */
export function parseScoreBound(arg: Uint8Array): ScoreBound | null {
  const exclusive = arg[0] === 40;
  const v = parseFloatStrict(exclusive ? arg.subarray(1) : arg);
  return v === null ? null : { value: v, exclusive };
}

/** Parses "-", "+", "[a", "(a"; null when invalid. */
export function parseLexBound(arg: Uint8Array): LexBound | null {
  if (arg.length === 1 && arg[0] === 45) return { value: null, exclusive: false, infinity: -1 };
  if (arg.length === 1 && arg[0] === 43) return { value: null, exclusive: false, infinity: 1 };
  if (arg[0] === 40 || arg[0] === 91) {
    return { value: latin1(arg.subarray(1)), exclusive: arg[0] === 40, infinity: 0 };
  }
  return null;
}

/** A parsed range query. */
export interface RangeQuery {
  readonly mode: "rank" | "score" | "lex";
  readonly rev: boolean;
  readonly start: number;
  readonly stop: number;
  readonly min: ScoreBound | null;
  readonly max: ScoreBound | null;
  readonly lexMin: LexBound | null;
  readonly lexMax: LexBound | null;
  readonly offset: number;
  /** -1 = no limit. */
  readonly count: number;
}

/** Runs a range query over a sorted set. */
export function runRange(z: ZSet | undefined, q: RangeQuery): ZEntry[] {
  if (z === undefined || z.size === 0) return [];
  const len = z.size;
  if (q.mode === "rank") {
    const r = clampRange(q.start, q.stop, len);
    if (r === null) return [];
    if (!q.rev) return z.rangeByRank(r[0], r[1]);
    return z.rangeByRank(len - 1 - r[1], len - 1 - r[0]).reverse();
  }
  let first: number, last: number;
  if (q.mode === "score") {
    first = z.firstInScore(q.min!);
    last = z.lastInScore(q.max!);
  } else {
    first = z.firstInLex(q.lexMin!);
    last = z.lastInLex(q.lexMax!);
  }
  if (first > last || q.offset < 0) return [];
  const limit = q.count < 0 ? Infinity : q.count;
  if (!q.rev) {
    const from = first + q.offset;
    const to = Math.min(last, from + limit - 1);
    return from > to ? [] : z.rangeByRank(from, to);
  }
  const to = last - q.offset;
  const from = Math.max(first, to - limit + 1);
  return from > to ? [] : z.rangeByRank(from, to).reverse();
}

/** Parses a score range (min, max; swapped for REV forms); replies and returns null on error. */
export function scoreQuery(
  c: KvClient,
  a: Uint8Array,
  b: Uint8Array,
  rev: boolean,
): RangeQuery | null {
  const min = parseScoreBound(rev ? b : a);
  const max = parseScoreBound(rev ? a : b);
  if (min === null || max === null) return (c.reply.error(errors.minMaxFloat), null);
  return {
    mode: "score",
    rev,
    start: 0,
    stop: 0,
    min,
    max,
    lexMin: null,
    lexMax: null,
    offset: 0,
    count: -1,
  };
}

/** Parses a lex range; replies and returns null on error. */
export function lexQuery(
  c: KvClient,
  a: Uint8Array,
  b: Uint8Array,
  rev: boolean,
): RangeQuery | null {
  const lexMin = parseLexBound(rev ? b : a);
  const lexMax = parseLexBound(rev ? a : b);
  if (lexMin === null || lexMax === null) return (c.reply.error(errors.minMaxLex), null);
  return {
    mode: "lex",
    rev,
    start: 0,
    stop: 0,
    min: null,
    max: null,
    lexMin,
    lexMax,
    offset: 0,
    count: -1,
  };
}

/**
 * Parses any ZRANGE-family form. `base` fixes the mode of the legacy commands;
 * `from` is the index of the first option word.
 */
export function parseRange(
  c: KvClient,
  argv: Uint8Array[],
  a: number,
  base: "rank" | "score" | "lex" | null,
  baseRev: boolean,
  from: number,
): { q: RangeQuery; withScores: boolean } | null {
  let mode = base ?? "rank";
  let rev = baseRev;
  let withScores = false;
  let offset = 0, count = -1, limited = false;
  for (let i = from; i < argv.length; i++) {
    const w = opt(argv, i);
    if (w === "WITHSCORES") withScores = true;
    else if (w === "LIMIT" && i + 2 < argv.length) {
      const o = intArg(c, argv[++i]!);
      if (o === null) return null;
      const n = intArg(c, argv[++i]!);
      if (n === null) return null;
      offset = o;
      count = n;
      limited = true;
    } else if (base === null && w === "BYSCORE") mode = "score";
    else if (base === null && w === "BYLEX") mode = "lex";
    else if (base === null && w === "REV") rev = true;
    else return (c.reply.error(errors.syntax), null);
  }
  if (limited && mode === "rank") {
    c.reply.error(
      "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
    );
    return null;
  }
  if (withScores && mode === "lex") {
    c.reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return null;
  }
  let q: RangeQuery | null;
  if (mode === "rank") {
    const start = intArg(c, argv[a]!);
    if (start === null) return null;
    const stop = intArg(c, argv[a + 1]!);
    if (stop === null) return null;
    q = {
      mode,
      rev,
      start,
      stop,
      min: null,
      max: null,
      lexMin: null,
      lexMax: null,
      offset: 0,
      count: -1,
    };
  } else if (mode === "score") q = scoreQuery(c, argv[a]!, argv[a + 1]!, rev);
  else q = lexQuery(c, argv[a]!, argv[a + 1]!, rev);
  if (q === null) return null;
  return { q: { ...q, offset, count }, withScores };
}
