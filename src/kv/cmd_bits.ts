/**
 * Bit and sequence commands on strings: SETBIT, GETBIT, BITCOUNT and LCS
 * (longest common subsequence, with Redis's IDX/LEN/WITHMATCHLEN/MINMATCHLEN).
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { parseInt64 } from "./bytes.ts";
import { errors, type Handler, intArg, key, opt, typed } from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";

const bitOffsetError = "ERR bit offset is not an integer or out of range";

/** A bit offset within the largest string allowed; replies and returns null when invalid. */
function bitOffset(x: KvEngine, c: KvClient, arg: Uint8Array): number | null {
  const v = parseInt64(arg);
  if (typeof v !== "number" || v < 0 || v >= x.config.protoMaxBulkLen * 8) {
    c.reply.error(bitOffsetError);
    return null;
  }
  return v;
}

const setbit: Handler = (x, c, argv) => {
  const offset = bitOffset(x, c, argv[2]!);
  if (offset === null) return;
  const bit = parseInt64(argv[3]!);
  if (bit !== 0 && bit !== 1) return c.reply.error("ERR bit is not an integer or out of range");
  const k = key(argv, 1);
  const e = typed(x, c, k, "string", true);
  if (e === null) return;
  const old = e === undefined ? "" : e.value as string;
  const byte = Math.floor(offset / 8);
  const mask = 0x80 >> (offset & 7);
  const padded = old.length > byte ? old : old + "\u0000".repeat(byte + 1 - old.length);
  const was = padded.charCodeAt(byte);
  const now = bit === 1 ? was | mask : was & ~mask;
  // As Redis: an unchanged bit of an existing string is no write (no dirty, WAL or event).
  if (e !== undefined && padded === old && now === was) return c.reply.integer(bit);
  const next = padded.slice(0, byte) + String.fromCharCode(now) + padded.slice(byte + 1);
  if (e === undefined) x.setValue(c.db, k, "string", next).big = true;
  else {
    e.value = next;
    e.big = true; // "raw" in Redis
    x.entryChanged(c.db, k, e);
  }
  x.notify(ev.string, "setbit", c.db, k);
  c.reply.integer((was & mask) === 0 ? 0 : 1);
};

const getbit: Handler = (x, c, argv) => {
  const offset = bitOffset(x, c, argv[2]!);
  if (offset === null) return;
  const e = typed(x, c, key(argv, 1), "string");
  if (e === null) return;
  const s = e === undefined ? "" : e.value as string;
  const byte = Math.floor(offset / 8);
  if (byte >= s.length) return c.reply.integer(0);
  c.reply.integer((s.charCodeAt(byte) & (0x80 >> (offset & 7))) === 0 ? 0 : 1);
};

function popcount(v: number): number {
  let n = 0;
  for (; v !== 0; v &= v - 1) n++;
  return n;
}

const bitcount: Handler = (x, c, argv) => {
  if (argv.length !== 2 && argv.length !== 4 && argv.length !== 5) {
    return c.reply.error(errors.syntax);
  }
  let bits = false;
  if (argv.length === 5) {
    const unit = opt(argv, 4);
    if (unit !== "BIT" && unit !== "BYTE") return c.reply.error(errors.syntax);
    bits = unit === "BIT";
  }
  let start = 0;
  let end = -1;
  if (argv.length >= 4) {
    const s = intArg(c, argv[2]!);
    if (s === null) return;
    const t = intArg(c, argv[3]!);
    if (t === null) return;
    [start, end] = [s, t];
  }
  const e = typed(x, c, key(argv, 1), "string");
  if (e === null) return;
  const s = e === undefined ? "" : e.value as string;
  const len = bits ? s.length * 8 : s.length;
  if (start < 0) start = Math.max(0, len + start);
  if (end < 0) end = len + end;
  if (end >= len) end = len - 1;
  let n = 0;
  for (let i = start; i <= end; i++) {
    if (bits) n += (s.charCodeAt(Math.floor(i / 8)) & (0x80 >> (i & 7))) === 0 ? 0 : 1;
    else n += popcount(s.charCodeAt(i));
  }
  c.reply.integer(n);
};

