/**
 * Introspection and administration: CLIENT, INFO, CONFIG, COMMAND.
 * @module
 */
import { clientTracking } from "./cmd_tracking.ts";
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";
import { errors, type Handler, intArg, opt, replyHelp, subcommandError } from "./cmd_util.ts";
import { redisVersion } from "./cmd_server.ts";
import { recentMaxBuffers } from "./client_cron.ts";
import { scriptCacheOf } from "./script_cache.ts";
import { migrateLinks } from "./migrate_link.ts";
import { MutedReply } from "./reply.ts";
import { config } from "./cmd_config.ts";
import { clientPause, unpause } from "./pause.ts";

/** Bytes of a command in RESP framing, as it sat in the query buffer. */
function requestBytes(argv: readonly Uint8Array[]): number {
  let n = 3 + String(argv.length).length;
  for (const a of argv) n += 5 + String(a.length).length + a.length;
  return n;
}

/**
 * One CLIENT LIST line. `running` is the command `self` is running: like
 * Redis, its qbuf still holds that command.
 */
function clientLine(x: KvEngine, c: KvClient, self: KvClient, running: Uint8Array[]): string {
  const age = Math.floor((x.now - c.createdMs) / 1000);
  const idle = c === self ? 0 : Math.floor((x.now - c.lastInteractionMs) / 1000);
  const flags = (c.monitor ? "O" : "") + (c.subscriptionCount > 0 ? "P" : "") +
    (c.multi !== null ? "x" : "") +
    (c.blocked !== null ? "b" : "") + (c.noEvict ? "e" : "");
  const b = c.transport.buffers?.() ?? { qbuf: 0, qbufFree: 0, obl: 0, oll: 0, omem: 0 };
  const qbuf = b.qbuf + (c === self ? requestBytes(running) : 0);
  return `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=8 name=${c.name} age=${age} idle=${idle} ` +
    `flags=${
      flags || "N"
    } db=${c.db} sub=${c.channels.size} psub=${c.patterns.size} ssub=${c.shardChannels.size} ` +
    `multi=${c.multi === null ? -1 : c.multi.length} qbuf=${qbuf} qbuf-free=${b.qbufFree} ` +
    `argv-mem=0 multi-mem=0 rbs=16384 rbp=0 obl=${b.obl} oll=${b.oll} omem=${b.omem} ` +
    `tot-mem=${c.memory} events=r cmd=${c.lastCommand} user=${c.user} redir=${
      c.tracking === null ? -1 : c.tracking.redirect
    } resp=${c.resp}`;
}

/** A client's CLIENT INFO line (ACL LOG's client-info). */
export function clientInfoLine(x: KvEngine, c: KvClient): string {
  return clientLine(x, c, c, []);
}

function clientKill(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  if (argv.length === 3) {
    const addr = latin1(argv[2]!);
    for (const other of x.clients.values()) {
      if (other.addr === addr) {
        other.transport.closeAfterReply();
        other.transport.flushSoon();
        return c.reply.ok();
      }
    }
    return c.reply.error("ERR No such client");
  }
  let skipMe = true;
  const filters: ((o: KvClient) => boolean)[] = [];
  for (let i = 2; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) return c.reply.error(errors.syntax);
    const w = opt(argv, i);
    const v = latin1(argv[i + 1]!);
    if (w === "ID") {
      const idError = "ERR client-id should be greater than 0";
      const id = intArg(c, argv[i + 1]!, idError);
      if (id === null) return;
      if (id <= 0) return c.reply.error(idError);
      filters.push((o) => o.id === id);
    } else if (w === "ADDR") filters.push((o) => o.addr === v);
    else if (w === "LADDR") filters.push((o) => o.laddr === v);
    else if (w === "USER") {
      if (v !== "default") return c.reply.error(`ERR No such user '${v}'`);
    } else if (w === "TYPE") {
      const t = v.toLowerCase();
      if (!["normal", "pubsub", "master", "replica", "slave"].includes(t)) {
        return c.reply.error(`ERR Unknown client type '${v}'`);
      }
      filters.push((
        o,
      ) => (t === "pubsub"
        ? o.subscriptionCount > 0
        : t === "normal" && o.subscriptionCount === 0)
      );
    } else if (w === "SKIPME") {
      const s = v.toLowerCase();
      if (s !== "yes" && s !== "no") return c.reply.error(errors.syntax);
      skipMe = s === "yes";
    } else if (w === "MAXAGE") {
      const n = Number(v);
      filters.push((o) => x.now - o.createdMs >= n * 1000);
    } else return c.reply.error(errors.syntax);
  }
  let killed = 0;
  for (const other of [...x.clients.values()]) {
    if (skipMe && other === c) continue;
    if (!filters.every((f) => f(other))) continue;
    other.transport.closeAfterReply();
    other.transport.flushSoon();
    killed++;
  }
  c.reply.integer(killed);
}

