/**
 * HyperLogLog commands: PFADD, PFCOUNT (with the cached cardinality in the
 * header), PFMERGE, PFDEBUG and PFSELFTEST, over Redis's string layout
 * (hll.ts), with Redis's replies for invalid and corrupt values.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";
import { latin1 } from "./bytes.ts";
import { errors, type Handler, key, opt } from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";
import {
  cachedCount,
  cacheOf,
  decodeHll,
  emptyHll,
  encodeHll,
  type Hll,
  hllCount,
  hllRegisters,
  patchDense,
  patternOf,
  staleCache,
  staleOf,
  validHeader,
} from "./hll.ts";

const invalidHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const corruptHll = "INVALIDOBJ Corrupted HLL object detected";

/**
 * The HyperLogLog entry under `k`: undefined when missing, null after
 * replying WRONGTYPE (another type, or a string that is no HyperLogLog).
 */
function hllEntry(x: KvEngine, c: KvClient, k: string, write: boolean): Entry | undefined | null {
  const e = write ? x.lookupWrite(c.db, k) : x.lookupRead(c.db, k);
  if (e === undefined) return undefined;
  if (e.type !== "string") return (c.reply.error(errors.wrongType), null);
  if (!validHeader(e.value as string)) return (c.reply.error(invalidHll), null);
  return e;
}

/** Stores new registers (stale cache) under `k`, reusing `e` when it exists. */
function storeHll(x: KvEngine, c: KvClient, k: string, e: Entry | undefined, h: Hll): void {
  const cache = e === undefined ? staleCache : staleOf(e.value as string);
  const text = encodeHll(h, cache, x.config.hllSparseMaxBytes);
  if (e === undefined) x.setValue(c.db, k, "string", text).big = true;
  else {
    e.value = text;
    x.entryChanged(c.db, k, e);
  }
}

const pfadd: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = hllEntry(x, c, k, true);
  if (e === null) return;
  const text = e === undefined ? emptyHll() : e.value as string;
  const h = decodeHll(text);
  if (h === null) return c.reply.error(corruptHll);
  const changed: number[] = [];
  for (let i = 2; i < argv.length; i++) {
    const [reg, count] = patternOf(latin1(argv[i]!));
    if (count > h.registers[reg]!) {
      h.registers[reg] = count;
      changed.push(reg);
    }
  }
  if (e !== undefined && changed.length === 0) return c.reply.integer(0);
  if (e !== undefined && h.dense && changed.length <= 64) {
    e.value = patchDense(text, h, changed);
    x.entryChanged(c.db, k, e);
  } else storeHll(x, c, k, e, h);
  x.notify(ev.string, "pfadd", c.db, k);
  c.reply.integer(1);
};

/** Folds the registers of `k` into `max`; false after replying an error. */
function mergeInto(
  x: KvEngine,
  c: KvClient,
  k: string,
  max: Uint8Array,
  seen: { dense: boolean },
): boolean {
  const e = hllEntry(x, c, k, false);
  if (e === null) return false;
  if (e === undefined) return true;
  const h = decodeHll(e.value as string);
  if (h === null) return (c.reply.error(corruptHll), false);
  if (h.dense) seen.dense = true;
  for (let r = 0; r < hllRegisters; r++) if (h.registers[r]! > max[r]!) max[r] = h.registers[r]!;
  return true;
}

const pfcount: Handler = (x, c, argv) => {
  if (argv.length > 2) {
    const max = new Uint8Array(hllRegisters);
    for (let i = 1; i < argv.length; i++) {
      if (!mergeInto(x, c, key(argv, i), max, { dense: false })) return;
    }
    return c.reply.integer(hllCount(max));
  }
  const k = key(argv, 1);
  const e = hllEntry(x, c, k, false);
  if (e === null) return;
  if (e === undefined) return c.reply.integer(0);
  const text = e.value as string;
  const cached = cachedCount(text);
  if (cached !== null) return c.reply.integer(cached);
  const h = decodeHll(text);
  if (h === null) return c.reply.error(corruptHll);
  const card = hllCount(h.registers);
  // As Redis: the estimate is cached in the header, which counts as a change of the key.
  e.value = text.slice(0, 8) + cacheOf(card) + text.slice(16);
  x.entryChanged(c.db, k, e);
  c.reply.integer(card);
};

