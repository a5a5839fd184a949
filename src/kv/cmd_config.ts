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
import { type AppendFsync, maxmemoryPolicies, type MaxmemoryPolicy } from "./config.ts";
import {
  formatMaxmemoryClients,
  formatOutputBufferLimits,
  parseMaxmemoryClients,
  parseMemory,
  parseOutputBufferLimits,
} from "./client_limits.ts";
import { evictClients } from "./client_evict.ts";
import { applyOomScore, oomScoreModes, parseOomScoreValues } from "./oom_score.ts";
import { configRewrite, configSetListener, setsListener } from "./cmd_lifecycle.ts";
import {
  serverHostOf,
  setShutdownSetting,
  shutdownSettingNames,
  shutdownSettingValues,
} from "./server_control.ts";

/**
 * Redis settings ThunderDB accepts and reports but does not act on (no
 * replication backlog, no per-client memory eviction, no LRU sampling knob),
 * with their Redis defaults. Each engine keeps its own values.
 */
const reportedOnlyDefaults: Readonly<Record<string, string>> = {
  "repl-backlog-size": "1048576",
  "maxmemory-samples": "5",
  "key-load-delay": "0",
  // The WAL is a log of commands after a snapshot: there is no RDB preamble to choose.
  "aof-use-rdb-preamble": "yes",
};

/** Settings CONFIG GET shows only when asked for by exact name, as Redis hides them. */
const hidden = new Set(["key-load-delay"]);

/** Settings fixed at startup. */
const immutable = new Set([
  "daemonize",
  "databases",
  "io-threads",
  "supervised",
  "pidfile",
  "logfile",
  "unixsocket",
  "dir",
  "aclfile",
]);

const reportedOnly = new WeakMap<KvEngine, Map<string, string>>();

function reportedOnlyOf(x: KvEngine): Map<string, string> {
  let m = reportedOnly.get(x);
  if (m === undefined) reportedOnly.set(x, m = new Map(Object.entries(reportedOnlyDefaults)));
  return m;
}

