/**
 * CONFIG GET/SET/RESETSTAT/REWRITE over the engine's settings, with Redis's
 * parameter names (and 7.0's "ziplist" aliases) and error texts.
 * @module
 */
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";
import { type Handler, opt, subcommandError } from "./cmd_util.ts";
import { globMatch } from "./glob.ts";
import { memoryAvailable } from "./evict.ts";
import { formatNotifyFlags, parseNotifyFlags } from "./notify.ts";
import type { AppendFsync, MaxmemoryPolicy } from "./config.ts";

/** Parses "100mb", "1gb", "4096" into bytes; null when invalid. */
export function parseMemory(text: string): number | null {
  const m = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(text.trim());
  if (m === null) return null;
  const unit = (m[2] ?? "b").toLowerCase();
  const mult: Record<string, number> = {
    b: 1,
    k: 1000,
    kb: 1024,
    m: 1_000_000,
    mb: 1024 * 1024,
    g: 1_000_000_000,
    gb: 1024 * 1024 * 1024,
  };
  return Number(m[1]) * mult[unit]!;
}

function configValues(x: KvEngine): [string, string][] {
  const k = x.config;
  return [
    ["maxmemory", String(k.maxmemory)],
    ["maxmemory-policy", k.maxmemoryPolicy],
    ["appendonly", "yes"],
    ["appendfsync", k.appendfsync],
    ["maxclients", String(k.maxclients)],
    ["proto-max-bulk-len", String(k.protoMaxBulkLen)],
    ["client-query-buffer-limit", String(k.clientQueryBufferLimit)],
    ["requirepass", k.requirepass],
    ["notify-keyspace-events", formatNotifyFlags(x.notifyFlags)],
    ["databases", String(k.databases)],
    ["save", k.save],
    ...Object.entries(intSettings).map(([n, f]): [string, string] => [n, String(k[f])]),
    ["slowlog-log-slower-than", String(k.slowlogLogSlowerThan)],
    ["slowlog-max-len", String(k.slowlogMaxLen)],
    ["latency-monitor-threshold", String(k.latencyMonitorThreshold)],
    ["latency-tracking", k.latencyTracking ? "yes" : "no"],
    ["port", String(x.port)],
    ["timeout", "0"],
    ["bind", "127.0.0.1"],
  ];
}

type IntSetting =
  | "hashMaxListpackEntries"
  | "hashMaxListpackValue"
  | "zsetMaxListpackEntries"
  | "zsetMaxListpackValue"
  | "setMaxIntsetEntries"
  | "listMaxListpackSize"
  | "listCompressDepth"
  | "hllSparseMaxBytes"
  | "slowlogMaxLen"
  | "latencyMonitorThreshold";

/** Integer settings by Redis name (7.0 still accepts the "ziplist" aliases). */
const intSettings: Record<string, IntSetting> = {
  "hash-max-listpack-entries": "hashMaxListpackEntries",
  "hash-max-ziplist-entries": "hashMaxListpackEntries",
  "hash-max-listpack-value": "hashMaxListpackValue",
  "hash-max-ziplist-value": "hashMaxListpackValue",
  "zset-max-listpack-entries": "zsetMaxListpackEntries",
  "zset-max-ziplist-entries": "zsetMaxListpackEntries",
  "zset-max-listpack-value": "zsetMaxListpackValue",
  "zset-max-ziplist-value": "zsetMaxListpackValue",
  "set-max-intset-entries": "setMaxIntsetEntries",
  "list-max-listpack-size": "listMaxListpackSize",
  "list-max-ziplist-size": "listMaxListpackSize",
  "list-compress-depth": "listCompressDepth",
  "hll-sparse-max-bytes": "hllSparseMaxBytes",
  "slowlog-max-len": "slowlogMaxLen",
  "latency-monitor-threshold": "latencyMonitorThreshold",
};

function configSet(x: KvEngine, name: string, value: string): string | null {
  const k = x.config;
  const bad =
    `ERR CONFIG SET failed (possibly related to argument '${name}') - argument couldn't be parsed into an integer`;
  const setting = intSettings[name];
  if (setting !== undefined) {
    const n = Number(value);
    const min = setting === "listMaxListpackSize" ? -5 : 0;
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) return bad;
    k[setting] = n;
    return null;
  }
  switch (name) {
    case "slowlog-log-slower-than": {
      const n = Number(value);
      if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < -1) return bad;
      k.slowlogLogSlowerThan = n;
      return null;
    }
    case "latency-tracking": {
      const v = value.toLowerCase();
      if (v !== "yes" && v !== "no") {
        return `ERR CONFIG SET failed (possibly related to argument '${name}') - argument must be 'yes' or 'no'`;
      }
      k.latencyTracking = v === "yes";
      return null;
    }
    case "save":
      k.save = value;
      return null;
    case "maxmemory":
    case "proto-max-bulk-len":
    case "client-query-buffer-limit": {
      const n = parseMemory(value);
      if (n === null) return bad;
      if (name === "maxmemory") {
        k.maxmemory = n;
        // As Redis: lowering the limit evicts at once rather than at the next write.
        memoryAvailable(x);
      } else if (name === "proto-max-bulk-len") k.protoMaxBulkLen = n;
      else k.clientQueryBufferLimit = n;
      return null;
    }
    case "maxclients": {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) return bad;
      k.maxclients = n;
      return null;
    }
    case "maxmemory-policy":
      if (value !== "noeviction" && value !== "allkeys-lru") {
        return `ERR CONFIG SET failed (possibly related to argument '${name}') - argument(s) must be one of the following: noeviction, allkeys-lru`;
      }
      k.maxmemoryPolicy = value as MaxmemoryPolicy;
      return null;
    case "appendfsync":
      if (value !== "always" && value !== "everysec" && value !== "no") {
        return `ERR CONFIG SET failed (possibly related to argument '${name}') - argument(s) must be one of the following: always, everysec, no`;
      }
      k.appendfsync = value as AppendFsync;
      return null;
    case "notify-keyspace-events": {
      const bits = parseNotifyFlags(value);
      if (bits === null) {
        return `ERR CONFIG SET failed (possibly related to argument '${name}') - Invalid event class character. Use 'Ag$lshzxeKEtmd'.`;
      }
      x.notifyFlags = bits;
      return null;
    }
    case "requirepass":
      k.requirepass = value;
      return null;
    default:
      return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
  }
}

/** The CONFIG command. */
export const config: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "GET" && argv.length >= 3) {
    const patterns = argv.slice(2).map((a) => latin1(a).toLowerCase());
    const hits = configValues(x).filter(([n]) => patterns.some((p) => globMatch(p, n)));
    c.reply.map(hits.length);
    for (const [n, v] of hits) {
      c.reply.bulkText(n);
      c.reply.bulkText(v);
    }
    return;
  }
  if (sub === "SET" && argv.length >= 4 && argv.length % 2 === 0) {
    for (let i = 2; i < argv.length; i += 2) {
      const err = configSet(x, latin1(argv[i]!).toLowerCase(), latin1(argv[i + 1]!));
      if (err !== null) return c.reply.error(err);
    }
    return c.reply.ok();
  }
  if (sub === "RESETSTAT" && argv.length === 2) {
    x.resetStats();
    return c.reply.ok();
  }
  if (sub === "REWRITE" && argv.length === 2) {
    return c.reply.error("ERR The server is running without a config file");
  }
  subcommandError(c, "CONFIG", argv, ["GET", "SET", "RESETSTAT", "REWRITE", "HELP"]);
};
