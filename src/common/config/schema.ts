/**
 * Every configuration key: its section, kind, default and what it means.
 * `config/thunderdb.toml` documents the same keys with the same defaults, and a
 * test keeps the two in step.
 * @module
 */

/** Redis's maxmemory policies, as `resp.maxmemory_policy` and CONFIG SET accept them. */
export const maxmemoryPolicies = [
  "noeviction",
  "allkeys-lru",
  "allkeys-random",
  "volatile-lru",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lfu",
  "volatile-lfu",
] as const;

/** One of `maxmemoryPolicies`. */
export type MaxmemoryPolicy = typeof maxmemoryPolicies[number];

/** How a key's value is written and checked. */
export type KeyKind =
  | { readonly kind: "string" }
  | { readonly kind: "port" }
  | { readonly kind: "int"; readonly min: number; readonly max: number }
  | { readonly kind: "bool" }
  | {
    readonly kind: "size";
    readonly min: number;
    readonly max: number;
    readonly powerOfTwo?: boolean;
  }
  | { readonly kind: "duration" }
  | { readonly kind: "enum"; readonly values: readonly string[] };

/** One configuration key. */
export interface KeySpec {
  readonly section: string;
  readonly key: string;
  readonly type: KeyKind;
  readonly default: string | number | boolean;
}

const kb = 1024;
const mb = 1024 * kb;
const gb = 1024 * mb;

const port = { kind: "port" } as const;
const str = { kind: "string" } as const;
const bool = { kind: "bool" } as const;

/** The keys, in the order `config/thunderdb.toml` lists them. */
export const configKeys: readonly KeySpec[] = [
  { section: "server", key: "node_id", type: { kind: "int", min: 1, max: 65535 }, default: 1 },
  { section: "server", key: "listen_addr", type: str, default: "127.0.0.1" },
  { section: "server", key: "pg_port", type: port, default: 5432 },
  { section: "server", key: "mysql_port", type: port, default: 3306 },
  { section: "server", key: "resp_port", type: port, default: 6379 },
  { section: "server", key: "http_port", type: port, default: 8080 },
  { section: "server", key: "data_dir", type: str, default: "./data" },
  { section: "server", key: "wal_dir", type: str, default: "" },
  {
    section: "server",
    key: "max_connections",
    type: { kind: "int", min: 1, max: 10000 },
    default: 200,
  },
  { section: "server", key: "shutdown_timeout", type: { kind: "duration" }, default: "30s" },
  {
    section: "server",
    key: "pg_transport",
    type: { kind: "enum", values: ["auto", "native", "deno"] },
    default: "auto",
  },
  {
    section: "resp",
    key: "enable_debug_command",
    type: { kind: "enum", values: ["no", "local", "yes"] },
    default: "no",
  },
  {
    section: "storage",
    key: "buffer_pool_size",
    type: { kind: "size", min: 1 * mb, max: 1024 * gb },
    default: "256MB",
  },
  {
    section: "storage",
    key: "page_size",
    type: { kind: "size", min: 4 * kb, max: 64 * kb, powerOfTwo: true },
    default: "16KB",
  },
  { section: "storage", key: "compression", type: bool, default: false },
  {
    section: "storage",
    key: "compression_algorithm",
    type: { kind: "enum", values: ["lz4", "zstd", "none"] },
    default: "lz4",
  },
  {
    section: "storage",
    key: "wal_sync",
    type: { kind: "enum", values: ["fsync", "off"] },
    default: "fsync",
  },
  { section: "storage", key: "direct_io", type: bool, default: true },
  { section: "storage", key: "checkpoint_interval", type: { kind: "duration" }, default: "5m" },
  {
    section: "cluster",
    key: "replication_factor",
    type: { kind: "int", min: 1, max: 7 },
    default: 1,
  },
  { section: "cluster", key: "auto_balance", type: bool, default: true },
  { section: "security", key: "authentication_enabled", type: bool, default: false },
  { section: "security", key: "tls_enabled", type: bool, default: false },
  { section: "security", key: "tls_cert_file", type: str, default: "" },
  { section: "security", key: "tls_key_file", type: str, default: "" },
  { section: "security", key: "superuser", type: str, default: "thunder" },
  { section: "security", key: "superuser_password", type: str, default: "" },
  {
    section: "resp",
    key: "appendfsync",
    type: { kind: "enum", values: ["always", "everysec", "no"] },
    default: "everysec",
  },
  {
    section: "resp",
    key: "maxmemory",
    type: { kind: "size", min: 0, max: 1024 * gb },
    default: "0",
  },
  {
    section: "resp",
    key: "maxmemory_policy",
    type: { kind: "enum", values: maxmemoryPolicies },
    default: "noeviction",
  },
  { section: "resp", key: "maxclients", type: { kind: "int", min: 1, max: 10000 }, default: 10000 },
  {
    section: "resp",
    key: "proto_max_bulk_len",
    type: { kind: "size", min: 1 * mb, max: 512 * mb },
    default: "512MB",
  },
  {
    section: "resp",
    key: "client_query_buffer_limit",
    type: { kind: "size", min: 1 * mb, max: 1 * gb },
    default: "1GB",
  },
  { section: "resp", key: "aclfile", type: str, default: "" },
  {
    section: "resp",
    key: "transport",
    type: { kind: "enum", values: ["auto", "native", "deno"] },
    default: "auto",
  },
  {
    section: "log",
    key: "level",
    type: { kind: "enum", values: ["debug", "info", "warn", "error"] },
    default: "info",
  },
  {
    section: "log",
    key: "format",
    type: { kind: "enum", values: ["text", "json"] },
    default: "text",
  },
];

/** Describes the accepted form of a key, for error messages and `--help`. */
export function describeKind(type: KeyKind): string {
  switch (type.kind) {
    case "string":
      return "a string";
    case "port":
      return "a port number from 0 to 65535";
    case "int":
      return `an integer from ${type.min} to ${type.max}`;
    case "bool":
      return "true or false";
    case "size":
      return `a size like "128MB" or "16KB" (bytes, KB, MB, GB, TB)${
        type.powerOfTwo ? ", a power of two" : ""
      } from ${formatBytes(type.min)} to ${formatBytes(type.max)}`;
    case "duration":
      return 'a duration like "500ms", "30s", "5m" or "1h"';
    case "enum":
      return `one of ${type.values.map((v) => `"${v}"`).join(", ")}`;
  }
}

/** Formats a byte count with the largest exact unit. */
export function formatBytes(bytes: number): string {
  const units: [string, number][] = [["TB", 1024 * gb], ["GB", gb], ["MB", mb], ["KB", kb]];
  for (const [unit, size] of units) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