/** Options of LCS; null after replying an error. */
function lcsOptions(
  c: KvClient,
  argv: Uint8Array[],
): { idx: boolean; len: boolean; withLen: boolean; minLen: number } | null {
  const o = { idx: false, len: false, withLen: false, minLen: 0 };
  for (let i = 3; i < argv.length; i++) {
    const word = opt(argv, i);
    if (word === "IDX") o.idx = true;
    else if (word === "LEN") o.len = true;
    else if (word === "WITHMATCHLEN") o.withLen = true;
    else if (word === "MINMATCHLEN" && i + 1 < argv.length) {
      const n = intArg(c, argv[++i]!);
      if (n === null) return null;
      o.minLen = Math.max(0, n);
    } else {
      c.reply.error(errors.syntax);
      return null;
    }
  }
  if (o.idx && o.len) {
    c.reply.error("ERR If you want both the length and indexes, please just use IDX.");
    return null;
  }
  return o;
}

function lcsValue(x: KvEngine, c: KvClient, k: string): string | null {
  const e = x.lookupRead(c.db, k);
  if (e === undefined) return "";
  if (e.type === "string") return e.value as string;
  c.reply.error("ERR The specified keys must contain string values");
  return null;
}

/** One matched range: [aStart, aEnd, bStart, bEnd]. */
type LcsRange = [number, number, number, number];

/** The LCS of `a` and `b` and its matching ranges (from the end), as Redis walks them. */
export function lcs(a: string, b: string): { text: string; ranges: LcsRange[] } {
  const w = b.length + 1;
  const t = new Uint32Array((a.length + 1) * w);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      t[i * w + j] = a[i - 1] === b[j - 1]
        ? t[(i - 1) * w + j - 1]! + 1
        : Math.max(t[(i - 1) * w + j]!, t[i * w + j - 1]!);
    }
  }
  const out: string[] = [];
  const ranges: LcsRange[] = [];
  let cur: LcsRange | null = null;
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a[i - 1] === b[j - 1]) {
      out.push(a[i - 1]!);
      if (cur === null) cur = [i - 1, i - 1, j - 1, j - 1];
      else if (cur[0] === i && cur[2] === j) {
        cur[0]--;
        cur[2]--;
      } else emit = true;
      if (cur[0] === 0 || cur[2] === 0) emit = true;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j]! > t[i * w + j - 1]!) i--;
      else j--;
      if (cur !== null) emit = true;
    }
    if (emit && cur !== null) {
      ranges.push(cur);
      cur = null;
    }
  }
  return { text: out.reverse().join(""), ranges };
}

const lcsCommand: Handler = (x, c, argv) => {
  const o = lcsOptions(c, argv);
  if (o === null) return;
  const a = lcsValue(x, c, key(argv, 1));
  if (a === null) return;
  const b = lcsValue(x, c, key(argv, 2));
  if (b === null) return;
  if ((a.length + 1) * (b.length + 1) * 4 > x.config.protoMaxBulkLen) {
    return c.reply.error(
      "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
    );
  }
  const r = lcs(a, b);
  if (o.len) return c.reply.integer(r.text.length);
  if (!o.idx) return c.reply.bulkLatin1(r.text);
  const kept = r.ranges.filter((m) => m[1] - m[0] + 1 >= o.minLen);
  c.reply.map(2);
  c.reply.bulkText("matches");
  c.reply.array(kept.length);
  for (const m of kept) {
    c.reply.array(o.withLen ? 3 : 2);
    c.reply.array(2);
    c.reply.integer(m[0]);
    c.reply.integer(m[1]);
    c.reply.array(2);
    c.reply.integer(m[2]);
    c.reply.integer(m[3]);
    if (o.withLen) c.reply.integer(m[1] - m[0] + 1);
  }
  c.reply.bulkText("len");
  c.reply.integer(r.text.length);
};

/** Bit and LCS handlers by lower-case name. */
export const bitHandlers: Record<string, Handler> = {
  setbit,
  getbit,
  bitcount,
  lcs: lcsCommand,
};
