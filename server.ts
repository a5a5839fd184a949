/**
 * The ThunderDB server: loads the configuration, takes the data directory's
 * lock, opens the engine, starts the listeners and shuts down gracefully on
 * SIGINT/SIGTERM (stop accepting work, flush, checkpoint, exit 0).
 *
 * Run it with `deno task start [flags]`; `--help` lists the flags.
 * @module
 */
import {
  type Config,
  parseServerArgs,
  resolveConfig,
  serverUsage,
} from "./src/common/config/mod.ts";
import { ConfigError, DbError } from "./src/common/errors.ts";
import { configureLog, log } from "./src/common/log.ts";
import { type HealthReport, startHttpServer } from "./src/api/http/http_server.ts";
import { lockDataDir } from "./src/storage/os/dir_lock.ts";
import { openFileSystem } from "./src/storage/os/mod.ts";
import { openPageStore, type PageStore } from "./src/storage/page_store.ts";
import { openEngine } from "./src/engine/engine.ts";
import {
  defaultKvConfig,
  type KvStore,
  type KvUserDirectory,
  openKvStore,
} from "./src/engine/kv_session.ts";
import { checkRolePassword, loginVerifier } from "./src/engine/role_ddl.ts";
import { type PgEngine, startPgServer } from "./src/protocol/pg/mod.ts";
import { startRespServer } from "./src/protocol/resp/mod.ts";
import { attachServer, shutdownServer, signalShutdownFlags } from "./src/api/server_host.ts";

/** The version reported by `--version`, health endpoints and `server_version`. */
export const thunderVersion = "0.1.0";

const defaultConfigUrl = new URL("./config/thunderdb.toml", import.meta.url);

function readConfigText(path: string | undefined): { text?: string; name: string } {
  if (path !== undefined) {
    try {
      return { text: Deno.readTextFileSync(path), name: path };
    } catch (error) {
      throw new ConfigError(`Cannot read config file ${path}: ${(error as Error).message}`);
    }
  }
  try {
    return { text: Deno.readTextFileSync(defaultConfigUrl), name: "config/thunderdb.toml" };
  } catch (error) {
    // The built-in defaults equal the reference file, so a missing file is not an error.
    if (error instanceof Deno.errors.NotFound) return { name: "built-in defaults" };
    throw error;
  }
}

/** A piece the server started and must stop on shutdown, last started first stopped. */
interface Stoppable {
  readonly name: string;
  stop(): Promise<void>;
}

/** Why and how the server stops (a signal or SHUTDOWN). */
interface StopRequest {
  readonly reason: string;
  /** false: the key-value store closes without its final snapshot (SHUTDOWN NOSAVE). */
  readonly snapshot: boolean;
}

/** The server's lifecycle as its components see it. */
interface Lifecycle {
  /** The `--config` file (CONFIG REWRITE writes it); null when none was given. */
  readonly configFile: string | null;
  /** Begins the shutdown (the first request wins). */
  readonly stop: (request: StopRequest) => void;
  /** The request being served, once there is one. */
  request: StopRequest | null;
  /** The key-value store, once open: signals then shut down through it (SHUTDOWN's path). */
  kv: KvStore | null;
}

/** Opens the engine and starts the protocol listeners. */
async function startComponents(
  config: Config,
  components: Record<string, string>,
  lifecycle: Lifecycle,
): Promise<Stoppable[]> {
  const stack: Stoppable[] = [];
  const store = await openPageStore({
    fs: openFileSystem({ preferDirect: config.storage.direct_io }),
    dataDir: config.server.data_dir,
    walDir: config.server.wal_dir,
    pageSize: config.storage.page_size,
    bufferPoolBytes: config.storage.buffer_pool_size,
    walSync: config.storage.wal_sync,
  });
  components.storage = "ok";
  log.info("Storage open", { dataDir: config.server.data_dir, walDir: config.server.wal_dir });
  const checkpoints = setInterval(() => {
    store.checkpoint().catch((error) => {
      // A failed checkpoint leaves the WAL in place; the next one retries.
      components.storage = `checkpoint failed: ${String(error)}`;
      log.error("Checkpoint failed", { error: String(error) });
    });
  }, config.storage.checkpoint_interval);
  stack.push({
    name: "storage",
    stop: async () => {
      clearInterval(checkpoints);
      await store.close();
      log.info("Storage checkpointed and closed");
    },
  });
  const sql = await startSql(config, components, store);
  stack.push(...sql.stack);
  stack.push(...await startResp(config, components, sql.users, lifecycle));
  return stack;
}

/**
 * The settings in a PostgreSQL StartupMessage: its parameters other than user,
 * database, replication and options, plus `-c name=value` (or
 * `--name=value`) items of `options`, names in lower case.
 */