function configValues(x: KvEngine): [string, string][] {
  const k = x.config;
  return [
    ...reportedOnlyOf(x),
    ["replicaof", ""],
    ["slaveof", ""],
    ["maxmemory", String(k.maxmemory)],
    ["maxmemory-policy", k.maxmemoryPolicy],
    ["maxmemory-clients", formatMaxmemoryClients(k.maxmemoryClients)],
    ["appendonly", "yes"],
    ["appendfsync", k.appendfsync],
    ["maxclients", String(k.maxclients)],
    ["proto-max-bulk-len", String(k.protoMaxBulkLen)],
    ["client-query-buffer-limit", String(k.clientQueryBufferLimit)],
    ["client-output-buffer-limit", formatOutputBufferLimits(k.clientOutputBufferLimit)],
    ["requirepass", k.requirepass],
    ["acl-pubsub-default", k.aclPubsubDefault],
    ["notify-keyspace-events", formatNotifyFlags(x.notifyFlags)],
    ["databases", String(k.databases)],
    ["save", k.save],
    ...Object.entries(intSettings).map(([n, f]): [string, string] => [n, String(k[f])]),
    ["slowlog-log-slower-than", String(k.slowlogLogSlowerThan)],
    ["slowlog-max-len", String(k.slowlogMaxLen)],
    ["latency-monitor-threshold", String(k.latencyMonitorThreshold)],
    ["latency-tracking", k.latencyTracking ? "yes" : "no"],
    ["latency-tracking-info-percentiles", k.latencyTrackingInfoPercentiles.join(" ")],
    ["aclfile", k.aclfile],
    ["oom-score-adj", k.oomScoreAdj],
    ["oom-score-adj-values", k.oomScoreAdjValues.join(" ")],
    ...shutdownSettingValues(k),
    ["port", String(x.port)],
    ["timeout", "0"],
    ["bind", serverHostOf(x)?.hostname ?? "127.0.0.1"],
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
  | "streamNodeMaxEntries"
  | "streamNodeMaxBytes"
  | "hllSparseMaxBytes"
  | "slowlogMaxLen"
  | "latencyMonitorThreshold"
  | "acllogMaxLen"
  | "trackingTableMaxKeys"
  | "busyReplyThreshold";

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
  "stream-node-max-entries": "streamNodeMaxEntries",
  "stream-node-max-bytes": "streamNodeMaxBytes",
  "hll-sparse-max-bytes": "hllSparseMaxBytes",
  "slowlog-max-len": "slowlogMaxLen",
  "latency-monitor-threshold": "latencyMonitorThreshold",
  "acllog-max-len": "acllogMaxLen",
  "tracking-table-max-keys": "trackingTableMaxKeys",
  "busy-reply-threshold": "busyReplyThreshold",
  "lua-time-limit": "busyReplyThreshold",
};

/** The error of a CONFIG SET argument, in Redis's words. */
function setFailed(name: string, reason: string): string {
  return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
}

/** CONFIG SET of a setting that is only reported; null when accepted. */
function setReportedOnly(x: KvEngine, name: string, value: string): string | null {
  let stored = value;
  if (name === "aof-use-rdb-preamble") {
    const v = value.toLowerCase();
    if (v !== "yes" && v !== "no") return setFailed(name, "argument must be 'yes' or 'no'");
    stored = v;
  } else if (name === "maxmemory-samples" || name === "key-load-delay") {
    if (!/^-?\d+$/.test(value)) {
      return setFailed(name, "argument couldn't be parsed into an integer");
    }
  } else {
    const n = parseMemory(value);
    if (n === null) return setFailed(name, "argument must be a memory value");
    stored = String(n);
  }
  reportedOnlyOf(x).set(name, stored);
  return null;
}

/**
 * CONFIG SET of settings that cannot change here, accepted only when set to
 * what they already are (CONFIG SET of every CONFIG GET value must work).
 */
function setFixed(x: KvEngine, name: string, value: string): string | null {
  const current = configValues(x).find(([n]) => n === name)?.[1];
  if (value === current) return null;
  return setFailed(name, `ThunderDB runs with ${name} ${current === "" ? "unset" : current}`);
}

const fixed = new Set(["appendonly", "timeout", "replicaof", "slaveof"]);

function configSet(x: KvEngine, name: string, value: string): string | null {
  const k = x.config;
  const bad = setFailed(name, "argument couldn't be parsed into an integer");
  if (reportedOnlyOf(x).has(name)) return setReportedOnly(x, name, value);
  if (fixed.has(name)) return setFixed(x, name, value);
  if (immutable.has(name)) return setFailed(name, "can't set immutable config");
  if (shutdownSettingNames.includes(name)) {
    const reason = setShutdownSetting(k, name, value);
    return reason === null ? null : setFailed(name, reason);
  }
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
    case "latency-tracking-info-percentiles": {
      const words = value.split(" ").filter((w) => w !== "");
      const ps = words.map(Number);
      if (ps.some((p, i) => !/^[\d.]+$/.test(words[i]!) || !(p >= 0 && p <= 100))) {
        return setFailed(name, "percentile must be between 0.0 and 100.0");
      }
      k.latencyTrackingInfoPercentiles = ps;
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
      if (name === "maxmemory") k.maxmemory = n;
      else if (name === "proto-max-bulk-len") k.protoMaxBulkLen = n;
      else k.clientQueryBufferLimit = n;
      return null;
    }
    case "maxmemory-clients": {
      const m = parseMaxmemoryClients(value);
      if (typeof m === "string") return setFailed(name, m);
      k.maxmemoryClients = m;
      return null;
    }
    case "client-output-buffer-limit": {
      const limits = parseOutputBufferLimits(k.clientOutputBufferLimit, value);
      if (typeof limits === "string") return setFailed(name, limits);
      k.clientOutputBufferLimit = limits;
      return null;
    }
    case "maxclients": {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) return bad;
      k.maxclients = n;
      return null;
    }
    case "maxmemory-policy":
      if (!(maxmemoryPolicies as readonly string[]).includes(value)) {
        return setFailed(
          name,
          `argument(s) must be one of the following: ${maxmemoryPolicies.join(", ")}`,
        );
      }
      x.setMaxmemoryPolicy(value as MaxmemoryPolicy);
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
    case "acl-pubsub-default": {
      const v = value.toLowerCase();
      if (v !== "allchannels" && v !== "resetchannels") {
        return setFailed(
          name,
          "argument(s) must be one of the following: allchannels, resetchannels",
        );
      }
      k.aclPubsubDefault = v;
      return null;
    }
    case "oom-score-adj": {
      const v = value.toLowerCase();
      if (!(oomScoreModes as readonly string[]).includes(v)) {
        return setFailed(
          name,
          `argument(s) must be one of the following: ${oomScoreModes.join(", ")}`,
        );
      }
      k.oomScoreAdj = v as typeof k.oomScoreAdj;
      return null;
    }
    case "oom-score-adj-values": {
      const values = parseOomScoreValues(value);
      if (typeof values === "string") return setFailed(name, values);
      k.oomScoreAdjValues = values;
      return null;
    }
    default:
      return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
  }
}

