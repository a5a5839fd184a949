/**
 * Settings of the key-value engine (the `[resp]` section of the config file).
 * @module
 */
import { maxmemoryPolicies, type MaxmemoryPolicy } from "../common/config/schema.ts";
import { ConfigError } from "../common/errors.ts";
import { respBulkBytesMax } from "../common/limits.ts";
import {
  defaultOutputBufferLimits,
  type MaxmemoryClients,
  type OutputBufferLimits,
} from "./client_limits.ts";

/** When writes reach disk, as Redis's appendfsync. */
export type AppendFsync = "always" | "everysec" | "no";
/** The policies, as configuration accepts them. */
export { maxmemoryPolicies };
/** What happens at maxmemory (Redis's policies). */
export type { MaxmemoryPolicy };

/** Engine settings; CONFIG SET changes them at run time. */
export interface KvConfig {
  appendfsync: AppendFsync;
  /** Bytes; 0 = no limit. */
  maxmemory: number;
  maxmemoryPolicy: MaxmemoryPolicy;
  /** Memory of all clients (bytes or percent of maxmemory) past which the largest are evicted. */
  maxmemoryClients: MaxmemoryClients;
  /** Password of the default user; "" = none. */
  requirepass: string;
  maxclients: number;
  protoMaxBulkLen: number;
  clientQueryBufferLimit: number;
  /** Pending-reply limits by client class (replaced whole on CONFIG SET, never mutated). */
  clientOutputBufferLimit: OutputBufferLimits;
  /** Number of databases (SELECT range). */
  databases: number;
  /** Thresholds of Redis's compact encodings, as OBJECT ENCODING reports them. */
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  setMaxIntsetEntries: number;
  /** Accepted and reported only: Redis's list node layout (no effect here). */
  listMaxListpackSize: number;
  listCompressDepth: number;
  /** Entries per stream node: approximate trims (`~`) remove whole nodes; 0 = unlimited. */
  streamNodeMaxEntries: number;
  /** Accepted and reported only: stream nodes are bounded by entries here, not bytes. */
  streamNodeMaxBytes: number;
  /** Largest sparse HyperLogLog (bytes) before it turns dense. */
  hllSparseMaxBytes: number;
  /** Accepted and reported only: ThunderDB snapshots on its own schedule. */
  save: string;
  /** Commands that take at least this many µs enter the slow log; -1 = none. */
  slowlogLogSlowerThan: number;
  /** Entries the slow log keeps. */
  slowlogMaxLen: number;
  /** Commands that take at least this many ms are latency monitor events; 0 = off. */
  latencyMonitorThreshold: number;
  /** Whether per-command latency histograms are kept (LATENCY HISTOGRAM). */
  latencyTracking: boolean;
  /** Percentiles INFO latencystats reports from those histograms. */
  latencyTrackingInfoPercentiles: readonly number[];
  /** Entries ACL LOG keeps. */
  acllogMaxLen: number;
  /** Keys the CLIENT TRACKING table remembers before it evicts (0 = no limit). */
  trackingTableMaxKeys: number;
  /** Channels new ACL users (and ACL SETUSER reset) start with. */
  aclPubsubDefault: "resetchannels" | "allchannels";
  /** Who may run DEBUG (Redis's enable-debug-command): nobody, loopback clients, everyone. */
  enableDebugCommand: "no" | "local" | "yes";
  /** Whether the server sets its OOM-killer score (see oom_score.ts); "yes" is "relative". */
  oomScoreAdj: "no" | "yes" | "relative" | "absolute";
  /** The scores of Redis's primary, replica and child processes (only the first applies here). */
  oomScoreAdjValues: readonly [number, number, number];
  /**
   * Milliseconds a script runs before other clients are served (with BUSY
   * replies) from inside it: Redis's busy-reply-threshold (lua-time-limit).
   */
  busyReplyThreshold: number;
  /** Redis's ACL file (see acl_file.ts): users read at startup and by ACL LOAD; "" = none. */
  aclfile: string;
  /** Seconds a shutdown waits for lagging replicas (accepted: there are none here). */
  shutdownTimeout: number;
  /** What SIGINT's and SIGTERM's shutdown does: "default" or SHUTDOWN's flags (see server_control.ts). */
  shutdownOnSigint: string;
  shutdownOnSigterm: string;
}

/** Defaults, equal to config/thunderdb.toml. */
export const defaultKvConfig: Readonly<KvConfig> = {
  appendfsync: "everysec",
  maxmemory: 0,
  maxmemoryPolicy: "noeviction",
  maxmemoryClients: { percent: false, value: 0 },
  requirepass: "",
  maxclients: 10_000,
  protoMaxBulkLen: 512 * 1024 * 1024,
  clientQueryBufferLimit: 1024 * 1024 * 1024,
  clientOutputBufferLimit: defaultOutputBufferLimits,
  databases: 16,
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
  setMaxIntsetEntries: 512,
  listMaxListpackSize: -2,
  listCompressDepth: 0,
  streamNodeMaxEntries: 100,
  streamNodeMaxBytes: 4096,
  hllSparseMaxBytes: 3000,
  save: "",
  slowlogLogSlowerThan: 10_000,
  slowlogMaxLen: 128,
  latencyMonitorThreshold: 0,
  latencyTracking: true,
  latencyTrackingInfoPercentiles: [50, 99, 99.9],
  acllogMaxLen: 128,
  trackingTableMaxKeys: 1_000_000,
  aclPubsubDefault: "resetchannels",
  enableDebugCommand: "no",
  oomScoreAdj: "no",
  oomScoreAdjValues: [0, 200, 800],
  busyReplyThreshold: 5000,
  aclfile: "",
  shutdownTimeout: 10,
  shutdownOnSigint: "default",
  shutdownOnSigterm: "default",
};

/**
 * Checks a configuration.
 * @throws {ConfigError} F0000 on an invalid value
 */
export function validateKvConfig(config: KvConfig): KvConfig {
  if (!["always", "everysec", "no"].includes(config.appendfsync)) {
    throw new ConfigError(`appendfsync must be always, everysec or no, got ${config.appendfsync}`);
  }
  if (!maxmemoryPolicies.includes(config.maxmemoryPolicy)) {
    throw new ConfigError(
      `maxmemory_policy must be one of ${
        maxmemoryPolicies.join(", ")
      }, got ${config.maxmemoryPolicy}`,
    );
  }
  if (!(config.maxmemory >= 0)) {
    throw new ConfigError(`maxmemory must be >= 0, got ${config.maxmemory}`);
  }
  if (!(config.protoMaxBulkLen >= 1024 && config.protoMaxBulkLen <= respBulkBytesMax)) {
    throw new ConfigError(
      `proto_max_bulk_len must be between 1024 and ${respBulkBytesMax}, got ${config.protoMaxBulkLen}`,
    );
  }
  if (!(config.maxclients >= 1)) {
    throw new ConfigError(`maxclients must be >= 1, got ${config.maxclients}`);
  }
  if (!(config.clientQueryBufferLimit >= 1024 * 1024)) {
    throw new ConfigError(
      `client_query_buffer_limit must be >= 1MB, got ${config.clientQueryBufferLimit}`,
    );
  }
  if (!(config.databases >= 1 && config.databases <= 1024)) {
    throw new ConfigError(`databases must be 1..1024, got ${config.databases}`);
  }
  return config;
}
