/**
 * Stream commands that write or range over one stream: XADD, XLEN, XRANGE,
 * XREVRANGE, XDEL, XTRIM and XSETID. XADD is logged with the ID it chose and,
 * when it trimmed, an exact XTRIM to the resulting length, so replaying the
 * WAL rebuilds the same entries whatever the node layout.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";
import { fromLatin1, intBytes, latin1, parseInt64 } from "./bytes.ts";
import { errors, type Handler, key, opt, typed } from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";
import { formatId, idMax, idMs, idSeq, makeId, Stream, type StreamEntry } from "./stream.ts";
import { addOrTrimArgs, intervalIdArg, streamErrors, strictIdArg } from "./stream_args.ts";

const textXadd = fromLatin1("XADD");
const textXtrim = fromLatin1("XTRIM");
const textMaxlen = fromLatin1("MAXLEN");
const textEquals = fromLatin1("=");

/**
 * The bytes of an ID's text in a reused buffer: valid until the next call.
 * `propagate` copies its arguments at once, and allocating a fresh array
 * per XADD was a visible share of its cost.
 */
function idBytes(text: string): Uint8Array {
  for (let i = 0; i < text.length; i++) idScratch[i] = text.charCodeAt(i);
  return idScratch.subarray(0, text.length);
}
const idScratch = new Uint8Array(48);

/** Replies one entry as `[id, [field, value, ...]]`. */
export function replyEntry(c: KvClient, e: StreamEntry): void {
  c.reply.array(2);
  c.reply.bulkLatin1(formatId(e.id));
  c.reply.array(e.fields.length);
  for (const f of e.fields) c.reply.bulkLatin1(f);
}

/** The ID XADD adds under: explicit, `ms-*`, or `*` from the clock. Null when not above the top. */
function nextId(s: Stream, now: number, given: { id: bigint; autoSeq: boolean } | null) {
  let id: bigint;
  if (given === null) {
    const ms = BigInt(now);
    id = ms > idMs(s.lastId) ? makeId(ms, 0n) : s.lastId + 1n;
  } else if (given.autoSeq && idMs(given.id) === idMs(s.lastId)) {
    if (idSeq(s.lastId) === idMax >> 64n) return null;
    id = s.lastId + 1n;
  } else id = given.id;
  return id > s.lastId ? id : null;
}

/** Logs an exact trim to the stream's current length (replays what any trim removed). */
function propagateTrim(x: KvEngine, c: KvClient, keyArg: Uint8Array, s: Stream): void {
  x.propagate(c.db, [textXtrim, keyArg, textMaxlen, textEquals, intBytes(s.length)]);
}

const xadd: Handler = (x, c, argv) => {
  const a = addOrTrimArgs(c, argv, true, x.config.streamNodeMaxEntries);
  if (a === null) return;
  const fieldsAt = a.idAt + 1;
  if (argv.length - fieldsAt < 2 || (argv.length - fieldsAt) % 2 === 1) {
    return c.reply.error("ERR wrong number of arguments for 'xadd' command");
  }
  if (a.id !== null && !a.id.autoSeq && a.id.id === 0n) return c.reply.error(streamErrors.zeroId);
  const k = key(argv, 1);
  let e = typed(x, c, k, "stream", true);
  if (e === null) return;
  if (e === undefined && a.noMkStream) return c.reply.nil();
  const s = e === undefined ? new Stream() : e.value as Stream;
  if (s.lastId === idMax) return c.reply.error(streamErrors.exhausted);
  const id = nextId(s, x.now, a.id);
  if (id === null) return c.reply.error(streamErrors.smallerId);
  if (e === undefined) e = x.setValue(c.db, k, "stream", s);
  const fields: string[] = [];
  for (let i = fieldsAt; i < argv.length; i++) fields.push(latin1(argv[i]!));
  s.append(id, fields, x.config.streamNodeMaxEntries);
  const idText = formatId(id);
  const logged = [textXadd, argv[1]!, idBytes(idText)];
  for (let i = fieldsAt; i < argv.length; i++) logged.push(argv[i]!);
  x.propagate(c.db, logged);
  x.entryChanged(c.db, k, e);
  x.notify(ev.stream, "xadd", c.db, k);
  if (a.target !== null && s.trim(a.target, a.approx, a.limit) > 0) {
    x.entryChanged(c.db, k, e);
    propagateTrim(x, c, argv[1]!, s);
    x.notify(ev.stream, "xtrim", c.db, k);
  }
  c.reply.bulkLatin1(idText);
};

const xtrim: Handler = (x, c, argv) => {
  const a = addOrTrimArgs(c, argv, false, x.config.streamNodeMaxEntries);
  if (a === null) return;
  const k = key(argv, 1);
  const e = typed(x, c, k, "stream", true);
  if (e === null) return;
  if (e === undefined) return c.reply.integer(0);
  const s = e.value as Stream;
  const removed = a.target === null ? 0 : s.trim(a.target, a.approx, a.limit);
  if (removed > 0) {
    x.entryChanged(c.db, k, e);
    propagateTrim(x, c, argv[1]!, s);
    x.notify(ev.stream, "xtrim", c.db, k);
  }
  c.reply.integer(removed);
};

