/**
 * Pieces the consumer-group commands share: finding a group, creating
 * consumers, and logging group changes in the deterministic forms Redis
 * propagates (XCLAIM ... TIME t RETRYCOUNT n FORCE JUSTID LASTID id, and
 * XGROUP SETID ... ENTRIESREAD n), so WAL replay restores delivery times and
 * counters exactly.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";
import { fromLatin1, intBytes, latin1 } from "./bytes.ts";
import { typed } from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";
import { formatId, type Stream, type StreamId } from "./stream.ts";
import { Consumer, type ConsumerGroup, type PendingEntry } from "./stream_group.ts";

const text = (s: string) => fromLatin1(s);
const textXgroup = text("XGROUP");
const textXclaim = text("XCLAIM");

/** A stream key and one of its groups. */
export interface GroupRef {
  readonly entry: Entry;
  readonly stream: Stream;
  readonly group: ConsumerGroup;
  readonly keyArg: Uint8Array;
  readonly groupArg: Uint8Array;
}

/**
 * The group `argv[groupAt]` of the stream `argv[keyAt]`. Replies WRONGTYPE
 * (null) or, when key or group is missing, "NOGROUP No such key ... or
 * consumer group ..." followed by `suffix` (null).
 */
export function findGroup(
  x: KvEngine,
  c: KvClient,
  argv: Uint8Array[],
  keyAt: number,
  groupAt: number,
  suffix = "",
): GroupRef | null {
  const keyArg = argv[keyAt]!;
  const groupArg = argv[groupAt]!;
  const e = typed(x, c, latin1(keyArg), "stream", true);
  if (e === null) return null;
  const s = e?.value as Stream | undefined;
  const g = s?.groups.get(latin1(groupArg));
  if (e === undefined || s === undefined || g === undefined) {
    c.reply.error(noGroupError(latin1(keyArg), latin1(groupArg), suffix));
    return null;
  }
  return { entry: e, stream: s, group: g, keyArg, groupArg };
}

/** Redis's NOGROUP text of XREADGROUP, XCLAIM, XPENDING. */
export function noGroupError(k: string, group: string, suffix = ""): string {
  return `NOGROUP No such key '${k}' or consumer group '${group}'${suffix}`;
}

/**
 * The consumer `name` of a group, created (logged and announced) when new;
 * its seen time is refreshed, as Redis's lookups do.
 */
export function consumerFor(x: KvEngine, c: KvClient, ref: GroupRef, name: Uint8Array): Consumer {
  const n = latin1(name);
  let con = ref.group.consumers.get(n);
  if (con !== undefined) {
    con.seenTime = x.now;
    return con;
  }
  con = new Consumer(n, x.now);
  ref.group.consumers.set(n, con);
  x.propagate(c.db, [textXgroup, text("CREATECONSUMER"), ref.keyArg, ref.groupArg, name]);
  x.notify(ev.stream, "xgroup-createconsumer", c.db, latin1(ref.keyArg));
  x.entryChanged(c.db, latin1(ref.keyArg), ref.entry);
  return con;
}

/** Logs a pending entry's state (or, when the entry is gone, its removal) as an XCLAIM. */
export function propagateClaim(
  x: KvEngine,
  c: KvClient,
  ref: GroupRef,
  id: StreamId,
  p: PendingEntry,
): void {
  x.propagate(c.db, [
    textXclaim,
    ref.keyArg,
    ref.groupArg,
    text(p.consumer?.name ?? ""),
    text("0"),
    text(formatId(id)),
    text("TIME"),
    intBytes(p.deliveryTime),
    text("RETRYCOUNT"),
    intBytes(p.deliveryCount),
    text("FORCE"),
    text("JUSTID"),
    text("LASTID"),
    text(formatId(ref.group.lastId)),
  ]);
}

/** Logs a group's last-delivered ID and read counter as XGROUP SETID. */
export function propagateGroupId(x: KvEngine, c: KvClient, ref: GroupRef): void {
  x.propagate(c.db, [
    textXgroup,
    text("SETID"),
    ref.keyArg,
    ref.groupArg,
    text(formatId(ref.group.lastId)),
    text("ENTRIESREAD"),
    intBytes(ref.group.entriesRead),
  ]);
}
