/**
 * XCLAIM and XAUTOCLAIM: move pending entries to another consumer. Each
 * change is logged as the deterministic XCLAIM form (see
 * stream_group_util.ts), which is also what replay runs.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1, parseInt64 } from "./bytes.ts";
import { errors, type Handler, opt } from "./cmd_util.ts";
import { formatId, idMax, type StreamId } from "./stream.ts";
import type { Consumer, PendingEntry } from "./stream_group.ts";
import { intervalIdArg, strictIdArg } from "./stream_args.ts";
import { replyEntry } from "./cmd_streams.ts";
import {
  consumerFor,
  findGroup,
  type GroupRef,
  propagateClaim,
  propagateGroupId,
} from "./stream_group_util.ts";

/** XCLAIM's options after the IDs. */
interface ClaimOptions {
  /** Delivery time to set (ms since the epoch). */
  deliveryTime: number;
  retryCount: number;
  force: boolean;
  justId: boolean;
  lastId: StreamId;
}

function claimOptions(
  x: KvEngine,
  c: KvClient,
  argv: Uint8Array[],
  from: number,
): ClaimOptions | null {
  const o: ClaimOptions = {
    deliveryTime: -1,
    retryCount: -1,
    force: false,
    justId: false,
    lastId: 0n,
  };
  for (let i = from; i < argv.length; i++) {
    const word = opt(argv, i);
    const more = i + 1 < argv.length;
    const number = (name: string): number | null => {
      const v = parseInt64(argv[++i]!);
      if (v === null) c.reply.error(`ERR Invalid ${name} option argument for XCLAIM`);
      return v === null ? null : Number(v);
    };
    if (word === "FORCE") o.force = true;
    else if (word === "JUSTID") o.justId = true;
    else if (word === "IDLE" && more) {
      const v = number("IDLE");
      if (v === null) return null;
      o.deliveryTime = x.now - v;
    } else if (word === "TIME" && more) {
      const v = number("TIME");
      if (v === null) return null;
      o.deliveryTime = v;
    } else if (word === "RETRYCOUNT" && more) {
      const v = number("RETRYCOUNT");
      if (v === null) return null;
      o.retryCount = v;
    } else if (word === "LASTID" && more) {
      const parsed = strictIdArg(c, argv[++i]!);
      if (parsed === null) return null;
      o.lastId = parsed.id;
    } else {
      c.reply.error(`ERR Unrecognized XCLAIM option '${latin1(argv[i]!)}'`);
      return null;
    }
  }
  if (o.deliveryTime < 0 || o.deliveryTime > x.now) o.deliveryTime = x.now;
  return o;
}

/** Parses a min-idle-time (negative counts as 0); null after replying. */
function minIdleArg(c: KvClient, arg: Uint8Array, command: string): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.reply.error(`ERR Invalid min-idle-time argument for ${command}`);
    return null;
  }
  return v < 0 ? 0 : Number(v);
}

/** Drops a pending entry whose stream entry is gone, logging the removal. */
function dropGone(x: KvEngine, c: KvClient, ref: GroupRef, id: StreamId, p: PendingEntry): void {
  propagateClaim(x, c, ref, id, p);
  ref.group.ack(id);
}

/** Replies a claimed entry (or just its ID). */
function replyClaimed(c: KvClient, ref: GroupRef, id: StreamId, justId: boolean): void {
  if (justId) return c.reply.bulkText(formatId(id));
  const en = ref.stream.get(id);
  if (en === undefined) c.reply.nil();
  else replyEntry(c, en);
}

