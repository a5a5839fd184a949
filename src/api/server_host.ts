/**
 * The server process as the Redis front end reaches it (see
 * `src/kv/server_control.ts`): SHUTDOWN stops it, CONFIG SET port/bind move
 * the RESP listener, CONFIG REWRITE writes the run-time settings into the
 * config file the server was started with (`--config FILE`).
 * @module
 */
import { type Config, resolveConfig } from "../common/config/mod.ts";
import { rewriteToml, type TomlSetting } from "../common/config/toml_rewrite.ts";
import { log } from "../common/log.ts";
import type { KvEngine } from "../kv/engine.ts";
import { attachServerHost, type ServerHost } from "../kv/server_control.ts";

export { type ServerHost, shutdownServer, signalShutdownFlags } from "../kv/server_control.ts";

/** The RESP listener as the host moves it (src/protocol/resp's RespServer). */
export interface MovableListener {
  readonly hostname: string;
  readonly port: number;
  rebind(hostname: string, port: number): void;
  stopAccepting(): void;
}

/** What `attachServer` needs from server.ts. */
export interface ServerHostOptions {
  readonly engine: KvEngine;
  readonly resp: MovableListener;
  /** The config file given with `--config`; null: none (CONFIG REWRITE refuses). */
  readonly configFile: string | null;
  /** The configuration the server started with (the baseline of CONFIG REWRITE). */
  readonly config: Config;
  /** Begins the server's shutdown (server.ts's stop path, as on SIGTERM). */
  readonly stop: (options: { readonly snapshot: boolean; readonly reason: string }) => void;
}

/** The config file keys CONFIG REWRITE writes, with their run-time values. */
function runtimeSettings(x: KvEngine): TomlSetting[] {
  const k = x.config;
  return [
    { section: "server", key: "resp_port", value: x.port },
    { section: "resp", key: "appendfsync", value: k.appendfsync },
    { section: "resp", key: "maxmemory", value: String(k.maxmemory) },
    { section: "resp", key: "maxmemory_policy", value: k.maxmemoryPolicy },
    { section: "resp", key: "maxclients", value: k.maxclients },
    { section: "resp", key: "proto_max_bulk_len", value: String(k.protoMaxBulkLen) },
    { section: "resp", key: "client_query_buffer_limit", value: String(k.clientQueryBufferLimit) },
  ];
}

/** The same keys' values in a resolved configuration. */
function configSettings(config: Config): Map<string, string> {
  return new Map([
    ["server.resp_port", String(config.server.resp_port)],
    ["resp.appendfsync", config.resp.appendfsync],
    ["resp.maxmemory", String(config.resp.maxmemory)],
    ["resp.maxmemory_policy", config.resp.maxmemory_policy],
    ["resp.maxclients", String(config.resp.maxclients)],
    ["resp.proto_max_bulk_len", String(config.resp.proto_max_bulk_len)],
    ["resp.client_query_buffer_limit", String(config.resp.client_query_buffer_limit)],
  ]);
}

/**
 * Writes `text` to `path` through a temporary file and a rename, so a crash
 * leaves the old file or the new one, never half of one.
 */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.rewrite-${Deno.pid}.tmp`;
  try {
    await Deno.writeTextFile(temp, text);
    const file = await Deno.open(temp, { read: true });
    try {
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => undefined);
    throw e;
  }
}

/**
 * CONFIG REWRITE: the keys whose run-time value differs from the one the
 * server started with (or last wrote) are written into the file; the result
 * must still be a valid configuration.
 */
async function rewrite(
  x: KvEngine,
  path: string,
  baseline: Map<string, string>,
): Promise<string | null> {
  try {
    const text = await Deno.readTextFile(path);
    const changed = runtimeSettings(x).filter((s) =>
      baseline.get(`${s.section}.${s.key}`) !== String(s.value)
    );
    const next = rewriteToml(text, changed);
    // Settings the file cannot hold (CONFIG SET accepts a wider range) fail here, before writing.
    resolveConfig({ fileText: next, fileName: path });
    if (next !== text) await writeAtomically(path, next);
    for (const s of changed) baseline.set(`${s.section}.${s.key}`, String(s.value));
    log.info("CONFIG REWRITE executed with success", { file: path, keys: changed.length });
    return null;
  } catch (e) {
    log.warn("CONFIG REWRITE failed", { file: path, error: String(e) });
    return `ERR Rewriting config file: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** Attaches the server process to its key-value engine (see the module comment). */
export function attachServer(options: ServerHostOptions): void {
  const baseline = configSettings(options.config);
  const resp = options.resp;
  const host: ServerHost = {
    stop: options.stop,
    get hostname() {
      return resp.hostname;
    },
    rebind(hostname, port) {
      try {
        resp.rebind(hostname, port);
        return Promise.resolve(null);
      } catch (e) {
        log.warn("CONFIG SET could not move the Redis listener", {
          hostname,
          port,
          error: String(e),
        });
        return Promise.resolve(
          e instanceof Deno.errors.AddrInUse
            ? "Unable to listen on this port"
            : "Failed to bind to specified addresses.",
        );
      }
    },
    stopAccepting: () => resp.stopAccepting(),
    rewriteConfig: (x) =>
      options.configFile === null
        ? Promise.resolve("ERR The server is running without a config file")
        : rewrite(x, options.configFile, baseline),
  };
  attachServerHost(options.engine, host);
}
