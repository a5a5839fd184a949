/**
 * CLIENT PAUSE / UNPAUSE. While a pause lasts, commands it covers (every
 * command for ALL; for WRITE, writes and commands that may replicate, such
 * as PUBLISH and PFCOUNT, and an EXEC queueing one) wait and run, in order,
 * when it ends; expiry, active or on access, deletes nothing meanwhile (an
 * expired key only reads as missing), so the dataset stays still.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { errors, intArg, opt } from "./cmd_util.ts";

/** A pause in force. */
export interface Pause {
  readonly writesOnly: boolean;
  /** Absolute end (ms). */
  readonly untilMs: number;
  readonly timer: ReturnType<typeof setTimeout>;
  /** Clients waiting for the end, oldest first, with what releases each. */
  readonly waiting: Map<KvClient, () => void>;
}

/**
 * Commands that are not writes but still reach replicas in Redis (PFCOUNT may
 * rewrite its key), and scripts that may write (held whatever their flags;
 * EVAL_RO and FCALL_RO are not).
 */
const mayReplicate = new Set(["publish", "pfcount", "spublish", "eval", "evalsha", "fcall"]);

/** What a command needs to know of the table to decide whether a pause holds it. */
export interface PausedSpec {
  readonly name: string;
  readonly write: boolean;
}

/**
 * Whether the pause in force holds this command. `queued` gives the specs of
 * an EXEC's queue.
 */
export function pauseHolds(
  pause: Pause,
  spec: PausedSpec,
  queued: () => readonly (PausedSpec | undefined)[],
): boolean {
  if (!pause.writesOnly) return true;
  const holds = (s: PausedSpec | undefined) =>
    s !== undefined && (s.write || mayReplicate.has(s.name));
  if (holds(spec)) return true;
  return spec.name === "exec" && queued().some(holds);
}

/** Waits until the pause ends (or the client leaves). */
export function waitForUnpause(x: KvEngine, c: KvClient): Promise<void> {
  const pause = x.pause;
  if (pause === null) return Promise.resolve();
  return new Promise<void>((resolve) => pause.waiting.set(c, resolve));
}

/** Forgets a client that waits for a pause to end (it disconnected). */
export function leavePause(x: KvEngine, c: KvClient): void {
  const resolve = x.pause?.waiting.get(c);
  if (resolve === undefined) return;
  x.pause!.waiting.delete(c);
  resolve();
}

function setExpiryPaused(x: KvEngine, paused: boolean): void {
  for (const db of x.dbs) db.expiryPaused = paused;
}

/** Ends the pause: the waiting clients run their commands, oldest first. */
export function unpause(x: KvEngine): void {
  const pause = x.pause;
  if (pause === null) return;
  clearTimeout(pause.timer);
  x.pause = null;
  setExpiryPaused(x, false);
  for (const resolve of pause.waiting.values()) resolve();
}

/** CLIENT PAUSE timeout [WRITE|ALL]: a later end or a wider mode replaces the pause in force. */
export function clientPause(x: KvEngine, c: KvClient, argv: Uint8Array[]): void {
  const ms = intArg(c, argv[2]!, "ERR timeout is not an integer or out of range");
  if (ms === null) return;
  if (ms < 0) return c.reply.error("ERR timeout is negative");
  let writesOnly = false;
  if (argv.length === 4) {
    const mode = opt(argv, 3);
    if (mode !== "WRITE" && mode !== "ALL") return c.reply.error(errors.syntax);
    writesOnly = mode === "WRITE";
  } else if (argv.length > 4) return c.reply.error(errors.syntax);
  const old = x.pause;
  const untilMs = Math.max(x.now + ms, old?.untilMs ?? 0);
  if (old !== null) clearTimeout(old.timer);
  x.pause = {
    writesOnly: writesOnly && (old === null || old.writesOnly),
    untilMs,
    timer: setTimeout(() => unpause(x), Math.max(0, untilMs - x.now)),
    waiting: old?.waiting ?? new Map(),
  };
  setExpiryPaused(x, true);
  c.reply.ok();
}
