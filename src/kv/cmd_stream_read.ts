/**
 * XREAD (with BLOCK) and XINFO. A blocking XREAD resolves `$` to each
 * stream's last ID before it parks, so when it is retried (see
 * `KvEngine.serveReadyKeys`) it serves exactly the entries added since.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { fromLatin1, latin1, parseInt64 } from "./bytes.ts";
import {
  type BlockRequest,
  errors,
  type Handler,
  key,
  opt,
  subcommandError,
  typed,
} from "./cmd_util.ts";
import { formatId, idMax, Stream, type StreamEntry } from "./stream.ts";
import { streamErrors, strictIdArg } from "./stream_args.ts";
import { replyEntry } from "./cmd_streams.ts";

/** Parsed XREAD options. */
interface XreadArgs {
  /** Entries per stream at most; 0 for no bound. */
  readonly count: number;
  /** BLOCK in ms, -1 when not blocking. */
  readonly blockMs: number;
  /** Index in argv of the first key. */
  readonly keysAt: number;
  readonly streams: number;
}

function fail(c: KvClient, message: string): null {
  c.reply.error(message);
  return null;
}

function xreadArgs(c: KvClient, argv: Uint8Array[]): XreadArgs | null {
  let count = 0;
  let blockMs = -1;
  for (let i = 1; i < argv.length; i++) {
    const more = i + 1 < argv.length;
    const word = opt(argv, i);
    if (word === "BLOCK" && more) {
      const v = parseInt64(argv[++i]!);
      if (v === null) return fail(c, "ERR timeout is not an integer or out of range");
      if (v < 0) return fail(c, errors.timeoutNegative);
      blockMs = Number(v);
    } else if (word === "COUNT" && more) {
      const v = parseInt64(argv[++i]!);
      if (v === null) return fail(c, errors.notInteger);
      count = v < 0 ? 0 : Number(v);
    } else if (word === "STREAMS" && more) {
      const n = argv.length - i - 1;
      if (n % 2 !== 0) {
        return fail(
          c,
          "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.",
        );
      }
      return { count, blockMs, keysAt: i + 1, streams: n / 2 };
    } else return fail(c, errors.syntax);
  }
  return fail(c, errors.syntax);
}

/**
 * The stream under a key for XREAD. While retrying for a blocked client, a
 * key of another type reads as missing (it keeps waiting, as in Redis);
 * otherwise it is a WRONGTYPE error (null after replying).
 */
function streamFor(x: KvEngine, c: KvClient, k: string): Stream | undefined | null {
  if (c.blocked !== null) {
    const e = x.lookupRead(c.db, k);
    return e === undefined || e.type !== "stream" ? undefined : e.value as Stream;
  }
  const e = typed(x, c, k, "stream");
  return e === null ? null : e === undefined ? undefined : e.value as Stream;
}

