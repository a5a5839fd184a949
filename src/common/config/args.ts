/**
 * Command-line flags of `server.ts`. Pure: takes `Deno.args`, returns the
 * parsed request.
 * @module
 */
import { ConfigError } from "../errors.ts";
import { configKeys, describeKind } from "./schema.ts";

/** What the command line asked for. */
export interface ServerArgs {
  readonly help: boolean;
  readonly version: boolean;
  /** Path of the config file, when `--config` was given. */
  readonly configFile?: string;
  /** "section.key" → raw value. */
  readonly overrides: Record<string, string>;
}

/** Flags that are shorthands for a config key. */
const shorthands: Readonly<Record<string, string>> = {
  "--data-dir": "server.data_dir",
  "--wal-dir": "server.wal_dir",
  "--listen-addr": "server.listen_addr",
  "--pg-port": "server.pg_port",
  "--mysql-port": "server.mysql_port",
  "--resp-port": "server.resp_port",
  "--http-port": "server.http_port",
  "--node-id": "server.node_id",
  "--buffer-pool-size": "storage.buffer_pool_size",
  "--page-size": "storage.page_size",
  "--wal-sync": "storage.wal_sync",
  "--log-level": "log.level",
  "--log-format": "log.format",
};

/**
 * Parses server flags; `--flag value` and `--flag=value` are both accepted.
 * @throws {ConfigError} for an unknown flag or a missing value
 */
export function parseServerArgs(args: readonly string[]): ServerArgs {
  const overrides: Record<string, string> = {};
  let configFile: string | undefined;
  let help = false;
  let version = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (arg === "--version" || arg === "-V") {
      version = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (eq > 0 && arg.startsWith("--")) return arg.slice(eq + 1);
      const next = args[++i];
      if (next === undefined) throw new ConfigError(`Flag ${flag} needs a value`);
      return next;
    };
    if (flag === "--config" || flag === "-c") {
      configFile = takeValue();
    } else if (flag === "--set") {
      const assignment = takeValue();
      const at = assignment.indexOf("=");
      const name = at > 0 ? assignment.slice(0, at) : "";
      if (!configKeys.some((k) => `${k.section}.${k.key}` === name)) {
        throw new ConfigError(
          `--set needs section.key=value with a known key, got "${assignment}"`,
        );
      }
      overrides[name] = assignment.slice(at + 1);
    } else if (shorthands[flag] !== undefined) {
      overrides[shorthands[flag]] = takeValue();
    } else {
      throw new ConfigError(`Unknown flag ${arg}; see --help`);
    }
  }
  return configFile === undefined
    ? { help, version, overrides }
    : { help, version, overrides, configFile };
}

/** The text `server.ts --help` prints. */
export function serverUsage(): string {
  const flagLines = Object.entries(shorthands).map(([flag, key]) =>
    `  ${(flag + " VALUE").padEnd(26)} sets ${key}`
  );
  const keyLines = configKeys.map((k) =>
    `  ${(`${k.section}.${k.key}`).padEnd(36)} ${describeKind(k.type)} (default ${
      JSON.stringify(k.default)
    })`
  );
  return [
    "Usage: thunderdb [--config FILE] [flags]",
    "",
    "Starts the ThunderDB server: PostgreSQL, Redis and HTTP listeners over one",
    "durable storage engine. Stop it with SIGINT (Ctrl-C) or SIGTERM: it finishes",
    "running work, checkpoints and exits 0.",
    "",
    "Flags:",
    "  -c, --config FILE          TOML config file (default: config/thunderdb.toml)",
    "  --set SECTION.KEY=VALUE    overrides any config key",
    ...flagLines,
    "  -h, --help                 prints this help",
    "  -V, --version              prints the version",
    "",
    "Every key can also be set by the environment variable THUNDERDB_<SECTION>_<KEY>.",
    "Precedence: flags > environment > config file > defaults.",
    "",
    "Config keys:",
    ...keyLines,
    "",
    "Exit codes: 0 clean shutdown, 1 runtime failure, 2 invalid configuration or flags.",
  ].join("\n");
}