/**
 * CONFIG SET name value [name value ...], all or nothing as in Redis 7: on the
 * first error every setting goes back to what it was. Returns the error.
 */
function configSetAll(x: KvEngine, argv: Uint8Array[]): string | null {
  const names = new Set<string>();
  for (let i = 2; i < argv.length; i += 2) {
    const name = latin1(argv[i]!).toLowerCase();
    if (names.has(name)) return setFailed(name, "duplicate parameter");
    names.add(name);
  }
  const savedConfig = { ...x.config };
  const savedFlags = x.notifyFlags;
  const savedReported = new Map(reportedOnlyOf(x));
  const rollBack = () => {
    Object.assign(x.config, savedConfig);
    x.notifyFlags = savedFlags;
    reportedOnly.set(x, savedReported);
  };
  for (let i = 2; i < argv.length; i += 2) {
    const err = configSet(x, latin1(argv[i]!).toLowerCase(), latin1(argv[i + 1]!));
    if (err === null) continue;
    rollBack();
    return err;
  }
  const oomName = names.has("oom-score-adj") ? "oom-score-adj" : "oom-score-adj-values";
  if (names.has(oomName) && !applyOomScore(x)) {
    // As Redis: the settings go back, and so does the score.
    rollBack();
    applyOomScore(x);
    return setFailed(
      oomName,
      oomName === "oom-score-adj"
        ? "Failed to set current oom_score_adj. Check server logs."
        : "Failed to apply oom-score-adj-values configuration.",
    );
  }
  // requirepass is the default user's password (see acl.ts).
  if (names.has("requirepass")) x.acl.setDefaultPassword(x.config.requirepass);
  // As Redis: lowering the limit evicts at once rather than at the next write.
  if (names.has("maxmemory")) memoryAvailable(x);
  if (names.has("maxmemory") || names.has("maxmemory-clients")) evictClients(x);
  return null;
}

/** The CONFIG command. */
export const config: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "GET" && argv.length >= 3) {
    const patterns = argv.slice(2).map((a) => latin1(a).toLowerCase());
    const hits = configValues(x).filter(([n]) =>
      patterns.some((p) => hidden.has(n) ? p === n : globMatch(p, n))
    );
    c.reply.map(hits.length);
    for (const [n, v] of hits) {
      c.reply.bulkText(n);
      c.reply.bulkText(v);
    }
    return;
  }
  if (sub === "SET" && argv.length >= 4 && argv.length % 2 === 0) {
    // port and bind move the listener (cmd_lifecycle.ts).
    if (setsListener(argv)) return configSetListener(x, c, argv, (rest) => configSetAll(x, rest));
    const err = configSetAll(x, argv);
    return err === null ? c.reply.ok() : c.reply.error(err);
  }
  if (sub === "RESETSTAT" && argv.length === 2) {
    x.resetStats();
    return c.reply.ok();
  }
  if (sub === "REWRITE" && argv.length === 2) return configRewrite(x, c);
  subcommandError(c, "CONFIG", argv, ["GET", "SET", "RESETSTAT", "REWRITE", "HELP"]);
};
