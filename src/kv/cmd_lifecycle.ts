/**
 * The commands that act on the server process rather than the data:
 * SHUTDOWN, CONFIG SET port/bind (the RESP listener moves) and CONFIG
 * REWRITE (see server_control.ts for the host they reach).
 * @module
 */
import type { Handler } from "./cmd_util.ts";
import type { KvEngine } from "./engine.ts";
import type { KvClient } from "./client.ts";
import { latin1 } from "./bytes.ts";
import { busyError, stopBusyScript } from "./busy.ts";
import { log } from "../common/log.ts";
import {
  abortShutdown,
  embeddedLifecycle,
  parseShutdownFlags,
  serverHostOf,
  type ShutdownFlags,
  shutdownServer,
} from "./server_control.ts";

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: no reply when the server
 * stops. During a busy script only NOSAVE goes ahead (see busy.ts).
 */
const shutdown: Handler = (x, c, argv) => {
  const flags = parseShutdownFlags(argv.slice(1).map(latin1));
  if (flags === "abort") {
    return abortShutdown(x) ? c.reply.ok() : c.reply.error("ERR No shutdown in progress.");
  }
  if (typeof flags === "string") return c.reply.error(flags);
  const host = serverHostOf(x);
  if (host === undefined) return c.reply.error(embeddedLifecycle);
  const run = x.busyScript;
  // Synchronous while a script is busy: the loop does not turn until it ends.
  if (run === null) return shutdownIdle(x, c, flags);
  // As Redis 7.0: only NOSAVE stops the server during a script, and at once.
  if (flags.save !== "nosave") return c.reply.error(busyError(run.evalMode));
  stopBusyScript(x);
  log.warn("User requested shutdown during a busy script: ready to exit, bye bye...", {
    script: run.name,
  });
  host.stop({ snapshot: false, reason: "User requested shutdown" });
  // As Redis exits here: once this client sees its connection close, nobody can connect.
  host.stopAccepting?.();
  c.transport.closeAfterReply();
};

async function shutdownIdle(x: KvEngine, c: KvClient, flags: ShutdownFlags): Promise<void> {
  const err = await shutdownServer(x, flags, "User requested shutdown");
  if (err !== null) return c.reply.error(err);
  // The server is going away: the connection closes without a reply, as Redis's does.
  c.transport.closeAfterReply();
}

/** SHUTDOWN's handler by name. */
export const lifecycleHandlers: Record<string, Handler> = { shutdown };

/** Whether a CONFIG SET names the listener's address (port, bind). */
export function setsListener(argv: readonly Uint8Array[]): boolean {
  for (let i = 2; i < argv.length; i += 2) {
    const name = latin1(argv[i]!).toLowerCase();
    if (name === "port" || name === "bind") return true;
  }
  return false;
}

function setFailed(name: string, reason: string): string {
  return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
}

/**
 * CONFIG SET with port and/or bind among its settings: the RESP listener
 * moves first (nothing changes when it cannot), then the other settings
 * apply through `setOthers`; when they fail, the listener moves back.
 */
export async function configSetListener(
  x: KvEngine,
  c: KvClient,
  argv: Uint8Array[],
  setOthers: (argv: Uint8Array[]) => string | null,
): Promise<void> {
  const host = serverHostOf(x);
  let port = x.port;
  let hostname = host?.hostname ?? "127.0.0.1";
  const others: Uint8Array[] = argv.slice(0, 2);
  for (let i = 2; i < argv.length; i += 2) {
    const name = latin1(argv[i]!).toLowerCase();
    const value = latin1(argv[i + 1]!);
    if (name === "port") {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n > 65535) {
        return c.reply.error(setFailed(name, "argument must be between 0 and 65535 inclusive"));
      }
      port = n;
    } else if (name === "bind") {
      const addrs = value.split(" ").filter((a) => a !== "");
      // One address: the listener is one socket (Redis binds up to 16).
      if (addrs.length !== 1) {
        return c.reply.error(setFailed(name, "Failed to bind to specified addresses."));
      }
      hostname = addrs[0]!;
    } else {
      others.push(argv[i]!, argv[i + 1]!);
    }
  }
  if (host === undefined) return c.reply.error(embeddedLifecycle);
  const old = { hostname: host.hostname, port: x.port };
  if (hostname !== old.hostname || port !== old.port) {
    const reason = await host.rebind(hostname, port);
    const name = hostname !== old.hostname ? "bind" : "port";
    if (reason !== null) return c.reply.error(setFailed(name, reason));
  }
  const err = others.length > 2 ? setOthers(others) : null;
  if (err !== null) {
    await host.rebind(old.hostname, old.port);
    return c.reply.error(err);
  }
  c.reply.ok();
}

/** CONFIG REWRITE. */
export async function configRewrite(x: KvEngine, c: KvClient): Promise<void> {
  const host = serverHostOf(x);
  if (host === undefined) return c.reply.error("ERR The server is running without a config file");
  const err = await host.rewriteConfig(x);
  return err === null ? c.reply.ok() : c.reply.error(err);
}
