/**
 * Consumer group administration: XGROUP (CREATE, SETID, DESTROY,
 * CREATECONSUMER, DELCONSUMER, HELP), XACK and XPENDING.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1, parseInt64 } from "./bytes.ts";
import {
  errors,
  type Handler,
  key,
  opt,
  replyHelp,
  subcommandArityError,
  subcommandError,
  typed,
} from "./cmd_util.ts";
import { notifyFlags as ev } from "./notify.ts";
import { formatId, idMax, Stream } from "./stream.ts";
import { ConsumerGroup, entriesReadInvalid } from "./stream_group.ts";
import { intervalIdArg, strictIdArg } from "./stream_args.ts";
import { consumerFor, findGroup, type GroupRef } from "./stream_group_util.ts";

const xgroupHelp = [
  "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
  "HELP",
  "    Print this help.",
];

/** Subcommands and their arity (Redis's: negative is a minimum). */
const arities: Readonly<Record<string, number>> = {
  CREATE: -5,
  SETID: -5,
  DESTROY: 4,
  CREATECONSUMER: 5,
  DELCONSUMER: 5,
  HELP: 2,
};

/** Parses CREATE/SETID options from argv[5]; null after replying an error. */
function groupOptions(
  c: KvClient,
  argv: Uint8Array[],
  create: boolean,
): { mkstream: boolean; entriesRead: number } | null {
  let mkstream = false;
  let entriesRead = entriesReadInvalid;
  for (let i = 5; i < argv.length; i++) {
    const word = opt(argv, i);
    if (create && word === "MKSTREAM") mkstream = true;
    else if (word === "ENTRIESREAD" && i + 1 < argv.length) {
      const n = parseInt64(argv[++i]!);
      if (n === null) return (c.reply.error(errors.notInteger), null);
      if (n < 0 && n !== -1) {
        return (c.reply.error("ERR value for ENTRIESREAD must be positive or -1"), null);
      }
      entriesRead = Number(n);
    } else {
      subcommandArityError(c, "XGROUP", argv);
      return null;
    }
  }
  return { mkstream, entriesRead };
}

/** The ID of CREATE/SETID: `$` is the stream's last ID. */
function groupStartId(c: KvClient, arg: Uint8Array, s: Stream | undefined): bigint | null {
  if (latin1(arg) === "$") return s?.lastId ?? 0n;
  return strictIdArg(c, arg)?.id ?? null;
}

const xgroup: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  const arity = arities[sub];
  if (arity === undefined || (arity > 0 ? argv.length !== arity : argv.length < -arity)) {
    return subcommandError(c, "XGROUP", argv, Object.keys(arities));
  }
  if (sub === "HELP") {
    replyHelp(c, xgroupHelp);
    return;
  }
  const options = groupOptions(c, argv, sub === "CREATE");
  if (options === null) return;
  const k = key(argv, 2);
  let e = typed(x, c, k, "stream", true);
  if (e === null) return;
  if (e === undefined && !options.mkstream) {
    return c.reply.error(
      "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
    );
  }
  const name = latin1(argv[3]!);
  const s = e?.value as Stream | undefined;
  const g = s?.groups.get(name);
  if (g === undefined && sub !== "CREATE" && sub !== "DESTROY") {
    return c.reply.error(`NOGROUP No such consumer group '${name}' for key name '${k}'`);
  }
  if (sub === "CREATE") {
    const id = groupStartId(c, argv[4]!, s);
    if (id === null) return;
    if (g !== undefined) return c.reply.error("BUSYGROUP Consumer Group name already exists");
    e ??= x.setValue(c.db, k, "stream", new Stream());
    (e.value as Stream).groups.set(name, new ConsumerGroup(id, options.entriesRead));
    x.entryChanged(c.db, k, e);
    x.notify(ev.stream, "xgroup-create", c.db, k);
    return c.reply.ok();
  }
  if (g === undefined) return c.reply.integer(0); // DESTROY of a missing group
  const ref: GroupRef = { entry: e!, stream: s!, group: g, keyArg: argv[2]!, groupArg: argv[3]! };
  groupChange(x, c, argv, sub, ref, options.entriesRead);
};

