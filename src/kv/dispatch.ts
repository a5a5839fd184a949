/**
 * Runs commands: authentication, arity, MULTI queueing, pub/sub context,
 * maxmemory, the handler, then WAL logging and serving blocked clients.
 * Also holds the transaction commands and COMMAND, which need the table.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";
import { type BlockRequest, errors, type Handler } from "./cmd_util.ts";
import { runHandler, statsOf } from "./run_handler.ts";
import { commandStatsLines, everyStats, latencyStatsLines } from "./command_stats.ts";
import { buildCommandTable, type CommandSpec } from "./command_table.ts";
import { unwatchAll } from "./cmd_server.ts";
import { infoWith } from "./cmd_admin.ts";
import { commandHandler } from "./cmd_command.ts";
import { MutedReply, NullReply } from "./reply.ts";
import { decodeRecord } from "./record.ts";
import { KvClient as Client } from "./client.ts";
import { log } from "../common/log.ts";
import { memoryAvailable } from "./evict.ts";
import { recordSlow, resetCommandStats } from "./slowlog.ts";
import { latencyHandler } from "./latency.ts";
import { pauseHolds, waitForUnpause } from "./pause.ts";
import { aclExecRefusal, aclRefusal, TableCatalog } from "./acl_check.ts";
import { aclHandler, setUser } from "./cmd_acl.ts";
import { discard, multi, unwatch, watch } from "./cmd_transactions.ts";
import { scriptingHandlers } from "./cmd_scripting.ts";
import { functionHandlers } from "./cmd_functions.ts";
import { watchedKeyExpired } from "./watch_expiry.ts";
import { allowedWhileBusy, busyError } from "./busy.ts";

const exec: Handler = (x, c) => {
  const queued = c.multi;
  if (queued === null) return c.reply.error("ERR EXEC without MULTI");
  c.multi = null;
  if (c.multiError) {
    c.multiError = false;
    unwatchAll(x, c);
    return c.reply.error("EXECABORT Transaction discarded because of previous errors.");
  }
  if (c.dirtyCas || watchedKeyExpired(x, c)) {
    unwatchAll(x, c);
    return c.reply.nullArray();
  }
  unwatchAll(x, c);
  c.reply.array(queued.length);
  return runQueued(x, c, queued, 0);
};

/**
 * Runs EXEC's queue from `from`. A command that completes asynchronously
 * (SAVE) is awaited before the rest, so replies keep their order.
 */
function runQueued(
  x: KvEngine,
  c: KvClient,
  queued: Uint8Array[][],
  from: number,
): Promise<void> | undefined {
  x.noBlock = true;
  try {
    for (let i = from; i < queued.length; i++) {
      const argv = queued[i]!;
      const spec = lookup(argv[0]!)!;
      if (spec.denyoom && !memoryAvailable(x)) {
        c.reply.error(errors.oom);
        continue;
      }
      const refused = aclExecRefusal(x, c, spec, argv);
      if (refused !== null) {
        c.reply.error(refused);
        continue;
      }
      const r = runHandler(x, c, spec, argv);
      if (r instanceof Promise) return r.then(() => runQueued(x, c, queued, i + 1));
    }
  } finally {
    x.noBlock = false;
  }
  return undefined;
}

const info = infoWith({
  commandstats: () => commandStatsLines(table),
  latencystats: (x) => latencyStatsLines(x, table),
});
const command = commandHandler(() => table);
const latency = latencyHandler(() => new Map([...everyStats(table)].map((st) => [st.name, st])));
const table = buildCommandTable({
  multi,
  exec,
  discard,
  watch,
  unwatch,
  command,
  info,
  latency,
  acl: aclHandler(() => table),
  ...scriptingHandlers((name) => table.get(name)),
  ...functionHandlers((name) => table.get(name)),
});
/** Commands whose CLIENT LIST `cmd=` names the subcommand too, as Redis does. */
const containers = new Set([
  "acl",
  "client",
  "config",
  "command",
  "object",
  "pubsub",
  "slowlog",
  "latency",
  "script",
  "function",
  "module",
  "cluster",
]);

/** Command names as clients spell them ("get", "GET", "Get") mapped to specs. */
const spelled = new Map<string, CommandSpec>();

/** The last command word looked up and its spec: clients mostly repeat commands. */
let lastWord = new Uint8Array(0);
let lastSpec: CommandSpec | undefined;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function lookup(word: Uint8Array): CommandSpec | undefined {
  if (lastSpec !== undefined && sameBytes(word, lastWord)) return lastSpec;
  const spec = lookupSpelled(word);
  if (spec !== undefined && word.length <= 32) {
    lastWord = word.slice();
    lastSpec = spec;
  }
  return spec;
}

