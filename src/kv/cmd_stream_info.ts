/**
 * XINFO: STREAM (and FULL), GROUPS, CONSUMERS and HELP, with Redis 7.0's
 * fields (maps in RESP3).
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1, parseInt64 } from "./bytes.ts";
import { errors, type Handler, key, opt, replyHelp, subcommandError, typed } from "./cmd_util.ts";
import { formatId, idMax, type Stream, type StreamEntry } from "./stream.ts";
import { entriesReadInvalid, type IdMap, type PendingEntry } from "./stream_group.ts";
import { replyEntry } from "./cmd_streams.ts";
import { streamErrors } from "./stream_args.ts";

type Field = number | string | null;

/** Replies name/value pairs as a map; numbers are integers, strings bulk, null nil. */
function replyFields(c: KvClient, pairs: readonly (readonly [string, Field])[], more = 0): void {
  c.reply.map(pairs.length + more);
  for (const [name, v] of pairs) {
    c.reply.bulkText(name);
    if (v === null) c.reply.nil();
    else if (typeof v === "number") c.reply.integer(v);
    else c.reply.bulkLatin1(v);
  }
}

/** The fields XINFO STREAM starts with, in its order. */
function streamHead(s: Stream): [string, Field][] {
  return [
    ["length", s.length],
    ["radix-tree-keys", s.nodeCount],
    ["radix-tree-nodes", s.nodeCount + 1],
    ["last-generated-id", formatId(s.lastId)],
    ["max-deleted-entry-id", formatId(s.maxDeletedId)],
    ["entries-added", s.entriesAdded],
    ["recorded-first-entry-id", formatId(s.first()?.id ?? 0n)],
  ];
}

/** Up to `count` (0: all) pending entries of a PEL, as XINFO STREAM FULL lists them. */
function replyPel(c: KvClient, pel: IdMap<PendingEntry>, count: number, withOwner: boolean) {
  const rows: [bigint, PendingEntry][] = [];
  for (const row of pel.entries()) {
    if (count !== 0 && rows.length === count) break;
    rows.push(row);
  }
  c.reply.array(rows.length);
  for (const [id, p] of rows) {
    c.reply.array(withOwner ? 4 : 3);
    c.reply.bulkText(formatId(id));
    if (withOwner) c.reply.bulkLatin1(p.consumer?.name ?? "");
    c.reply.integer(p.deliveryTime);
    c.reply.integer(p.deliveryCount);
  }
}

function entriesReadField(n: number): Field {
  return n === entriesReadInvalid ? null : n;
}

function fullGroups(c: KvClient, s: Stream, count: number): void {
  c.reply.array(s.groups.size);
  for (const [name, g] of s.groups) {
    replyFields(c, [
      ["name", name],
      ["last-delivered-id", formatId(g.lastId)],
      ["entries-read", entriesReadField(g.entriesRead)],
      ["lag", s.lagOf(g)],
      ["pel-count", g.pel.size],
    ], 2);
    c.reply.bulkText("pending");
    replyPel(c, g.pel, count, true);
    c.reply.bulkText("consumers");
    const consumers = g.sortedConsumers();
    c.reply.array(consumers.length);
    for (const con of consumers) {
      replyFields(c, [["name", con.name], ["seen-time", con.seenTime], [
        "pel-count",
        con.pel.size,
      ]], 1);
      c.reply.bulkText("pending");
      replyPel(c, con.pel, count, false);
    }
  }
}

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
  if (full) {
    replyFields(c, streamHead(s), 2);
    const out: StreamEntry[] = [];
    for (const en of s.entries(0n, idMax, false)) {
      if (count !== 0 && out.length === count) break;
      out.push(en);
    }
    c.reply.bulkText("entries");
    c.reply.array(out.length);
    for (const en of out) replyEntry(c, en);
    c.reply.bulkText("groups");
    return fullGroups(c, s, count);
  }
  replyFields(c, [...streamHead(s), ["groups", s.groups.size]], 2);
  for (const [name, en] of [["first-entry", s.first()], ["last-entry", s.last()]] as const) {
    c.reply.bulkText(name);
    if (en === undefined) c.reply.nil();
    else replyEntry(c, en);
  }
}

/** XINFO GROUPS key. */
function xinfoGroups(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  const e = typed(x, c, key(argv, 2), "stream");
  if (e === null) return;
  if (e === undefined) return c.reply.error(streamErrors.noSuchKey);
  const s = e.value as Stream;
  c.reply.array(s.groups.size);
  for (const [name, g] of s.groups) {
    replyFields(c, [
      ["name", name],
      ["consumers", g.consumers.size],
      ["pending", g.pel.size],
      ["last-delivered-id", formatId(g.lastId)],
      ["entries-read", entriesReadField(g.entriesRead)],
      ["lag", s.lagOf(g)],
    ]);
  }
}

/** XINFO CONSUMERS key group. */
function xinfoConsumers(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  const k = key(argv, 2);
  const e = typed(x, c, k, "stream");
  if (e === null) return;
  if (e === undefined) return c.reply.error(streamErrors.noSuchKey);
  const g = (e.value as Stream).groups.get(latin1(argv[3]!));
  if (g === undefined) {
    return c.reply.error(
      `NOGROUP No such consumer group '${latin1(argv[3]!)}' for key name '${k}'`,
    );
  }
  const consumers = g.sortedConsumers();
  c.reply.array(consumers.length);
  for (const con of consumers) {
    replyFields(c, [["name", con.name], ["pending", con.pel.size], ["idle", x.now - con.seenTime]]);
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
    replyHelp(c, xinfoHelp);
    return;
  }
  if (sub === "STREAM" && argv.length >= 3) return xinfoStream(x, c, argv);
  if (sub === "GROUPS" && argv.length === 3) return xinfoGroups(x, c, argv);
  if (sub === "CONSUMERS" && argv.length === 4) return xinfoConsumers(x, c, argv);
  subcommandError(c, "XINFO", argv, ["HELP", "STREAM", "GROUPS", "CONSUMERS"]);
};

/** XINFO by lower-case name. */
export const streamInfoHandlers: Record<string, Handler> = { xinfo };
