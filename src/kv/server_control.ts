/**
 * The server process as the key-value engine sees it: SHUTDOWN, the signals'
 * shutdown, CONFIG SET port/bind and CONFIG REWRITE act on the process that
 * serves the engine, which server.ts attaches here (`attachServerHost`). An
 * engine without one (embedded through mod.ts) has no process to stop: its
 * lifetime is the host application's.
 *
 * A shutdown, as Redis 7.0's: a snapshot first unless NOSAVE (its failure
 * stops the shutdown unless FORCE), then the host stops every listener and
 * closes the stores. NOW and `shutdown-timeout` concern lagging replicas, of
 * which there are none here. A shutdown is pending while DEBUG PAUSE-CRON
 * holds the periodic work (Redis handles signals in its cron): SHUTDOWN ABORT
 * cancels it then.
 * @module
 */
import { log } from "../common/log.ts";
import type { KvEngine } from "./engine.ts";
import type { KvConfig } from "./config.ts";
import { debugSettingsOf } from "./debug_settings.ts";

/** What a shutdown does (SHUTDOWN's flags, or a signal's shutdown-on-sig* setting). */
export interface ShutdownFlags {
  /** "save": snapshot first; "nosave": no snapshot at all; "default": as "save". */
  readonly save: "default" | "save" | "nosave";
  /** Accepted: there are no replicas to wait for. */
  readonly now: boolean;
  /** Stop even when the snapshot fails. */
  readonly force: boolean;
}

/** The process serving an engine (implemented by server.ts). */
export interface ServerHost {
  /**
   * Stops the process: listeners, stores (the key-value store without its
   * final snapshot when `snapshot` is false), exit. Returns at once.
   */
  stop(options: { readonly snapshot: boolean; readonly reason: string }): void;
  /**
   * Moves the RESP listener to `hostname`:`port` (both transports); open
   * connections stay. Resolves to the reason when it could not, in Redis's
   * words (the old listener then still serves).
   */
  rebind(hostname: string, port: number): Promise<string | null>;
  /**
   * Closes the RESP listening socket at once (SHUTDOWN NOSAVE inside a busy
   * script, where `stop` takes effect only once the script has unwound): no
   * new client connects to a server that is going away.
   */
  stopAccepting?(): void;
  /** The address the RESP listener is bound to. */
  readonly hostname: string;
  /**
   * Writes the settings changed at run time into the config file; resolves
   * to the error text (no config file, I/O error) or null.
   */
  rewriteConfig(x: KvEngine): Promise<string | null>;
}

const hosts = new WeakMap<KvEngine, ServerHost>();
const pending = new WeakMap<KvEngine, { aborted: boolean }>();

/** Attaches the process serving engine `x`. */
export function attachServerHost(x: KvEngine, host: ServerHost): void {
  hosts.set(x, host);
}

/** The process serving engine `x`; undefined when embedded. */
export function serverHostOf(x: KvEngine): ServerHost | undefined {
  return hosts.get(x);
}

/** The error of a server-lifecycle command on an embedded engine. */
export const embeddedLifecycle =
  "ERR This is an embedded ThunderDB key-value engine: the server lifecycle belongs to the host application, not to clients";

/** Redis's reply when a shutdown does not go ahead. */
export const shutdownFailed = "ERR Errors trying to SHUTDOWN. Check logs.";

const pausePollMs = 10;

/**
 * Shuts the server serving `x` down (SHUTDOWN, a signal, and SHUTDOWN
 * NOSAVE while a script is busy): resolves to null once the host is
 * stopping, or to the error reply text when the shutdown does not go ahead
 * (the server keeps running).
 */