function lookupSpelled(word: Uint8Array): CommandSpec | undefined {
  const raw = latin1(word);
  let spec = spelled.get(raw);
  if (spec === undefined) {
    spec = table.get(raw.toLowerCase());
    if (spec !== undefined && spelled.size < 4096) spelled.set(raw, spec);
  }
  return spec;
}

/** The command table, for introspection and tests. */
export function commandTable(): ReadonlyMap<string, CommandSpec> {
  return table;
}

/** Commands a client in MULTI may still send at maxmemory (as in Redis). */
const oomExempt = new Set(["exec", "discard", "quit", "reset"]);

/**
 * Whether maxmemory refuses this command, as Redis decides before queueing:
 * memory-growing commands, anything queued in MULTI, and an EXEC whose queue
 * holds a memory-growing command. Like Redis, it evicts before any command
 * (a read too) while memory is over the limit.
 */
function oomRejects(x: KvEngine, c: KvClient, spec: CommandSpec): boolean {
  if (memoryAvailable(x)) return false;
  let guarded = spec.denyoom;
  if (c.multi !== null) {
    if (!oomExempt.has(spec.name)) guarded = true;
    else if (spec.name === "exec") guarded = c.multi.some((a) => lookup(a[0]!)?.denyoom === true);
  }
  return guarded;
}

function unknownCommand(argv: Uint8Array[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${latin1(argv[i]!).slice(0, 128)}' `;
  }
  return `ERR unknown command '${
    latin1(argv[0]!).slice(0, 128)
  }', with args beginning with: ${args}`;
}

function arityOk(spec: CommandSpec, argc: number): boolean {
  return spec.arity > 0 ? argc === spec.arity : argc >= -spec.arity;
}

/** Rejects a command before it runs; inside MULTI this also dooms the EXEC. */
function reject(
  x: KvEngine,
  c: KvClient,
  message: string,
  spec?: CommandSpec,
  argv?: Uint8Array[],
): undefined {
  if (spec !== undefined) statsOf(spec, argv ?? []).rejectedCalls++;
  if (c.multi !== null) c.multiError = true;
  c.reply.error(message);
  x.countError(message);
  return undefined;
}

/**
 * Runs one command from a client. Returns a promise when the client must wait
 * (a blocking command that found nothing, or SAVE) before its next command.
 * What it logs stays pending until `x.commitRecord()`: callers commit once per
 * batch of commands (one WAL record per read), and always before they await.
 */
export function executeCommand(
  x: KvEngine,
  c: KvClient,
  argv: Uint8Array[],
): Promise<void> | undefined {
  if (c.replyMode === "on") return executeOne(x, c, argv);
  const skipping = c.replyMode === "skip";
  const real = c.reply;
  c.reply = new MutedReply(real);
  try {
    return executeOne(x, c, argv);
  } finally {
    c.reply = real;
    if (skipping && c.replyMode === "skip") c.replyMode = "on";
  }
}

