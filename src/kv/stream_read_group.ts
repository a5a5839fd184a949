/**
 * The reading side of XREADGROUP: which streams a call serves, the new
 * entries it delivers (added to the pending lists unless NOACK, and logged
 * as XCLAIM plus XGROUP SETID), and a consumer's history.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";
import { key, typed } from "./cmd_util.ts";
import { idMax, type Stream, type StreamEntry } from "./stream.ts";
import { strictIdArg } from "./stream_args.ts";
import {
  consumerFor,
  type GroupRef,
  noGroupError,
  propagateClaim,
  propagateGroupId,
} from "./stream_group_util.ts";

/** Parsed XREAD/XREADGROUP options. */
export interface ReadArgs {
  /** Entries per stream at most; 0 for no bound. */
  readonly count: number;
  /** BLOCK in ms, -1 when not blocking. */
  readonly blockMs: number;
  /** Index in argv of the first key. */
  readonly keysAt: number;
  readonly streams: number;
  /** XREADGROUP's GROUP and consumer arguments. */
  readonly group: Uint8Array | null;
  readonly consumer: Uint8Array | null;
  readonly noAck: boolean;
}

/** Served entries of one stream: argv index of its key, and the entries (null fields: deleted). */
export type Served = readonly [number, readonly (StreamEntry | PendingGone)[]];

/** A pending entry whose stream entry was deleted: replied as `[id, nil]`. */
export interface PendingGone {
  readonly id: bigint;
  readonly fields: null;
}

/**
 * The stream under a key for XREAD. While retrying for a blocked client, a
 * key of another type reads as missing (it keeps waiting, as in Redis);
 * otherwise it is a WRONGTYPE error (null after replying).
 */
export function streamForRead(x: KvEngine, c: KvClient, k: string): Stream | undefined | null {
  if (c.blocked !== null) {
    const e = x.lookupRead(c.db, k);
    return e === undefined || e.type !== "stream" ? undefined : e.value as Stream;
  }
  const e = typed(x, c, k, "stream");
  return e === null ? null : e === undefined ? undefined : e.value as Stream;
}

/** Fails a call: counted as a failed blocked command when it is a retry. */
function failRead(x: KvEngine, c: KvClient, argv: Uint8Array[], message: string): null {
  c.reply.error(message);
  if (c.blocked !== null) {
    x.countError(message);
    x.blockedCommandFailed(argv);
  }
  return null;
}

/** Each key's group, or null after an error (WRONGTYPE, NOGROUP, or a key gone while blocked). */
function groupsOf(x: KvEngine, c: KvClient, argv: Uint8Array[], a: ReadArgs): GroupRef[] | null {
  const refs: GroupRef[] = [];
  const groupName = latin1(a.group!);
  for (let j = 0; j < a.streams; j++) {
    const k = key(argv, a.keysAt + j);
    const e = c.blocked !== null ? x.lookupWrite(c.db, k) : typed(x, c, k, "stream", true);
    if (e === null) return null;
    if (c.blocked !== null && (e === undefined || e.type !== "stream")) {
      return failRead(x, c, argv, "UNBLOCKED the stream key no longer exists");
    }
    const s = e?.value as Stream | undefined;
    const g = s?.groups.get(groupName);
    if (e === undefined || s === undefined || g === undefined) {
      return failRead(x, c, argv, noGroupError(k, groupName, " in XREADGROUP with GROUP option"));
    }
    refs.push({ entry: e, stream: s, group: g, keyArg: argv[a.keysAt + j]!, groupArg: a.group! });
  }
  return refs;
}

/** Delivers new entries (after the group's last ID) to a consumer. */
function deliverNew(x: KvEngine, c: KvClient, ref: GroupRef, a: ReadArgs): StreamEntry[] {
  const con = consumerFor(x, c, ref, a.consumer!);
  const out: StreamEntry[] = [];
  for (const en of ref.stream.entries(ref.group.lastId + 1n, idMax, false)) {
    out.push(en);
    if (out.length === a.count) break;
  }
  for (const en of out) {
    ref.stream.advanceGroup(ref.group, en.id);
    if (a.noAck) continue;
    const old = ref.group.pel.get(en.id);
    const p = old ?? { consumer: null, deliveryTime: x.now, deliveryCount: 1 };
    p.deliveryTime = x.now;
    p.deliveryCount = 1;
    ref.group.assign(en.id, p, con);
    propagateClaim(x, c, ref, en.id, p);
  }
  propagateGroupId(x, c, ref);
  x.entryChanged(c.db, latin1(ref.keyArg), ref.entry);
  return out;
}

/** A consumer's pending entries after `after` (deleted ones as `[id, nil]`). */
function history(
  x: KvEngine,
  c: KvClient,
  ref: GroupRef,
  a: ReadArgs,
  after: bigint,
): (StreamEntry | PendingGone)[] {
  const con = consumerFor(x, c, ref, a.consumer!);
  const out: (StreamEntry | PendingGone)[] = [];
  if (after === idMax) return out;
  for (const id of con.pel.range(after + 1n, idMax)) {
    if (a.count !== 0 && out.length === a.count) break;
    const en = ref.stream.get(id);
    if (en === undefined) {
      out.push({ id, fields: null });
      continue;
    }
    const p = con.pel.get(id)!;
    p.deliveryTime = x.now;
    p.deliveryCount++;
    out.push(en);
  }
  return out;
}

/**
 * Serves an XREADGROUP: per stream, new entries for `>` when there are any,
 * or the consumer's history for an explicit ID (even when empty). Returns
 * what to reply (empty: nothing to serve, block or reply null), or null
 * after an error.
 */
export function readGroupStream(
  x: KvEngine,
  c: KvClient,
  argv: Uint8Array[],
  a: ReadArgs,
): Served[] | null {
  const refs = groupsOf(x, c, argv, a);
  if (refs === null) return null;
  const after: (bigint | null)[] = [];
  for (let j = 0; j < a.streams; j++) {
    const arg = argv[a.keysAt + a.streams + j]!;
    const text = latin1(arg);
    if (text === ">") after.push(null);
    else if (text === "$") {
      return failRead(
        x,
        c,
        argv,
        "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.",
      );
    } else {
      const parsed = strictIdArg(c, arg);
      if (parsed === null) return null;
      after.push(parsed.id);
    }
  }
  const served: Served[] = [];
  for (let j = 0; j < a.streams; j++) {
    const ref = refs[j]!;
    const from = after[j]!;
    if (from !== null) {
      served.push([a.keysAt + j, history(x, c, ref, a, from)]);
      continue;
    }
    const s = ref.stream;
    if (s.length === 0 || s.last()!.id <= ref.group.lastId) continue;
    served.push([a.keysAt + j, deliverNew(x, c, ref, a)]);
  }
  return served;
}
