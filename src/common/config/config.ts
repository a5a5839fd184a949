/**
 * Resolves the configuration from, in rising precedence: built-in defaults
 * (equal to `config/thunderdb.toml`), the TOML file, `THUNDERDB_<SECTION>_<KEY>`
 * environment variables, and command-line flags. Pure: the caller reads the
 * file and passes its text.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { configKeys, describeKind, type KeySpec, type MaxmemoryPolicy } from "./schema.ts";
import { parseToml } from "./toml.ts";

/** The resolved configuration. Sizes are bytes, durations milliseconds. */
export interface Config {
  readonly server: {
    readonly node_id: number;
    readonly listen_addr: string;
    readonly pg_port: number;
    readonly mysql_port: number;
    readonly resp_port: number;
    readonly http_port: number;
    readonly data_dir: string;
    /** Defaults to `<data_dir>/wal` when empty in the file. */
    readonly wal_dir: string;
    readonly max_connections: number;
    readonly shutdown_timeout: number;
    readonly pg_transport: "auto" | "native" | "deno";
  };
  readonly storage: {
    readonly buffer_pool_size: number;
    readonly page_size: number;
    readonly compression: boolean;
    readonly compression_algorithm: "lz4" | "zstd" | "none";
    readonly wal_sync: "fsync" | "off";
    readonly direct_io: boolean;
    readonly checkpoint_interval: number;
  };
  readonly cluster: { readonly replication_factor: number; readonly auto_balance: boolean };
  readonly security: {
    readonly authentication_enabled: boolean;
    readonly tls_enabled: boolean;
    readonly tls_cert_file: string;
    readonly tls_key_file: string;
    readonly superuser: string;
    readonly superuser_password: string;
  };
  readonly resp: {
    readonly appendfsync: "always" | "everysec" | "no";
    readonly maxmemory: number;
    readonly maxmemory_policy: MaxmemoryPolicy;
    readonly maxclients: number;
    readonly proto_max_bulk_len: number;
    readonly client_query_buffer_limit: number;
    readonly aclfile: string;
    readonly transport: "auto" | "native" | "deno";
    readonly enable_debug_command: "no" | "local" | "yes";
  };
  readonly log: {
    readonly level: "debug" | "info" | "warn" | "error";
    readonly format: "text" | "json";
  };
}

/** Inputs to `resolveConfig`. */
export interface ConfigSources {
  /** TOML text of the config file, if any. */
  readonly fileText?: string;
  /** Name of the file, for messages. */
  readonly fileName?: string;
  /** Environment variables (only `THUNDERDB_*` are read). */
  readonly env?: Readonly<Record<string, string>>;
  /** Overrides from flags: "section.key" → raw value. */
  readonly overrides?: Readonly<Record<string, string>>;
}

const sizeUnits: Record<string, number> = {
  "": 1,
  B: 1,
  KB: 1024,
  K: 1024,
  MB: 1024 ** 2,
  M: 1024 ** 2,
  GB: 1024 ** 3,
  G: 1024 ** 3,
  TB: 1024 ** 4,
  T: 1024 ** 4,
};
const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Resolves and validates the configuration.
 * @throws {ConfigError} naming the key, the bad value and the expected form
 * @example resolveConfig({ overrides: { "server.pg_port": "5433" } }).server.pg_port // 5433
 */
export function resolveConfig(sources: ConfigSources = {}): Config {
  const out: Record<string, Record<string, unknown>> = {};
  const file = sources.fileText === undefined
    ? {}
    : parseToml(sources.fileText, sources.fileName ?? "config");
  checkUnknownKeys(file, sources.fileName ?? "config");
  for (const spec of configKeys) {
    const section = (out[spec.section] ??= {});
    const name = `${spec.section}.${spec.key}`;
    const envName = `THUNDERDB_${spec.section}_${spec.key}`.toUpperCase();
    const fileSection = file[spec.section] as Record<string, unknown> | undefined;
    let raw: unknown = spec.default;
    let origin = "default";
    if (fileSection && spec.key in fileSection) {
      raw = fileSection[spec.key];
      origin = sources.fileName ?? "config file";
    }
    if (sources.env?.[envName] !== undefined) {
      raw = sources.env[envName];
      origin = `environment variable ${envName}`;
    }
    if (sources.overrides?.[name] !== undefined) {
      raw = sources.overrides[name];
      origin = "command line";
    }
    section[spec.key] = convert(spec, raw, origin);
  }
  const server = out.server as Record<string, unknown>;
  if (server.wal_dir === "") server.wal_dir = `${String(server.data_dir).replace(/\/+$/, "")}/wal`;
  return out as unknown as Config;
}

function checkUnknownKeys(file: Record<string, unknown>, fileName: string): void {
  for (const [section, table] of Object.entries(file)) {
    const known = configKeys.filter((k) => k.section === section);
    if (known.length === 0) throw new ConfigError(`Unknown section [${section}] in ${fileName}`);
    if (typeof table !== "object" || table === null) {
      throw new ConfigError(`Section [${section}] in ${fileName} must be a table`);
    }
    for (const key of Object.keys(table)) {
      if (!known.some((k) => k.key === key)) {
        throw new ConfigError(`Unknown key ${section}.${key} in ${fileName}`);
      }
    }
  }
}

function convert(spec: KeySpec, raw: unknown, origin: string): unknown {
  const value = parseValue(spec, raw);
  if (value === undefined) {
    throw new ConfigError(
      `Invalid value for ${spec.section}.${spec.key} (from ${origin}): ${
        JSON.stringify(raw)
      }; expected ${describeKind(spec.type)}`,
    );
  }
  return value;
}

function parseValue(spec: KeySpec, raw: unknown): unknown {
  const type = spec.type;
  const text = typeof raw === "string" ? raw.trim() : undefined;
  switch (type.kind) {
    case "string":
      return typeof raw === "string" ? raw : undefined;
    case "bool":
      if (typeof raw === "boolean") return raw;
      if (text === "true" || text === "on" || text === "1") return true;
      if (text === "false" || text === "off" || text === "0") return false;
      return undefined;
    case "port":
    case "int": {
      const n = typeof raw === "number" || typeof raw === "bigint"
        ? Number(raw)
        : text !== undefined && /^-?\d+$/.test(text)
        ? Number(text)
        : NaN;
      const [min, max] = type.kind === "port" ? [0, 65535] : [type.min, type.max];
      return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
    }
    case "size": {
      const n = parseSize(raw);
      if (n === undefined || n < type.min || n > type.max) return undefined;
      if (type.powerOfTwo && (n & (n - 1)) !== 0) return undefined;
      return n;
    }
    case "duration": {
      const match = text?.match(/^(\d+)\s*(ms|s|m|h)$/);
      return match ? Number(match[1]) * durationUnits[match[2]!]! : undefined;
    }
    case "enum":
      return text !== undefined && type.values.includes(text) ? text : undefined;
  }
}

/** Parses "128MB"-style sizes (binary units) or a plain byte count. */
export function parseSize(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isInteger(raw) && raw >= 0 ? raw : undefined;
  if (typeof raw !== "string") return undefined;
  const match = raw.trim().toUpperCase().match(/^(\d+(?:\.\d+)?)\s*([KMGT]?B?|)$/);
  if (!match) return undefined;
  const unit = sizeUnits[match[2]!];
  if (unit === undefined) return undefined;
  const n = Number(match[1]) * unit;
  return Number.isInteger(n) ? n : undefined;
}
