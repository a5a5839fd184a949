/**
 * Bitmap commands across whole strings: BITOP (AND, OR, XOR, NOT into a
 * destination key) and BITPOS (first set or clear bit in a byte or bit
 * range), with Redis's padding rules and error texts.
 * @module
 */
import { errors, type Handler, intArg, key, opt, typed } from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";

type BitOp = "AND" | "OR" | "XOR" | "NOT";

function combine(op: BitOp, sources: readonly string[]): string {
  let len = 0;
  for (const s of sources) if (s.length > len) len = s.length;
  if (op === "NOT") {
    const s = sources[0]!;
    let out = "";
    for (let i = 0; i < len; i++) out += String.fromCharCode(~s.charCodeAt(i) & 0xff);
    return out;
  }
  const bytes = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    // Shorter strings read as zero bytes past their end.
    let v = i < sources[0]!.length ? sources[0]!.charCodeAt(i) : 0;
    for (let j = 1; j < sources.length; j++) {
      const s = sources[j]!;
      const b = i < s.length ? s.charCodeAt(i) : 0;
      v = op === "AND" ? v & b : op === "OR" ? v | b : v ^ b;
    }
    bytes[i] = v;
  }
  let out = "";
  for (let i = 0; i < len; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, Math.min(len, i + 8192)));
  }
  return out;
}

const bitop: Handler = (x, c, argv) => {
  const op = opt(argv, 1);
  if (op !== "AND" && op !== "OR" && op !== "XOR" && op !== "NOT") {
    return c.reply.error(errors.syntax);
  }
  if (op === "NOT" && argv.length !== 4) {
    return c.reply.error("ERR BITOP NOT must be called with a single source key.");
  }
  const sources: string[] = [];
  for (let i = 3; i < argv.length; i++) {
    const e = typed(x, c, key(argv, i), "string");
    if (e === null) return;
    sources.push(e === undefined ? "" : e.value as string);
  }
  const dst = key(argv, 2);
  const out = combine(op, sources);
  if (out.length === 0) {
    if (x.deleteKey(c.db, dst)) x.notify(ev.generic, "del", c.db, dst);
  } else {
    x.setValue(c.db, dst, "string", out);
    x.notify(ev.string, "set", c.db, dst);
  }
  c.reply.integer(out.length);
};

/** Position of the first bit equal to `bit` in bits [from, to] of `s`, or -1. */
function firstBit(s: string, bit: number, from: number, to: number): number {
  const skip = bit === 1 ? 0x00 : 0xff;
  for (let i = from; i <= to;) {
    const byte = s.charCodeAt(Math.floor(i / 8));
    if ((i & 7) === 0 && i + 7 <= to && byte === skip) {
      i += 8;
      continue;
    }
    if (((byte >> (7 - (i & 7))) & 1) === bit) return i;
    i++;
  }
  return -1;
}

const bitpos: Handler = (x, c, argv) => {
  const bitArg = intArg(c, argv[2]!);
  if (bitArg === null) return;
  if (bitArg !== 0 && bitArg !== 1) return c.reply.error("ERR The bit argument must be 1 or 0.");
  const bit = bitArg;
  if (argv.length > 6) return c.reply.error(errors.syntax);
  const e = typed(x, c, key(argv, 1), "string");
  if (e === null) return;
  if (e === undefined) return c.reply.integer(bit === 1 ? -1 : 0);
  const s = e.value as string;
  let bits = false;
  if (argv.length === 6) {
    const unit = opt(argv, 5);
    if (unit !== "BIT" && unit !== "BYTE") return c.reply.error(errors.syntax);
    bits = unit === "BIT";
  }
  const len = bits ? s.length * 8 : s.length;
  let start = 0;
  let end = len - 1;
  const endGiven = argv.length >= 5;
  if (argv.length >= 4) {
    const a = intArg(c, argv[3]!);
    if (a === null) return;
    start = a;
    if (endGiven) {
      const b = intArg(c, argv[4]!);
      if (b === null) return;
      end = b;
    }
  }
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end) return c.reply.integer(-1);
  const [from, to] = bits ? [start, end] : [start * 8, end * 8 + 7];
  const pos = firstBit(s, bit, from, to);
  // Without an explicit end, a string reads as padded with clear bits on the right.
  if (pos === -1 && bit === 0 && !endGiven) return c.reply.integer(s.length * 8);
  c.reply.integer(pos);
};

/** BITOP and BITPOS by lower-case name. */
export const bitopHandlers: Record<string, Handler> = { bitop, bitpos };
