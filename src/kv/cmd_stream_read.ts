/**
 * XREAD and XREADGROUP, with BLOCK. A blocking XREAD resolves `$` to each
 * stream's last ID before it parks, so when it is retried (see
 * `KvEngine.serveReadyKeys`) it serves exactly the entries added since; a
 * blocked XREADGROUP reads after its group's last-delivered ID at retry time,
 * and fails if the key or group went away, as in Redis.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { fromLatin1, latin1, parseInt64 } from "./bytes.ts";
import { type BlockRequest, errors, type Handler, key, opt } from "./cmd_util.ts";
import { formatId, idMax, type Stream, type StreamEntry } from "./stream.ts";
import { strictIdArg } from "./stream_args.ts";
import { replyEntry } from "./cmd_streams.ts";
import { type ReadArgs, readGroupStream, type Served, streamForRead } from "./stream_read_group.ts";

function fail(c: KvClient, message: string): null {
  c.reply.error(message);
  return null;
}

function readArgs(c: KvClient, argv: Uint8Array[], grouped: boolean): ReadArgs | null {
  let count = 0;
  let blockMs = -1;
  let group: Uint8Array | null = null;
  let consumer: Uint8Array | null = null;
  let noAck = false;
  const name = grouped ? "xreadgroup" : "xread";
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const word = opt(argv, i);
    if (word === "BLOCK" && more > 0) {
      const v = parseInt64(argv[++i]!);
      if (v === null) return fail(c, "ERR timeout is not an integer or out of range");
      if (v < 0) return fail(c, errors.timeoutNegative);
      blockMs = Number(v);
    } else if (word === "COUNT" && more > 0) {
      const v = parseInt64(argv[++i]!);
      if (v === null) return fail(c, errors.notInteger);
      count = v < 0 ? 0 : Number(v);
    } else if (word === "STREAMS" && more > 0) {
      if (more % 2 !== 0) {
        return fail(
          c,
          `ERR Unbalanced '${name}' list of streams: for each stream key an ID or '$' must be specified.`,
        );
      }
      if (grouped && group === null) return fail(c, "ERR Missing GROUP option for XREADGROUP");
      return { count, blockMs, keysAt: i + 1, streams: more / 2, group, consumer, noAck };
    } else if (word === "GROUP" && more >= 2) {
      if (!grouped) {
        return fail(
          c,
          "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
        );
      }
      group = argv[++i]!;
      consumer = argv[++i]!;
    } else if (word === "NOACK") {
      if (!grouped) {
        return fail(
          c,
          "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
        );
      }
      noAck = true;
    } else return fail(c, errors.syntax);
  }
  return fail(c, errors.syntax);
}

/** The IDs to read after (`$` resolved); null after replying an error. */
function afterIds(x: KvEngine, c: KvClient, argv: Uint8Array[], a: ReadArgs): bigint[] | null {
  const ids: bigint[] = [];
  for (let j = 0; j < a.streams; j++) {
    const s = streamForRead(x, c, key(argv, a.keysAt + j));
    if (s === null) return null;
    const arg = argv[a.keysAt + a.streams + j]!;
    const text = latin1(arg);
    if (text === "$") ids.push(s === undefined ? 0n : s.lastId);
    else if (text === ">") {
      return fail(
        c,
        "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
      );
    } else {
      const parsed = strictIdArg(c, arg);
      if (parsed === null) return null;
      ids.push(parsed.id);
    }
  }
  return ids;
}

/** Replies the served streams as `[[key, entries], ...]` (a map in RESP3). */
function replyServed(c: KvClient, argv: Uint8Array[], served: readonly Served[]): void {
  if (c.resp === 3) c.reply.map(served.length);
  else c.reply.array(served.length);
  for (const [at, entries] of served) {
    if (c.resp === 2) c.reply.array(2);
    c.reply.bulk(argv[at]!);
    c.reply.array(entries.length);
    for (const en of entries) {
      if (en.fields !== null) replyEntry(c, en);
      else {
        c.reply.array(2);
        c.reply.bulkText(formatId(en.id));
        c.reply.nullArray();
      }
    }
  }
}

/** Entries after `after`, at most `count` (0: all). */
function entriesAfter(s: Stream, after: bigint, count: number): StreamEntry[] {
  const out: StreamEntry[] = [];
  if (after === idMax) return out;
  for (const en of s.entries(after + 1n, idMax, false)) {
    out.push(en);
    if (out.length === count) break;
  }
  return out;
}

const xread: Handler = (x, c, argv) => {
  const a = readArgs(c, argv, false);
  if (a === null) return;
  const ids = afterIds(x, c, argv, a);
  if (ids === null) return;
  const served: [number, StreamEntry[]][] = [];
  for (let j = 0; j < a.streams; j++) {
    const s = streamForRead(x, c, key(argv, a.keysAt + j));
    if (s === undefined || s === null || s.length === 0) continue;
    if (s.last()!.id <= ids[j]!) continue;
    served.push([a.keysAt + j, entriesAfter(s, ids[j]!, a.count)]);
  }
  if (served.length !== 0) return replyServed(c, argv, served);
  if (a.blockMs < 0 || c.multi !== null || x.noBlock) return c.reply.nullArray();
  // The retry must read after the IDs `$` stood for now, not after later ones.
  for (let j = 0; j < a.streams; j++) {
    argv[a.keysAt + a.streams + j] = fromLatin1(formatId(ids[j]!));
  }
  return blockOn(argv, a);
};

function blockOn(argv: Uint8Array[], a: ReadArgs): BlockRequest {
  const keys: string[] = [];
  for (let j = 0; j < a.streams; j++) keys.push(key(argv, a.keysAt + j));
  return { keys, timeoutMs: a.blockMs, timeoutReply: "nullArray" };
}

const xreadgroup: Handler = (x, c, argv) => {
  const a = readArgs(c, argv, true);
  if (a === null) return;
  const r = readGroupStream(x, c, argv, a);
  if (r === null) return;
  if (r.length !== 0) return replyServed(c, argv, r);
  if (a.blockMs < 0 || c.multi !== null || x.noBlock) return c.reply.nullArray();
  return blockOn(argv, a);
};

/** XREAD and XREADGROUP by lower-case name. */
export const streamReadHandlers: Record<string, Handler> = { xread, xreadgroup };