/** XCLAIM key group consumer min-idle-time id... [options]. */
const xclaim: Handler = (x, c, argv) => {
  const ref = findGroup(x, c, argv, 1, 2);
  if (ref === null) return;
  const minIdle = minIdleArg(c, argv[4]!, "XCLAIM");
  if (minIdle === null) return;
  const ids: StreamId[] = [];
  let i = 5;
  for (; i < argv.length; i++) {
    const parsed = parsedId(argv[i]!);
    if (parsed === null) break;
    ids.push(parsed);
  }
  const o = claimOptions(x, c, argv, i);
  if (o === null) return;
  let propagateLastId = false;
  if (o.lastId > ref.group.lastId) {
    ref.group.lastId = o.lastId;
    propagateLastId = true;
  }
  let consumer: Consumer | null = null;
  const claimed: StreamId[] = [];
  for (const id of ids) {
    let p = ref.group.pel.get(id);
    if (!ref.stream.has(id)) {
      if (p !== undefined) {
        dropGone(x, c, ref, id, p);
        propagateLastId = false;
      }
      continue;
    }
    if (o.force && p === undefined) p = { consumer: null, deliveryTime: 0, deliveryCount: 0 };
    if (p === undefined) continue;
    if (p.consumer !== null && minIdle !== 0 && x.now - p.deliveryTime < minIdle) continue;
    consumer ??= consumerFor(x, c, ref, argv[3]!);
    p.deliveryTime = o.deliveryTime;
    if (o.retryCount >= 0) p.deliveryCount = o.retryCount;
    else if (!o.justId) p.deliveryCount++;
    ref.group.assign(id, p, consumer);
    claimed.push(id);
    propagateClaim(x, c, ref, id, p);
    propagateLastId = false;
  }
  if (propagateLastId) propagateGroupId(x, c, ref);
  if (claimed.length !== 0 || propagateLastId) x.entryChanged(c.db, latin1(ref.keyArg), ref.entry);
  c.reply.array(claimed.length);
  for (const id of claimed) replyClaimed(c, ref, id, o.justId);
};

/** A strict ID, or null (no reply: XCLAIM's options start at the first non-ID). */
function parsedId(arg: Uint8Array): StreamId | null {
  const text = latin1(arg);
  const m = /^(\d{1,20})(?:-(\d{1,20}))?$/.exec(text);
  if (m === null) return null;
  const ms = BigInt(m[1]!);
  const seq = BigInt(m[2] ?? "0");
  if (ms > idMax >> 64n || seq > idMax >> 64n) return null;
  return (ms << 64n) | seq;
}

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]. */
const xautoclaim: Handler = (x, c, argv) => {
  const minIdle = minIdleArg(c, argv[4]!, "XAUTOCLAIM");
  if (minIdle === null) return;
  const start = intervalIdArg(c, argv[5]!, true);
  if (start === null) return;
  let count = 100;
  let justId = false;
  for (let i = 6; i < argv.length; i++) {
    const word = opt(argv, i);
    if (word === "COUNT" && i + 1 < argv.length) {
      const v = parseInt64(argv[++i]!);
      if (v === null || v < 1 || v > Number.MAX_SAFE_INTEGER / 10) {
        return c.reply.error("ERR COUNT must be > 0");
      }
      count = Number(v);
    } else if (word === "JUSTID") justId = true;
    else return c.reply.error(errors.syntax);
  }
  const ref = findGroup(x, c, argv, 1, 2);
  if (ref === null) return;
  let attempts = count * 10;
  const ids = ref.group.pel.range(start, idMax);
  const claimed: StreamId[] = [];
  const deleted: StreamId[] = [];
  let consumer: Consumer | null = null;
  let at = 0;
  for (; attempts-- > 0 && count > 0 && at < ids.length; at++) {
    const id = ids[at]!;
    const p = ref.group.pel.get(id)!;
    if (!ref.stream.has(id)) {
      dropGone(x, c, ref, id, p);
      deleted.push(id);
      count--;
      continue;
    }
    if (minIdle !== 0 && x.now - p.deliveryTime < minIdle) continue;
    consumer ??= consumerFor(x, c, ref, argv[3]!);
    p.deliveryTime = x.now;
    if (!justId) p.deliveryCount++;
    ref.group.assign(id, p, consumer);
    claimed.push(id);
    count--;
    propagateClaim(x, c, ref, id, p);
  }
  if (claimed.length !== 0 || deleted.length !== 0) {
    x.entryChanged(c.db, latin1(ref.keyArg), ref.entry);
  }
  c.reply.array(3);
  c.reply.bulkText(formatId(at < ids.length ? ids[at]! : 0n));
  c.reply.array(claimed.length);
  for (const id of claimed) replyClaimed(c, ref, id, justId);
  c.reply.array(deleted.length);
  for (const id of deleted) c.reply.bulkText(formatId(id));
};

/** XCLAIM and XAUTOCLAIM by lower-case name. */
export const streamClaimHandlers: Record<string, Handler> = { xclaim, xautoclaim };