/** The IDs to read after, `$` resolved; null after replying an error. */
function afterIds(x: KvEngine, c: KvClient, argv: Uint8Array[], a: XreadArgs): bigint[] | null {
  const ids: bigint[] = [];
  for (let j = 0; j < a.streams; j++) {
    const s = streamFor(x, c, key(argv, a.keysAt + j));
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

const xread: Handler = (x, c, argv) => {
  const a = xreadArgs(c, argv);
  if (a === null) return;
  const ids = afterIds(x, c, argv, a);
  if (ids === null) return;
  const served: [number, StreamEntry[]][] = [];
  for (let j = 0; j < a.streams; j++) {
    const s = streamFor(x, c, key(argv, a.keysAt + j));
    const after = ids[j]!;
    if (s === undefined || s === null || s.length === 0 || after === idMax) continue;
    if (s.last()!.id <= after) continue;
    const out: StreamEntry[] = [];
    for (const en of s.entries(after + 1n, idMax, false)) {
      out.push(en);
      if (out.length === a.count) break;
    }
    served.push([j, out]);
  }
  if (served.length !== 0) {
    if (c.resp === 3) c.reply.map(served.length);
    else c.reply.array(served.length);
    for (const [j, entries] of served) {
      if (c.resp === 2) c.reply.array(2);
      c.reply.bulk(argv[a.keysAt + j]!);
      c.reply.array(entries.length);
      for (const en of entries) replyEntry(c, en);
    }
    return;
  }
  if (a.blockMs < 0 || c.multi !== null || x.noBlock) return c.reply.nullArray();
  // The retry must read after the IDs `$` stood for now, not after later ones.
  for (let j = 0; j < a.streams; j++) {
    argv[a.keysAt + a.streams + j] = fromLatin1(formatId(ids[j]!));
  }
  const keys: string[] = [];
  for (let j = 0; j < a.streams; j++) keys.push(key(argv, a.keysAt + j));
  return { keys, timeoutMs: a.blockMs, timeoutReply: "nullArray" } satisfies BlockRequest;
};

/** XINFO STREAM key [FULL [COUNT n]]. */
function xinfoStream(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  let full = false;
  let count = 10;
  if (argv.length > 3) {
    if (opt(argv, 3) !== "FULL") return c.reply.error(errors.syntax);
    full = true;
    if (argv.length === 6 && opt(argv, 4) === "COUNT") {
      const n = parseInt64(argv[5]!);
      if (n === null) return c.reply.error(errors.notInteger);
      count = n <= 0 ? 0 : Number(n);
    } else if (argv.length !== 4) return c.reply.error(errors.syntax);
  }
  const e = typed(x, c, key(argv, 2), "stream");
  if (e === null) return;
  if (e === undefined) return c.reply.error(streamErrors.noSuchKey);
  const s = e.value as Stream;
  const first = s.first();
  c.reply.map(full ? 9 : 10);
  const pairs: [string, number | string][] = [
    ["length", s.length],
    ["radix-tree-keys", s.nodeCount],
    ["radix-tree-nodes", s.nodeCount + 1],
    ["last-generated-id", formatId(s.lastId)],
    ["max-deleted-entry-id", formatId(s.maxDeletedId)],
    ["entries-added", s.entriesAdded],
    ["recorded-first-entry-id", formatId(first?.id ?? 0n)],
  ];
  for (const [name, v] of pairs) {
    c.reply.bulkText(name);
    if (typeof v === "number") c.reply.integer(v);
    else c.reply.bulkText(v);
  }
  if (full) {
    const out: StreamEntry[] = [];
    for (const en of s.entries(0n, idMax, false)) {
      if (count !== 0 && out.length === count) break;
      out.push(en);
    }
    c.reply.bulkText("entries");
    c.reply.array(out.length);
    for (const en of out) replyEntry(c, en);
    c.reply.bulkText("groups");
    c.reply.array(0);
    return;
  }
  c.reply.bulkText("groups");
  c.reply.integer(0);
  for (const [name, en] of [["first-entry", first], ["last-entry", s.last()]] as const) {
    c.reply.bulkText(name);
    if (en === undefined) c.reply.nil();
    else replyEntry(c, en);
  }
}

const xinfoHelp = [
  "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
  "HELP",
  "    Print this help.",
];

const xinfo: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "HELP" && argv.length === 2) {
    c.reply.array(xinfoHelp.length);
    for (const line of xinfoHelp) c.reply.simple(line);
    return;
  }
  if (sub === "STREAM" && argv.length >= 3) return xinfoStream(x, c, argv);
  if (sub === "GROUPS" && argv.length === 3) {
    const e = typed(x, c, key(argv, 2), "stream");
    if (e === null) return;
    if (e === undefined) return c.reply.error(streamErrors.noSuchKey);
    return c.reply.array(0);
  }
  if (sub === "CONSUMERS" && argv.length === 4) {
    const e = typed(x, c, key(argv, 2), "stream");
    if (e === null) return;
    if (e === undefined) return c.reply.error(streamErrors.noSuchKey);
    return c.reply.error(
      `NOGROUP No such consumer group '${latin1(argv[3]!)}' for key name '${key(argv, 2)}'`,
    );
  }
  subcommandError(c, "XINFO", argv, ["HELP", "STREAM", "GROUPS", "CONSUMERS"]);
};

/** XREAD and XINFO by lower-case name. */
export const streamReadHandlers: Record<string, Handler> = { xread, xinfo };