/** CLIENT REPLY ON|OFF|SKIP: only ON answers (dispatch mutes the rest). */
function clientReply(c: KvClient, argv: Uint8Array[]): void {
  const mode = opt(argv, 2);
  if (mode === "ON") {
    c.replyMode = "on";
    return (c.reply instanceof MutedReply ? c.reply.inner : c.reply).ok();
  }
  if (mode === "OFF") c.replyMode = "off";
  else if (mode === "SKIP") {
    if (c.replyMode === "on") c.replyMode = "skip";
  } else c.reply.error(errors.syntax);
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's blocking command. */
function clientUnblock(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  const id = intArg(c, argv[2]!);
  if (id === null) return;
  const how = argv.length === 4 ? opt(argv, 3) : "TIMEOUT";
  if (how !== "TIMEOUT" && how !== "ERROR") {
    return c.reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  }
  let target: KvClient | undefined;
  for (const o of x.clients.values()) if (o.id === id) target = o;
  const state = target?.blocked ?? null;
  if (target === undefined || state === null) return c.reply.integer(0);
  x.unblock(target);
  if (how === "ERROR") {
    const message = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
    target.reply.error(message);
    x.countError(message);
    x.blockedCommandFailed(state.argv);
  } else if (state.timeoutReply === "nil") target.reply.nil();
  else if (state.timeoutReply === "zero") target.reply.integer(0);
  else target.reply.nullArray();
  target.transport.flushSoon();
  c.reply.integer(1);
}

const client: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "ID" && argv.length === 2) return c.reply.integer(c.id);
  if (clientTracking(x, c, argv)) return;
  if (sub === "GETNAME" && argv.length === 2) {
    return c.name === "" ? c.reply.nil() : c.reply.bulkLatin1(c.name);
  }
  if (sub === "SETNAME" && argv.length === 3) {
    const name = latin1(argv[2]!);
    for (let i = 0; i < name.length; i++) {
      const code = name.charCodeAt(i);
      if (code < 33 || code > 126) {
        return c.reply.error(
          "ERR Client names cannot contain spaces, newlines or special characters.",
        );
      }
    }
    c.name = name;
    return c.reply.ok();
  }
  if (sub === "LIST") {
    let list = [...x.clients.values()];
    if (argv.length >= 4 && opt(argv, 2) === "ID") {
      const ids = new Set(argv.slice(3).map((a) => Number(latin1(a))));
      list = list.filter((o) => ids.has(o.id));
    } else if (argv.length === 4 && opt(argv, 2) === "TYPE") {
      const t = latin1(argv[3]!).toLowerCase();
      list = list.filter((
        o,
      ) => (t === "pubsub"
        ? o.subscriptionCount > 0
        : t === "normal" && o.subscriptionCount === 0)
      );
    } else if (argv.length !== 2) return c.reply.error(errors.syntax);
    return c.reply.verbatim(list.map((o) => clientLine(x, o, c, argv) + "\n").join(""));
  }
  if (sub === "INFO" && argv.length === 2) {
    return c.reply.verbatim(clientLine(x, c, c, argv) + "\n");
  }
  if (sub === "KILL" && argv.length >= 3) return clientKill(x, c, argv);
  if (sub === "NO-EVICT" && argv.length === 3) {
    const v = opt(argv, 2);
    if (v !== "ON" && v !== "OFF") return c.reply.error(errors.syntax);
    c.noEvict = v === "ON";
    return c.reply.ok();
  }
  if (sub === "SETINFO" && argv.length === 4) return c.reply.ok();
  if (sub === "PAUSE" && (argv.length === 3 || argv.length === 4)) return clientPause(x, c, argv);
  if (sub === "UNPAUSE" && argv.length === 2) {
    unpause(x);
    return c.reply.ok();
  }
  if (sub === "REPLY" && argv.length === 3) return clientReply(c, argv);
  if (sub === "UNBLOCK" && (argv.length === 3 || argv.length === 4)) {
    return clientUnblock(x, c, argv);
  }
  if (sub === "HELP") {
    const lines = [
      "CLIENT <subcommand>",
      "ID",
      "GETNAME",
      "SETNAME <name>",
      "LIST",
      "INFO",
      "KILL",
      "NO-EVICT (ON|OFF)",
    ];
    replyHelp(c, lines);
    return;
  }
  subcommandError(c, "CLIENT", argv, [
    "ID",
    "GETNAME",
    "SETNAME",
    "LIST",
    "INFO",
    "KILL",
    "NO-EVICT",
    "SETINFO",
    "PAUSE",
    "UNPAUSE",
    "HELP",
  ]);
};