/** SETID, DESTROY, CREATECONSUMER, DELCONSUMER on an existing key. */
function groupChange(
  x: KvEngine,
  c: KvClient,
  argv: Uint8Array[],
  sub: string,
  ref: GroupRef,
  entriesRead: number,
): void {
  const k = latin1(ref.keyArg);
  if (sub === "SETID") {
    const text = latin1(argv[4]!);
    const id = text === "$"
      ? ref.stream.lastId
      : text === "-"
      ? 0n
      : text === "+"
      ? idMax
      : strictIdArg(c, argv[4]!)?.id ?? null;
    if (id === null) return;
    ref.group.lastId = id;
    ref.group.entriesRead = entriesRead;
    x.entryChanged(c.db, k, ref.entry);
    x.notify(ev.stream, "xgroup-setid", c.db, k);
    return c.reply.ok();
  }
  if (sub === "DESTROY") {
    ref.stream.groups.delete(latin1(ref.groupArg));
    x.entryChanged(c.db, k, ref.entry);
    x.notify(ev.stream, "xgroup-destroy", c.db, k);
    return c.reply.integer(1);
  }
  if (sub === "CREATECONSUMER") {
    const had = ref.group.consumers.has(latin1(argv[4]!));
    if (!had) consumerFor(x, c, ref, argv[4]!);
    return c.reply.integer(had ? 0 : 1);
  }
  const pending = ref.group.consumers.has(latin1(argv[4]!))
    ? ref.group.deleteConsumer(latin1(argv[4]!))
    : -1;
  if (pending >= 0) {
    x.entryChanged(c.db, k, ref.entry);
    x.notify(ev.stream, "xgroup-delconsumer", c.db, k);
  }
  c.reply.integer(Math.max(0, pending));
}

const xack: Handler = (x, c, argv) => {
  const k = key(argv, 1);
  const e = typed(x, c, k, "stream", true);
  if (e === null) return;
  const ids: bigint[] = [];
  for (let i = 3; i < argv.length; i++) {
    const parsed = strictIdArg(c, argv[i]!);
    if (parsed === null) return;
    ids.push(parsed.id);
  }
  const g = (e?.value as Stream | undefined)?.groups.get(latin1(argv[2]!));
  if (e === undefined || g === undefined) return c.reply.integer(0);
  let acked = 0;
  for (const id of ids) if (g.ack(id)) acked++;
  if (acked > 0) x.entryChanged(c.db, k, e);
  c.reply.integer(acked);
};

/** XPENDING key group: count, smallest and largest ID, and pending counts per consumer. */
function pendingSummary(c: KvClient, ref: GroupRef): void {
  const pel = ref.group.pel;
  c.reply.array(4);
  c.reply.integer(pel.size);
  if (pel.size === 0) {
    c.reply.nil();
    c.reply.nil();
    c.reply.nullArray();
    return;
  }
  c.reply.bulkText(formatId(pel.first()!));
  c.reply.bulkText(formatId(pel.last()!));
  const owners = ref.group.sortedConsumers().filter((con) => con.pel.size > 0);
  c.reply.array(owners.length);
  for (const con of owners) {
    c.reply.array(2);
    c.reply.bulkLatin1(con.name);
    c.reply.bulkText(String(con.pel.size));
  }
}

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]]. */
const xpending: Handler = (x, c, argv) => {
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) {
    return c.reply.error(errors.syntax);
  }
  let minIdle = 0;
  let at = 3;
  if (argv.length >= 6) {
    if (opt(argv, 3) === "IDLE") {
      const v = parseInt64(argv[4]!);
      if (v === null) return c.reply.error(errors.notInteger);
      if (argv.length < 8) return c.reply.error(errors.syntax);
      minIdle = Number(v);
      at = 5;
    }
  }
  let count = 0;
  let start = 0n;
  let end = idMax;
  if (argv.length >= 6) {
    const n = parseInt64(argv[at + 2]!);
    if (n === null) return c.reply.error(errors.notInteger);
    count = n < 0 ? 0 : Number(n);
    const s = intervalIdArg(c, argv[at]!, true);
    if (s === null) return;
    const en = intervalIdArg(c, argv[at + 1]!, false);
    if (en === null) return;
    [start, end] = [s, en];
  }
  const ref = findGroup(x, c, argv, 1, 2);
  if (ref === null) return;
  if (argv.length === 3) return pendingSummary(c, ref);
  const owner = at + 3 < argv.length ? ref.group.consumers.get(latin1(argv[at + 3]!)) : undefined;
  const pel = at + 3 < argv.length ? owner?.pel : ref.group.pel;
  const rows: [bigint, string, number, number][] = [];
  for (const id of pel?.range(start, end) ?? []) {
    if (rows.length >= count) break;
    const p = pel!.get(id)!;
    const idle = x.now - p.deliveryTime;
    if (minIdle !== 0 && idle < minIdle) continue;
    rows.push([id, p.consumer?.name ?? "", idle, p.deliveryCount]);
  }
  c.reply.array(rows.length);
  for (const [id, name, idle, n] of rows) {
    c.reply.array(4);
    c.reply.bulkText(formatId(id));
    c.reply.bulkLatin1(name);
    c.reply.integer(idle);
    c.reply.integer(n);
  }
};

/** Consumer group handlers by lower-case name. */
export const streamGroupHandlers: Record<string, Handler> = { xgroup, xack, xpending };