const pfmerge: Handler = (x, c, argv) => {
  const max = new Uint8Array(hllRegisters);
  const seen = { dense: false };
  for (let i = 1; i < argv.length; i++) if (!mergeInto(x, c, key(argv, i), max, seen)) return;
  const k = key(argv, 1);
  const e = x.lookupWrite(c.db, k);
  const current = e === undefined ? null : decodeHll(e.value as string);
  storeHll(x, c, k, e, { dense: seen.dense || current?.dense === true, registers: max });
  x.notify(ev.string, "pfadd", c.db, k);
  c.reply.ok();
};

/** The sparse opcodes of a HyperLogLog as PFDEBUG DECODE prints them. */
function describeSparse(text: string): string {
  const parts: string[] = [];
  for (let p = 16; p < text.length;) {
    const op = text.charCodeAt(p);
    if ((op & 0xc0) === 0) (parts.push(`z:${(op & 0x3f) + 1}`), p++);
    else if ((op & 0xc0) === 0x40) {
      parts.push(`Z:${(((op & 0x3f) << 8) | text.charCodeAt(p + 1)) + 1}`);
      p += 2;
    } else (parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`), p++);
  }
  return parts.join(" ");
}

const pfdebug: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  const k = key(argv, 2);
  const e = hllEntry(x, c, k, true);
  if (e === null) return;
  if (e === undefined) return c.reply.error("ERR The specified key does not exist");
  const text = e.value as string;
  const h = decodeHll(text);
  if (h === null) return c.reply.error(corruptHll);
  const toDense = (): boolean => {
    if (h.dense) return false;
    e.value = encodeHll({ dense: true, registers: h.registers }, text.slice(8, 16), 0);
    x.entryChanged(c.db, k, e);
    return true;
  };
  if (sub === "GETREG") {
    toDense();
    c.reply.array(hllRegisters);
    for (const v of h.registers) c.reply.integer(v);
  } else if (sub === "ENCODING") c.reply.simple(h.dense ? "dense" : "sparse");
  else if (sub === "TODENSE") c.reply.integer(toDense() ? 1 : 0);
  else if (sub === "DECODE") {
    if (h.dense) return c.reply.error("ERR HLL encoding is not sparse");
    c.reply.simple(describeSparse(text));
  } else c.reply.error(`ERR Unknown PFDEBUG subcommand '${latin1(argv[1]!)}'`);
};

/** PFSELFTEST: checks the dense and sparse layouts round-trip and the estimate's error. */
const pfselftest: Handler = (_x, c) => {
  const registers = new Uint8Array(hllRegisters);
  for (let r = 0; r < hllRegisters; r++) registers[r] = (r * 7919) % 64;
  const dense = decodeHll(encodeHll({ dense: true, registers }, staleCache, 0));
  if (dense === null || dense.registers.some((v, r) => v !== registers[r])) {
    return c.reply.error("ERR TESTFAILED Register error");
  }
  const h: Hll = { dense: false, registers: new Uint8Array(hllRegisters) };
  for (let n = 1; n <= 5000; n++) {
    const [reg, count] = patternOf(String(n));
    if (count > h.registers[reg]!) h.registers[reg] = count;
    if (n % 1000 !== 0) continue;
    const back = decodeHll(encodeHll(h, staleCache, 1 << 30));
    const est = hllCount(back?.registers ?? new Uint8Array(0));
    if (Math.abs(est - n) > n * 0.05) return c.reply.error(`ERR TESTFAILED n=${n} est=${est}`);
  }
  c.reply.ok();
};

/** HyperLogLog handlers by lower-case name. */
export const hllHandlers: Record<string, Handler> = {
  pfadd,
  pfcount,
  pfmerge,
  pfdebug,
  pfselftest,
};