function startupSettings(params: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of params) {
    if (!["user", "database", "replication", "options"].includes(name)) {
      out.set(name.toLowerCase(), value);
    }
  }
  const options = params.get("options") ?? "";
  for (const m of options.matchAll(/(?:-c\s*|--)([A-Za-z_.]+)=(\S*)/g)) {
    out.set(m[1]!.toLowerCase(), m[2]!);
  }
  return out;
}

/** Opens the SQL engine and its PostgreSQL-protocol listener. */
async function startSql(
  config: Config,
  components: Record<string, string>,
  store: PageStore,
): Promise<{ stack: Stoppable[]; users: KvUserDirectory }> {
  // The SQL engine keeps its relations in the server's page store (one WAL, one checkpoint).
  const engine = await openEngine({ store });
  const stack: Stoppable[] = [{ name: "sql engine", stop: () => engine.close() }];
  const pgEngine: PgEngine = {
    openSession: (params) =>
      Promise.resolve(engine.openSession({
        user: params.user,
        database: params.database,
        startupSettings: startupSettings(params.params),
        ...(params.clientAddr === undefined ? {} : { clientAddr: params.clientAddr }),
        ...(params.clientPort === undefined ? {} : { clientPort: params.clientPort }),
      })),
    cancel: (processId, secret) => {
      const session = engine.sessions.get(processId);
      if (session && session.secret === secret) session.cancel();
    },
  };
  const pg = await startPgServer({
    hostname: config.server.listen_addr,
    port: config.server.pg_port,
    engine: pgEngine,
    auth: {
      method: config.security.authentication_enabled ? "scram-sha-256" : "trust",
      // The bootstrap superuser from the config; a plain password is accepted as
      // the stored secret and checked through the SCRAM exchange.
      lookup: (user) =>
        user === config.security.superuser && config.security.superuser_password !== ""
          ? config.security.superuser_password
          : loginVerifier(engine.catalog, user),
    },
    maxConnections: config.server.max_connections,
    serverVersion: `15.0 (ThunderDB ${thunderVersion})`,
    transport: config.server.pg_transport,
  });
  components.postgresql = `listening on ${config.server.listen_addr}:${pg.port}`;
  log.info(`PostgreSQL listening on ${config.server.listen_addr}:${pg.port}`, {
    port: pg.port,
    transport: pg.transport,
  });
  stack.push({ name: "postgresql listener", stop: () => pg.close() });
  // Redis AUTH checks the same users: the bootstrap superuser and the catalog's roles.
  const users: KvUserDirectory = {
    checkPassword: (user, password) =>
      user === config.security.superuser
        ? config.security.superuser_password !== "" &&
          password === config.security.superuser_password
        : checkRolePassword(engine.catalog, user, password),
    // A dropped role's Redis clients are disconnected, as on ACL DELUSER.
    watchDropped: (dropped) => engine.onRoleDropped(dropped),
  };
  return { stack, users };
}

/** Opens the key-value store and its Redis-protocol listener. */
async function startResp(
  config: Config,
  components: Record<string, string>,
  users: KvUserDirectory,
  lifecycle: Lifecycle,
): Promise<Stoppable[]> {
  const kv = await openKvStore({
    dataDir: `${config.server.data_dir}/kv`,
    fs: openFileSystem({ preferDirect: false }),
    config: {
      ...defaultKvConfig,
      appendfsync: config.resp.appendfsync,
      maxmemory: config.resp.maxmemory,
      maxmemoryPolicy: config.resp.maxmemory_policy,
      maxclients: config.resp.maxclients,
      protoMaxBulkLen: config.resp.proto_max_bulk_len,
      clientQueryBufferLimit: config.resp.client_query_buffer_limit,
      enableDebugCommand: config.resp.enable_debug_command,
      aclfile: config.resp.aclfile,
      requirepass: config.security.authentication_enabled ? config.security.superuser_password : "",
    },
    users,
  });
  const stack: Stoppable[] = [{
    name: "kv store",
    stop: () => kv.close({ snapshot: lifecycle.request?.snapshot ?? true }),
  }];
  const resp = await startRespServer({
    hostname: config.server.listen_addr,
    port: config.server.resp_port,
    kv,
    transport: config.resp.transport,
  });
  components.redis = `listening on ${config.server.listen_addr}:${resp.port}`;
  log.info(`Redis listening on ${config.server.listen_addr}:${resp.port}`, {
    port: resp.port,
    transport: resp.transport,
  });
  stack.push({ name: "redis listener", stop: () => resp.close() });
  // SHUTDOWN, CONFIG SET port/bind and CONFIG REWRITE reach the process through this.
  const { configFile, stop } = lifecycle;
  attachServer({ engine: kv.engine, resp, configFile, config, stop });
  lifecycle.kv = kv;
  return stack;
}