export async function shutdownServer(
  x: KvEngine,
  flags: ShutdownFlags,
  reason: string,
): Promise<string | null> {
  const host = hosts.get(x);
  if (host === undefined) return embeddedLifecycle;
  const state = { aborted: false };
  pending.set(x, state);
  try {
    // Redis handles a shutdown request in its cron: a paused cron leaves it pending.
    while (debugSettingsOf(x).cronPaused && !state.aborted) {
      await new Promise((resolve) => setTimeout(resolve, pausePollMs));
    }
    if (state.aborted) return shutdownFailed;
    const snapshot = flags.save !== "nosave";
    if (snapshot && x.checkpoint !== null) {
      try {
        await x.checkpoint();
      } catch (e) {
        log.warn("Error trying to save the DB, can't exit.", { error: String(e) });
        if (!flags.force) return shutdownFailed;
      }
      if (state.aborted) return shutdownFailed;
    }
    log.warn(`${reason}: ready to exit, bye bye...`);
    host.stop({ snapshot, reason });
    return null;
  } finally {
    if (pending.get(x) === state) pending.delete(x);
  }
}

/** SHUTDOWN ABORT: cancels a pending shutdown; false when none is. */
export function abortShutdown(x: KvEngine): boolean {
  const state = pending.get(x);
  if (state === undefined || state.aborted) return false;
  state.aborted = true;
  pending.delete(x);
  // Logged before the reply, as Redis does (the suite reads the log once ABORT answers).
  log.warn("Shutdown manually aborted");
  return true;
}

/**
 * Parses SHUTDOWN's flags or a shutdown-on-sig* value (words NOSAVE, SAVE,
 * NOW, FORCE; "default" alone in a setting).
 * @returns the flags, "abort" for ABORT alone, or the error reply text
 */
export function parseShutdownFlags(words: readonly string[]): ShutdownFlags | "abort" | string {
  const seen = new Set<string>();
  for (const word of words.map((w) => w.toLowerCase())) {
    if (!["nosave", "save", "now", "force", "abort"].includes(word)) return "ERR syntax error";
    seen.add(word);
  }
  // As Redis: ABORT takes no other flag, and SAVE and NOSAVE exclude each other.
  if (seen.has("abort") && seen.size > 1 || seen.has("save") && seen.has("nosave")) {
    return "ERR syntax error";
  }
  if (seen.has("abort")) return "abort";
  const save = seen.has("save") ? "save" : seen.has("nosave") ? "nosave" : "default";
  return { save, now: seen.has("now"), force: seen.has("force") };
}

/** Redis's shutdown settings, by CONFIG name. */
export const shutdownSettingNames = [
  "shutdown-timeout",
  "shutdown-on-sigint",
  "shutdown-on-sigterm",
];

/** CONFIG GET's values of the shutdown settings. */
export function shutdownSettingValues(k: KvConfig): [string, string][] {
  return [
    ["shutdown-timeout", String(k.shutdownTimeout)],
    ["shutdown-on-sigint", k.shutdownOnSigint],
    ["shutdown-on-sigterm", k.shutdownOnSigterm],
  ];
}

/**
 * CONFIG SET of a shutdown setting.
 * @returns null when set, or the reason it was refused
 */
export function setShutdownSetting(k: KvConfig, name: string, value: string): string | null {
  if (name === "shutdown-timeout") {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) {
      return "argument couldn't be parsed into an integer";
    }
    if (n < 0 || n > 2 ** 31 - 1) return "argument must be between 0 and 2147483647 inclusive";
    k.shutdownTimeout = n;
    return null;
  }
  const words = value.toLowerCase().split(" ").filter((w) => w !== "");
  const valid = words.length === 1 && words[0] === "default" ||
    words.length > 0 && typeof parseShutdownFlags(words) === "object";
  if (!valid) return "argument(s) must be one of the following: default, save, nosave, now, force";
  const text = words.join(" ");
  if (name === "shutdown-on-sigint") k.shutdownOnSigint = text;
  else k.shutdownOnSigterm = text;
  return null;
}

/** The flags a signal's shutdown uses (shutdown-on-sigterm / shutdown-on-sigint). */
export function signalShutdownFlags(k: KvConfig, signal: "SIGINT" | "SIGTERM"): ShutdownFlags {
  const text = signal === "SIGINT" ? k.shutdownOnSigint : k.shutdownOnSigterm;
  const flags = text === "default" ? null : parseShutdownFlags(text.split(" "));
  // "default" is what SIGTERM always did here: a snapshot, and stopping even when it fails.
  return typeof flags === "object" && flags !== null
    ? flags
    : { save: "default", now: false, force: true };
}