const xlen: Handler = (x, c, argv) => {
  const e = typed(x, c, key(argv, 1), "stream");
  if (e === null) return;
  c.reply.integer(e === undefined ? 0 : (e.value as Stream).length);
};

const range = (reverse: boolean): Handler => (x, c, argv) => {
  const start = intervalIdArg(c, argv[reverse ? 3 : 2]!, true);
  if (start === null) return;
  const end = intervalIdArg(c, argv[reverse ? 2 : 3]!, false);
  if (end === null) return;
  let count = -1;
  for (let i = 4; i < argv.length; i++) {
    if (opt(argv, i) === "COUNT" && i + 1 < argv.length) {
      const n = parseInt64(argv[++i]!);
      if (n === null) return c.reply.error(errors.notInteger);
      count = n < 0 ? 0 : typeof n === "bigint" ? Number.MAX_SAFE_INTEGER : n;
    } else return c.reply.error(errors.syntax);
  }
  const e = typed(x, c, key(argv, 1), "stream");
  if (e === null) return;
  if (e === undefined || count === 0) return c.reply.array(0);
  const out: StreamEntry[] = [];
  for (const en of (e.value as Stream).entries(start, end, reverse)) {
    out.push(en);
    if (out.length === count) break;
  }
  c.reply.array(out.length);
  for (const en of out) replyEntry(c, en);
};

const xdel: Handler = (x, c, argv) => {
  const ids: bigint[] = [];
  for (let i = 2; i < argv.length; i++) {
    const parsed = strictIdArg(c, argv[i]!);
    if (parsed === null) return;
    ids.push(parsed.id);
  }
  const k = key(argv, 1);
  const e = typed(x, c, k, "stream", true);
  if (e === null) return;
  if (e === undefined) return c.reply.integer(0);
  const s = e.value as Stream;
  let deleted = 0;
  for (const id of ids) if (s.delete(id)) deleted++;
  if (deleted > 0) {
    x.entryChanged(c.db, k, e);
    x.notify(ev.stream, "xdel", c.db, k);
  }
  c.reply.integer(deleted);
};

/** XSETID's options: ENTRIESADDED n, MAXDELETEDID id. */
function xsetidOptions(
  c: KvClient,
  argv: Uint8Array[],
  lastId: bigint,
): { added: number; maxDeleted: bigint } | null {
  let added = -1;
  let maxDeleted = 0n;
  for (let i = 3; i < argv.length; i += 2) {
    const more = i + 1 < argv.length;
    const word = opt(argv, i);
    if (word === "ENTRIESADDED" && more) {
      const n = parseInt64(argv[i + 1]!);
      if (n === null) return (c.reply.error(errors.notInteger), null);
      if (n < 0) return (c.reply.error("ERR entries_added must be positive"), null);
      added = Number(n);
    } else if (word === "MAXDELETEDID" && more) {
      const parsed = strictIdArg(c, argv[i + 1]!);
      if (parsed === null) return null;
      if (lastId < parsed.id) {
        c.reply.error(
          "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
        );
        return null;
      }
      maxDeleted = parsed.id;
    } else return (c.reply.error(errors.syntax), null);
  }
  return { added, maxDeleted };
}

/** Checks XSETID against the stream; replies the error and returns false when refused. */
function xsetidAllowed(c: KvClient, s: Stream, id: bigint, added: number): boolean {
  if (id < s.maxDeletedId) {
    c.reply.error("ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
    return false;
  }
  if (s.length === 0) return true;
  if (id < s.last()!.id) {
    c.reply.error("ERR The ID specified in XSETID is smaller than the target stream top item");
    return false;
  }
  if (added !== -1 && s.length > added) {
    c.reply.error(
      "ERR The entries_added specified in XSETID is smaller than the target stream length",
    );
    return false;
  }
  return true;
}

const xsetid: Handler = (x, c, argv) => {
  const parsed = strictIdArg(c, argv[2]!);
  if (parsed === null) return;
  const o = xsetidOptions(c, argv, parsed.id);
  if (o === null) return;
  const k = key(argv, 1);
  const e: Entry | undefined | null = typed(x, c, k, "stream", true);
  if (e === null) return;
  if (e === undefined) return c.reply.error(streamErrors.noSuchKey);
  const s = e.value as Stream;
  if (!xsetidAllowed(c, s, parsed.id, o.added)) return;
  s.lastId = parsed.id;
  if (o.added !== -1) s.entriesAdded = o.added;
  if (o.maxDeleted !== 0n) s.maxDeletedId = o.maxDeleted;
  x.entryChanged(c.db, k, e);
  x.notify(ev.stream, "xsetid", c.db, k);
  c.reply.ok();
};

/** Stream write and range handlers by lower-case name. */
export const streamHandlers: Record<string, Handler> = {
  xadd,
  xtrim,
  xlen,
  xrange: range(false),
  xrevrange: range(true),
  xdel,
  xsetid,
};