function infoSection(x: KvEngine, name: string): string[] {
  const s = x.stats;
  const uptime = Math.floor((x.now - x.startedMs) / 1000);
  switch (name) {
    case "server":
      return [
        `redis_version:${redisVersion}`,
        "redis_mode:standalone",
        "os:Deno",
        "arch_bits:64",
        `process_id:${x.processId}`,
        `tcp_port:${x.port}`,
        `uptime_in_seconds:${uptime}`,
        `uptime_in_days:${Math.floor(uptime / 86400)}`,
        "executable:thunderdb",
        "server_name:thunderdb",
      ];
    case "clients":
      return [
        `connected_clients:${x.clients.size}`,
        `maxclients:${x.config.maxclients}`,
        `client_recent_max_input_buffer:${recentMaxBuffers(x).input}`,
        `client_recent_max_output_buffer:${recentMaxBuffers(x).output}`,
        `blocked_clients:${
          [...x.clients.values()].filter((c) => c.blocked !== null).length +
          (x.pause?.waiting.size ?? 0)
        }`,
        `tracking_clients:${x.tracking.clients.size}`,
      ];
    case "memory": {
      const used = x.usedMemory();
      return [
        `used_memory:${used}`,
        `used_memory_human:${(used / 1048576).toFixed(2)}M`,
        `used_memory_lua:${scriptCacheOf(x).memoryBytes()}`,
        `number_of_cached_scripts:${scriptCacheOf(x).size}`,
        `maxmemory:${x.config.maxmemory}`,
        `maxmemory_policy:${x.config.maxmemoryPolicy}`,
        "mem_clients_slaves:0",
        `mem_clients_normal:${x.clientsMemory}`,
        // Values are freed synchronously (UNLINK, FLUSHALL ASYNC): nothing is ever pending.
        "mem_not_counted_for_evict:0",
        "lazyfree_pending_objects:0",
        "lazyfreed_objects:0",
      ];
    }
    case "persistence":
      return [
        "loading:0",
        `rdb_changes_since_last_save:${s.dirty}`,
        `rdb_last_save_time:${Math.floor(s.lastSaveMs / 1000)}`,
        `rdb_last_bgsave_status:${s.lastSaveOk ? "ok" : "err"}`,
        "aof_enabled:1",
        "aof_rewrite_in_progress:0",
        "aof_last_write_status:ok",
        `appendfsync:${x.config.appendfsync}`,
      ];
    case "stats":
      return [
        `total_connections_received:${s.connections}`,
        `total_commands_processed:${s.commands}`,
        `rejected_connections:${s.rejectedConnections}`,
        `expired_keys:${s.expired}`,
        `evicted_keys:${s.evicted}`,
        `evicted_clients:${s.evictedClients}`,
        `keyspace_hits:${s.hits}`,
        `keyspace_misses:${s.misses}`,
        `pubsub_channels:${x.channels.size}`,
        `pubsub_patterns:${x.patterns.size}`,
        `migrate_cached_sockets:${migrateLinks(x).size}`,
        `total_error_replies:${s.errorReplies}`,
        `tracking_total_keys:${x.tracking.table.size}`,
        `tracking_total_items:${x.tracking.items}`,
        `tracking_total_prefixes:${x.tracking.prefixes.size}`,
      ];
    case "replication":
      return ["role:master", "connected_slaves:0", "master_repl_offset:0"];
    case "cpu": {
      const cpu = x.cpuUsage();
      return [
        `used_cpu_sys:${(cpu.system / 1e6).toFixed(6)}`,
        `used_cpu_user:${(cpu.user / 1e6).toFixed(6)}`,
        "used_cpu_sys_children:0.000000",
        "used_cpu_user_children:0.000000",
      ];
    }
    case "errorstats":
      return [...x.errorCodes].map(([code, n]) => `errorstat_${code}:count=${n}`);
    case "keyspace":
      return x.dbs.flatMap((db, i) =>
        db.size === 0 ? [] : [`db${i}:keys=${db.size},expires=${db.volatileCount},avg_ttl=0`]
      );
    default:
      return [];
  }
}

const infoSections = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "errorstats",
  "keyspace",
];

/** Sections only INFO ALL/EVERYTHING (or naming them) shows, as Redis. */
const nonDefaultSections = ["commandstats", "latencystats"];

/**
 * The INFO handler; `extra` supplies sections computed outside this module
 * (commandstats, from the command table).
 */
export function infoWith(extra: Readonly<Record<string, (x: KvEngine) => string[]>>): Handler {
  return (x, c, argv) => {
    const all = [...infoSections, ...nonDefaultSections];
    const wanted = argv.slice(1).map((a) => latin1(a).toLowerCase());
    if (wanted.length === 0 || wanted.includes("default")) wanted.push(...infoSections);
    if (wanted.includes("all") || wanted.includes("everything")) wanted.push(...all);
    const parts: string[] = [];
    for (const section of all) {
      if (!wanted.includes(section)) continue;
      const title = section[0]!.toUpperCase() + section.slice(1);
      const lines = extra[section]?.(x) ?? infoSection(x, section);
      parts.push(`# ${title}\r\n` + lines.map((l) => l + "\r\n").join(""));
    }
    c.reply.verbatim(parts.join("\r\n"));
  };
}

const info = infoWith({});

/** Admin handlers by lower-case name (COMMAND is built with the table). */
export const adminHandlers: Record<string, Handler> = { client, info, config };
