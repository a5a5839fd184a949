/**
 * CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR and CLIENT TRACKINGINFO,
 * and the per-command hook that remembers what a tracking client read.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { CommandSpec } from "./command_table.ts";
import { latin1 } from "./bytes.ts";
import { errors, opt } from "./cmd_util.ts";
import { keysOf } from "./cmd_command.ts";
import type { TrackingState } from "./tracking.ts";

interface TrackingOptions {
  redirect: number;
  bcast: boolean;
  optin: boolean;
  optout: boolean;
  noloop: boolean;
  prefixes: string[];
}

/** Parses CLIENT TRACKING's options; replies the error and returns null when invalid. */
function parseOptions(x: KvEngine, c: KvClient, argv: Uint8Array[]): TrackingOptions | null {
  const o: TrackingOptions = {
    redirect: 0,
    bcast: false,
    optin: false,
    optout: false,
    noloop: false,
    prefixes: [],
  };
  for (let i = 3; i < argv.length; i++) {
    const w = opt(argv, i);
    if (w === "REDIRECT" && i + 1 < argv.length) {
      const id = Number(latin1(argv[++i]!));
      if (!Number.isInteger(id) || id <= 0 || !x.clients.has(id) || id === c.id) {
        c.reply.error("ERR The client ID you want redirect to does not exist");
        return null;
      }
      o.redirect = id;
    } else if (w === "BCAST") o.bcast = true;
    else if (w === "OPTIN") o.optin = true;
    else if (w === "OPTOUT") o.optout = true;
    else if (w === "NOLOOP") o.noloop = true;
    else if (w === "PREFIX" && i + 1 < argv.length) o.prefixes.push(latin1(argv[++i]!));
    else {
      c.reply.error(errors.syntax);
      return null;
    }
  }
  return o;
}

/** The error for options that do not fit together or with the client's current mode. */
function conflict(c: KvClient, o: TrackingOptions): string | null {
  if (o.prefixes.length > 0 && !o.bcast) {
    return "ERR PREFIX option requires BCAST mode to be enabled";
  }
  if (o.optin && o.optout) return "ERR You can't use both OPTIN and OPTOUT";
  if (o.bcast && (o.optin || o.optout)) return "ERR OPTIN and OPTOUT are not compatible with BCAST";
  const st = c.tracking;
  if (st !== null && st.bcast !== o.bcast) {
    return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
  }
  if (st !== null && ((o.optin && st.optout) || (o.optout && st.optin))) {
    return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";
  }
  const all = [...(st?.prefixes ?? []), ...o.prefixes];
  for (const p of o.prefixes) {
    for (const q of all) {
      if (p === q || (!p.startsWith(q) && !q.startsWith(p))) continue;
      return `ERR Prefix '${p}' overlaps with an existing prefix '${q}'. Prefixes for a single client must not overlap.`;
    }
  }
  return null;
}

function tracking(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  const mode = opt(argv, 2);
  if (mode === "OFF") {
    x.tracking.disable(c);
    return c.reply.ok();
  }
  if (mode !== "ON") return c.reply.error(errors.syntax);
  const o = parseOptions(x, c, argv);
  if (o === null) return;
  const err = conflict(c, o);
  if (err !== null) return c.reply.error(err);
  const prefixes = o.bcast && o.prefixes.length === 0 && c.tracking === null ? [""] : o.prefixes;
  const st = c.tracking;
  if (st !== null) {
    st.redirect = o.redirect;
    st.noloop = o.noloop;
    st.optin = o.optin;
    st.optout = o.optout;
    st.brokenRedirect = false;
    x.tracking.addPrefixes(c, prefixes);
    return c.reply.ok();
  }
  const state: TrackingState = { ...o, prefixes, caching: null, brokenRedirect: false };
  x.tracking.enable(c, state);
  c.reply.ok();
}

function caching(c: KvClient, argv: Uint8Array[]): void {
  const st = c.tracking;
  if (st === null || (!st.optin && !st.optout)) {
    return c.reply.error(
      "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
    );
  }
  const v = opt(argv, 2);
  if (v === "YES") {
    if (!st.optin) {
      return c.reply.error(
        "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
      );
    }
    st.caching = "yes";
  } else if (v === "NO") {
    if (!st.optout) {
      return c.reply.error(
        "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
      );
    }
    st.caching = "no";
  } else return c.reply.error(errors.syntax);
  c.reply.ok();
}

function trackingInfo(c: KvClient): void {
  const st = c.tracking;
  const flags = st === null ? ["off"] : [
    "on",
    ...(st.bcast ? ["bcast"] : []),
    ...(st.optin ? ["optin"] : []),
    ...(st.optout ? ["optout"] : []),
    ...(st.caching === "yes" ? ["caching-yes"] : st.caching === "no" ? ["caching-no"] : []),
    ...(st.noloop ? ["noloop"] : []),
    ...(st.brokenRedirect ? ["broken_redirect"] : []),
  ];
  c.reply.map(3);
  c.reply.bulkText("flags");
  c.reply.set(flags.length);
  for (const f of flags) c.reply.bulkText(f);
  c.reply.bulkText("redirect");
  c.reply.integer(st === null ? -1 : st.redirect);
  c.reply.bulkText("prefixes");
  const prefixes = st?.prefixes ?? [];
  c.reply.array(prefixes.length);
  for (const p of prefixes) c.reply.bulkLatin1(p);
}

/**
 * The tracking subcommands of CLIENT.
 * @returns false when `argv` is none of them (CLIENT handles it)
 */
export function clientTracking(x: KvEngine, c: KvClient, argv: Uint8Array[]): boolean {
  const sub = opt(argv, 1);
  if (sub === "TRACKING" && argv.length >= 3) tracking(x, c, argv);
  else if (sub === "CACHING" && argv.length === 3) caching(c, argv);
  else if (sub === "GETREDIR" && argv.length === 2) {
    c.reply.integer(c.tracking === null ? -1 : c.tracking.redirect);
  } else if (sub === "TRACKINGINFO" && argv.length === 2) trackingInfo(c);
  else return false;
  return true;
}

/** Read-only script commands: only the commands the script calls count as reads. */
const readOnlyScripts = new Set(["eval_ro", "evalsha_ro", "fcall_ro"]);

/**
 * After a command of a tracking client: remembers the keys a read-only
 * command read, and ends a CLIENT CACHING yes|no (it covers one command; in
 * MULTI it lasts until EXEC).
 */
export function trackCommand(
  x: KvEngine,
  c: KvClient,
  spec: CommandSpec,
  argv: Uint8Array[],
): void {
  const st = c.tracking!;
  // A script's declared keys are tracked when it called a read-only command, as in Redis;
  // read-only scripts are not reads themselves.
  const reads = c.scriptRead || (spec.flags.has("readonly") && !readOnlyScripts.has(spec.name));
  c.scriptRead = false;
  if (reads) {
    const keys = keysOf(spec, argv);
    if (keys !== null && keys.length > 0) x.tracking.remember(c, keys.map((k) => latin1(k)));
  }
  const isCaching = spec.name === "client" && argv.length > 1 && opt(argv, 1) === "CACHING";
  if (!isCaching && c.multi === null) st.caching = null;
}