function executeOne(
  x: KvEngine,
  c: KvClient,
  argv: Uint8Array[],
): Promise<void> | undefined {
  x.startCommand();
  c.lastInteractionMs = x.now;
  const spec = lookup(argv[0]!);
  const name = spec?.name ?? latin1(argv[0]!).toLowerCase();
  if (!c.authenticated && (spec === undefined || !spec.noauth)) {
    return reject(x, c, "NOAUTH Authentication required.");
  }
  if (spec === undefined) return reject(x, c, unknownCommand(argv));
  if (!arityOk(spec, argv.length)) {
    return reject(x, c, `ERR wrong number of arguments for '${name}' command`, spec, argv);
  }
  c.lastCommand = containers.has(name) && argv.length > 1
    ? `${name}|${latin1(argv[1]!).toLowerCase()}`
    : name;
  const refused = aclRefusal(x, c, spec, argv);
  if (refused !== null) return reject(x, c, refused, spec, argv);
  // A script runs long and serves other clients from inside it: most commands get BUSY.
  const busy = x.busyScript;
  if (busy !== null && !allowedWhileBusy(spec, argv)) {
    const text = busyError(busy.evalMode);
    return spec.name === "exec" && c.multi !== null
      ? execAbort(x, c, text)
      : reject(x, c, text, spec, argv);
  }
  if (x.config.maxmemory !== 0 && oomRejects(x, c, spec)) {
    if (spec.name !== "exec") return reject(x, c, errors.oom, spec, argv);
    return execAbort(x, c, errors.oom);
  }
  if (c.multi !== null && spec.flags.has("denymulti")) {
    return reject(x, c, "ERR Command not allowed inside a transaction", spec, argv);
  }
  if (c.multi !== null && !spec.nomulti) {
    c.multi.push(argv.map((a) => a.slice()));
    c.reply.simple("QUEUED");
    return undefined;
  }
  if (c.resp === 2 && c.subscriptionCount > 0 && !spec.pubsubok) {
    return reject(
      x,
      c,
      `ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
  }
  if (x.pause !== null && pauseHolds(x.pause, spec, () => queuedSpecs(c))) {
    // Runs once the pause ends; the connection reads nothing more meanwhile.
    const held = argv.map((a) => a.slice());
    return waitForUnpause(x, c).then(() => c.closed ? undefined : executeCommand(x, c, held));
  }
  let r: BlockRequest | Promise<void> | void;
  // While the command runs, invalidations of its own client's keys wait for its reply.
  if (x.tracking.active) x.tracking.executing = c;
  try {
    r = runHandler(x, c, spec, argv);
    if (x.tracking.active) x.tracking.afterCommand();
  } catch (e) {
    x.tracking.executing = null;
    // A failure inside one command answers that command only; the
    // connection and every other client carry on.
    log.error("KV command failed", { command: name, error: String(e) });
    c.reply.error(`ERR ${e instanceof Error ? e.message : String(e)}`);
    x.countError("ERR");
    return undefined;
  }
  // Blocked clients a busy script's writes woke are served after it, not by a command it let in.
  if (x.readyKeys.size !== 0 && x.busyScript === null) x.serveReadyKeys();
  if (r === undefined) return undefined;
  if (r instanceof Promise) return r;
  x.block(c, r.keys, argv, r.timeoutMs, r.timeoutReply);
  return c.blockedWait ?? undefined;
}

/** EXEC refused before it runs: the transaction is discarded. */
function execAbort(x: KvEngine, c: KvClient, why: string): undefined {
  c.multi = null;
  c.multiError = false;
  unwatchAll(x, c);
  c.reply.error(`EXECABORT Transaction discarded because of: ${why}`);
  x.countError("EXECABORT");
  return undefined;
}

function queuedSpecs(c: KvClient): (CommandSpec | undefined)[] {
  return (c.multi ?? []).map((argv) => lookup(argv[0]!));
}

/** Retries a blocked client's command; false when it would block again. */
function retryBlocked(x: KvEngine, c: KvClient, argv: Uint8Array[]): boolean {
  const spec = table.get(latin1(argv[0]!).toLowerCase())!;
  const want = spec.group === "list" ? "list" : spec.group === "sorted_set" ? "zset" : null;
  if (want !== null && !x.blockedKeyHolds(c, want)) return false;
  x.noBlock = false;
  const before = x.dirtyCounter;
  x.explicitPropagation = false;
  const startMs = x.timer();
  const running = x.tracking.executing;
  x.tracking.executing = c;
  const r = spec.handler(x, c, argv);
  x.tracking.sendDeferred(c);
  x.tracking.executing = running;
  if (x.dirtyCounter !== before && !x.explicitPropagation) x.propagate(c.db, argv);
  // As Redis, a served blocked command enters the slow log when it is unblocked.
  if (r === undefined) recordSlow(x, c, spec, argv, (x.timer() - startMs) * 1000);
  return r === undefined;
}

/** Wires the engine's blocked-client retry to this dispatcher. */
export function attachDispatcher(x: KvEngine): void {
  x.acl.catalog = new TableCatalog(table, () => x.config.aclPubsubDefault === "allchannels");
  for (const [name, ...rules] of x.acl.pending.splice(0)) setUser(x, name!, rules);
  x.runBlocked = (c, argv) => retryBlocked(x, c, argv);
  x.blockedCommandFailed = (argv) => {
    const spec = table.get(latin1(argv[0]!).toLowerCase());
    if (spec !== undefined) statsOf(spec, argv).failedCalls++;
  };
  x.resetCommandStats = () => {
    for (const st of everyStats(table)) resetCommandStats(st);
  };
}

/**
 * Replays one WAL record (a batch of logged commands) during recovery.
 * @throws {CorruptError} XX001 when the record is malformed
 */
export function replayRecord(x: KvEngine, payload: Uint8Array): void {
  const client = new Client(
    0,
    new NullReply(),
    {
      setProtocol() {},
      closeAfterReply() {},
      flushSoon() {},
    },
    "replay",
    "replay",
    x.now,
    false,
  );
  const wasLoading = x.loading;
  x.loading = true;
  x.noBlock = true;
  try {
    for (const cmd of decodeRecord(payload)) {
      const spec = table.get(latin1(cmd.argv[0]!).toLowerCase());
      if (spec === undefined || !arityOk(spec, cmd.argv.length) || cmd.db >= x.dbs.length) continue;
      client.db = cmd.db;
      spec.handler(x, client, cmd.argv);
    }
  } finally {
    x.loading = wasLoading;
    x.noBlock = false;
  }
}