async function serve(config: Config, configFile: string | null): Promise<number> {
  const startedAt = performance.now();
  const components: Record<string, string> = {};
  let status: HealthReport["status"] = "starting";
  let requested: (request: StopRequest) => void = () => {};
  const stopped = new Promise<StopRequest>((resolve) => requested = resolve);
  const lifecycle: Lifecycle = {
    configFile,
    request: null,
    kv: null,
    stop(request) {
      if (lifecycle.request !== null) return;
      lifecycle.request = request;
      requested(request);
    },
  };
  // Listen for signals before anything starts, so an early SIGINT still shuts down cleanly.
  const stopSignals = listenForSignals(lifecycle);
  Deno.mkdirSync(config.server.data_dir, { recursive: true });
  const lock = lockDataDir(config.server.data_dir);
  const stack: Stoppable[] = [];
  const host = config.server.listen_addr;
  try {
    stack.push(...await startComponents(config, components, lifecycle));
    const http = startHttpServer({
      hostname: host,
      port: config.server.http_port,
      health: () => ({
        status,
        version: thunderVersion,
        nodeId: config.server.node_id,
        uptimeSeconds: Math.round((performance.now() - startedAt) / 1000),
        components,
      }),
      metrics: () => metricsText(status),
    });
    components.http = `listening on ${host}:${http.port}`;
    stack.push({ name: "http", stop: () => http.close() });
    log.info(`HTTP listening on ${host}:${http.port}`, { port: http.port });
  } catch (error) {
    stopSignals();
    await stopAll(stack);
    lock.release();
    throw error;
  }
  status = "ok";
  log.info("ThunderDB ready", { version: thunderVersion, dataDir: config.server.data_dir });
  const request = await stopped;
  stopSignals();
  status = "stopping";
  log.info(`${request.reason}: shutting down`, { snapshot: request.snapshot });
  await stopAll(stack);
  lock.release();
  log.info("Shutdown complete");
  return 0;
}

async function stopAll(stack: Stoppable[]): Promise<void> {
  while (stack.length > 0) {
    const piece = stack.pop()!;
    try {
      await piece.stop();
    } catch (error) {
      // Keep stopping the rest: a failed listener close must not skip the checkpoint.
      log.error(`Stopping ${piece.name} failed`, { error: String(error) });
    }
  }
}

/**
 * SIGINT and SIGTERM shut the server down: through the key-value store once
 * it is open (its shutdown-on-sigint/sigterm settings; a shutdown held by
 * DEBUG PAUSE-CRON can be aborted), at once before. A second signal while
 * one is pending stops at once. Returns the function that stops listening.
 */
function listenForSignals(lifecycle: Lifecycle): () => void {
  let pending = false;
  const handlers: [Deno.Signal, () => void][] = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const handler = () => {
      const reason = `Received ${signal}`;
      const kv = lifecycle.kv;
      if (kv === null || pending) return lifecycle.stop({ reason, snapshot: true });
      pending = true;
      const flags = signalShutdownFlags(kv.config, signal);
      shutdownServer(kv.engine, flags, reason).then((err) => {
        pending = false;
        if (err !== null) log.warn(`${reason}: shutdown did not go ahead`, { error: err });
      });
    };
    handlers.push([signal, handler]);
    Deno.addSignalListener(signal, handler);
  }
  return () => {
    for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  };
}

function metricsText(status: HealthReport["status"]): string {
  const memory = Deno.memoryUsage();
  return [
    "# HELP thunderdb_up 1 when the server is serving.",
    "# TYPE thunderdb_up gauge",
    `thunderdb_up ${status === "ok" ? 1 : 0}`,
    "# HELP thunderdb_memory_rss_bytes Resident memory of the process.",
    "# TYPE thunderdb_memory_rss_bytes gauge",
    `thunderdb_memory_rss_bytes ${memory.rss}`,
    "",
  ].join("\n");
}

/**
 * Runs the server with command-line `args` and environment `env`; resolves to
 * the process exit code.
 */
export async function main(args: readonly string[], env: Record<string, string>): Promise<number> {
  let config: Config;
  let configFile: string | null = null;
  try {
    const parsed = parseServerArgs(args);
    if (parsed.help) {
      console.log(serverUsage());
      return 0;
    }
    if (parsed.version) {
      console.log(`thunderdb ${thunderVersion}`);
      return 0;
    }
    const file = readConfigText(parsed.configFile);
    configFile = parsed.configFile ?? null;
    config = resolveConfig({
      ...(file.text === undefined ? {} : { fileText: file.text }),
      fileName: file.name,
      env,
      overrides: parsed.overrides,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`thunderdb: ${error.message}`);
      return 2;
    }
    throw error;
  }
  configureLog({ level: config.log.level, format: config.log.format });
  try {
    return await serve(config, configFile);
  } catch (error) {
    if (error instanceof DbError) {
      log.error(error.message, { sqlstate: error.sqlstate });
      return 1;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, Deno.env.toObject()));
}
