/**
 * BITFIELD and BITFIELD_RO: signed and unsigned integers of 1 to 64 bits
 * (u64 excluded, as in Redis) at any bit offset of a string, read, written
 * and incremented with the WRAP, SAT or FAIL overflow policy.
 * @module
 */
import type { KvClient } from "./client.ts";
import { latin1, parseInt64 } from "./bytes.ts";
import { errors, type Handler, key, opt, typed } from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";

type Overflow = "WRAP" | "SAT" | "FAIL";

interface FieldOp {
  readonly kind: "GET" | "SET" | "INCRBY";
  readonly signed: boolean;
  readonly bits: number;
  readonly offset: number;
  readonly arg: bigint;
  readonly overflow: Overflow;
}

const typeError =
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
const offsetError = "ERR bit offset is not an integer or out of range";

/** Parses "i8", "u16"...; null when invalid. */
function fieldType(text: string): { signed: boolean; bits: number } | null {
  const m = /^([iu])(\d+)$/i.exec(text);
  if (m === null) return null;
  const signed = m[1] === "i" || m[1] === "I";
  const bits = Number(m[2]);
  if (bits < 1 || (signed && bits > 64) || (!signed && bits > 63)) return null;
  return { signed, bits };
}

/** Parses an offset ("#n" counts in units of the field width); null when invalid. */
function fieldOffset(text: string, bits: number, maxBits: number): number | null {
  const times = text.startsWith("#");
  const digits = times ? text.slice(1) : text;
  if (!/^\d+$/.test(digits)) return null;
  const n = Number(digits) * (times ? bits : 1);
  return Number.isSafeInteger(n) && n + bits <= maxBits ? n : null;
}

/** Parses the subcommands; replies and returns null on error. */
function parseOps(c: KvClient, argv: Uint8Array[], maxBits: number): FieldOp[] | null {
  const ops: FieldOp[] = [];
  let overflow: Overflow = "WRAP";
  for (let i = 2; i < argv.length; i++) {
    const word = opt(argv, i);
    if (word === "OVERFLOW" && i + 1 < argv.length) {
      const o = opt(argv, ++i);
      if (o !== "WRAP" && o !== "SAT" && o !== "FAIL") {
        c.reply.error("ERR Invalid OVERFLOW type specified");
        return null;
      }
      overflow = o;
      continue;
    }
    const needs = word === "GET" ? 2 : word === "SET" || word === "INCRBY" ? 3 : 0;
    if (needs === 0 || i + needs >= argv.length) {
      c.reply.error(errors.syntax);
      return null;
    }
    const t = fieldType(latin1(argv[i + 1]!));
    if (t === null) return (c.reply.error(typeError), null);
    const offset = fieldOffset(latin1(argv[i + 2]!), t.bits, maxBits);
    if (offset === null) return (c.reply.error(offsetError), null);
    let arg = 0n;
    if (needs === 3) {
      const v = parseInt64(argv[i + 3]!);
      if (v === null) return (c.reply.error(errors.notInteger), null);
      arg = BigInt(v);
    }
    ops.push({ kind: word as FieldOp["kind"], ...t, offset, arg, overflow });
    i += needs;
  }
  return ops;
}

/** The unsigned value of `bits` bits at bit `offset` (bits past the end read as 0). */
function readBits(s: string, offset: number, bits: number): bigint {
  let v = 0n;
  for (let i = offset; i < offset + bits; i++) {
    const byte = Math.floor(i / 8);
    const b = byte < s.length ? (s.charCodeAt(byte) >> (7 - (i & 7))) & 1 : 0;
    v = (v << 1n) | BigInt(b);
  }
  return v;
}

/** Writes the low `bits` bits of `value` at bit `offset` of `bytes`. */
function writeBits(bytes: Uint8Array, offset: number, bits: number, value: bigint): void {
  for (let j = 0; j < bits; j++) {
    const i = offset + j;
    const bit = Number((value >> BigInt(bits - 1 - j)) & 1n);
    const byte = Math.floor(i / 8);
    const mask = 0x80 >> (i & 7);
    bytes[byte] = bit === 1 ? bytes[byte]! | mask : bytes[byte]! & ~mask;
  }
}

/** `value + incr` fitted to the field under its overflow policy; null on FAIL. */
function fit(op: FieldOp, value: bigint, incr: bigint): bigint | null {
  const b = BigInt(op.bits);
  const max = op.signed ? (1n << (b - 1n)) - 1n : (1n << b) - 1n;
  const min = op.signed ? -(1n << (b - 1n)) : 0n;
  const sum = value + incr;
  const over = value > max || sum > max;
  const under = !over && (value < min || sum < min);
  if (!over && !under) return sum;
  if (op.overflow === "FAIL") return null;
  if (op.overflow === "SAT") return over ? max : min;
  return op.signed ? BigInt.asIntN(op.bits, sum) : BigInt.asUintN(op.bits, sum);
}

/** A reply integer: a number when exact, else the bigint. */
function int(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

function signedOf(op: FieldOp, raw: bigint): bigint {
  return op.signed ? BigInt.asIntN(op.bits, raw) : raw;
}

const bitfield = (readOnly: boolean): Handler => (x, c, argv) => {
  const ops = parseOps(c, argv, x.config.protoMaxBulkLen * 8);
  if (ops === null) return;
  const writes = ops.filter((o) => o.kind !== "GET");
  if (readOnly && writes.length > 0) {
    return c.reply.error("ERR BITFIELD_RO only supports the GET subcommand");
  }
  const k = key(argv, 1);
  const e = typed(x, c, k, "string", writes.length > 0);
  if (e === null) return;
  const old = e === undefined ? "" : e.value as string;
  // As Redis: a writing BITFIELD first grows the string to its highest written bit.
  let need = old.length;
  for (const o of writes) need = Math.max(need, Math.floor((o.offset + o.bits - 1) / 8) + 1);
  const bytes = new Uint8Array(writes.length > 0 ? need : 0);
  for (let i = 0; i < old.length && i < bytes.length; i++) bytes[i] = old.charCodeAt(i);
  let changed = writes.length > 0 && (e === undefined || need > old.length);
  c.reply.array(ops.length);
  let current = old;
  for (const o of ops) {
    const raw = readBits(current, o.offset, o.bits);
    if (o.kind === "GET") {
      c.reply.integer(int(signedOf(o, raw)));
      continue;
    }
    const value = o.signed ? signedOf(o, raw) : raw;
    const next = o.kind === "SET"
      ? fit(o, o.signed ? o.arg : BigInt.asUintN(64, o.arg), 0n)
      : fit(o, value, o.arg);
    if (next === null) {
      c.reply.nil();
      continue;
    }
    writeBits(bytes, o.offset, o.bits, BigInt.asUintN(o.bits, next));
    if (BigInt.asUintN(o.bits, next) !== raw) changed = true;
    current = latin1(bytes);
    c.reply.integer(int(o.kind === "SET" ? value : next));
  }
  if (!changed) return;
  const text = current.length === bytes.length ? current : latin1(bytes);
  if (e === undefined) x.setValue(c.db, k, "string", text).big = true;
  else {
    e.value = text;
    e.big = true;
    x.entryChanged(c.db, k, e);
  }
  x.notify(ev.string, "setbit", c.db, k);
};

/** BITFIELD and BITFIELD_RO by lower-case name. */
export const bitfieldHandlers: Record<string, Handler> = {
  bitfield: bitfield(false),
  bitfield_ro: bitfield(true),
};
