/**
 * The slow log (SLOWLOG GET/LEN/RESET) and the per-command accounting done
 * where a command finishes: INFO commandstats counters and time, the latency
 * histogram (LATENCY HISTOGRAM), slow log entries over
 * `slowlog-log-slower-than` and latency monitor samples over
 * `latency-monitor-threshold`.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";
import { type Handler, intArg, opt, replyHelp, subcommandError } from "./cmd_util.ts";
import { latencyAddSample } from "./latency.ts";

/** Counters of one command or subcommand ("client|id"), as INFO commandstats shows them. */
export interface CommandStats {
  readonly name: string;
  calls: number;
  /** Total time spent running the command, in microseconds. */
  usec: number;
  rejectedCalls: number;
  /** Calls that ran and replied an error. */
  failedCalls: number;
  /**
   * Calls by duration when latency-tracking is on: slot i counts calls that
   * took at most 2^i µs (slot 0 also takes calls under 1 µs).
   */
  histogram: number[] | null;
}

/** Fresh, zeroed counters for `name`. */
export function commandStats(name: string): CommandStats {
  return { name, calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, histogram: null };
}

/** Zeroes a command's counters (CONFIG RESETSTAT). */
export function resetCommandStats(s: CommandStats): void {
  s.calls =
    s.usec =
    s.rejectedCalls =
    s.failedCalls =
      0;
  s.histogram = null;
}

const histogramSlots = 40;

/** The histogram slot of a duration: the smallest i with us <= 2^i. */
function histogramSlot(us: number): number {
  if (us <= 1) return 0;
  const slot = 32 - Math.clz32(Math.ceil(us) - 1);
  return slot < histogramSlots ? slot : histogramSlots - 1;
}

/** One entry of the slow log. */
export interface SlowlogEntry {
  readonly id: number;
  readonly timeSeconds: number;
  readonly durationUs: number;
  /** The command line, trimmed as Redis trims it (32 arguments, 128 bytes each). */
  readonly args: readonly string[];
  readonly addr: string;
  readonly name: string;
}

/** Arguments kept per slow log entry (the last one says how many more there were). */
const slowlogArgsMax = 32;
/** Bytes kept per argument. */
const slowlogArgBytesMax = 128;

/** Commands whose arguments after the name are secrets, as Redis redacts them. */
const redacted = new Set(["auth", "hello", "migrate"]);

function slowlogArgs(argv: readonly Uint8Array[], name: string): string[] {
  const n = Math.min(argv.length, slowlogArgsMax);
  const out: string[] = [];
  const secretFrom = redacted.has(name)
    ? 1
    : name === "config" && argv.length > 3 && /^(requirepass|masterauth)$/i.test(latin1(argv[2]!))
    ? 3
    : argv.length;
  for (let i = 0; i < n; i++) {
    if (i === slowlogArgsMax - 1 && argv.length > slowlogArgsMax) {
      out.push(`... (${argv.length - slowlogArgsMax + 1} more arguments)`);
      break;
    }
    const a = argv[i]!;
    if (i >= secretFrom) out.push("(redacted)");
    else if (a.length > slowlogArgBytesMax) {
      out.push(
        `${latin1(a.subarray(0, slowlogArgBytesMax))}... (${
          a.length - slowlogArgBytesMax
        } more bytes)`,
      );
    } else out.push(latin1(a));
  }
  return out;
}

/** Adds an entry to the slow log, dropping the oldest past slowlog-max-len. */
function slowlogPush(x: KvEngine, c: KvClient, argv: readonly Uint8Array[], us: number): void {
  const log = x.slowlog;
  log.push({
    id: x.slowlogNextId++,
    timeSeconds: Math.floor(x.now / 1000),
    durationUs: Math.floor(us),
    args: slowlogArgs(argv, latin1(argv[0]!).toLowerCase()),
    addr: c.addr,
    name: c.name,
  });
  const max = x.config.slowlogMaxLen;
  if (log.length > max) log.splice(0, log.length - max);
}

/**
 * Accounts one finished call of a command: counters, latency histogram,
 * slow log and latency monitor. EXEC stays out of the slow log, as in Redis:
 * its queued commands are logged one by one.
 */
export function recordCall(
  x: KvEngine,
  c: KvClient,
  stats: CommandStats,
  argv: readonly Uint8Array[],
  us: number,
): void {
  stats.calls++;
  stats.usec += us;
  const k = x.config;
  if (k.latencyTracking) {
    const h = stats.histogram ??= new Array<number>(histogramSlots).fill(0);
    h[histogramSlot(us)]!++;
  }
  recordSlow(x, c, stats, argv, us);
}

/** The slow log and latency monitor part of `recordCall` (also for unblocked commands). */
export function recordSlow(
  x: KvEngine,
  c: KvClient,
  stats: CommandStats,
  argv: readonly Uint8Array[],
  us: number,
): void {
  const k = x.config;
  if (k.slowlogLogSlowerThan >= 0 && us >= k.slowlogLogSlowerThan && stats.name !== "exec") {
    slowlogPush(x, c, argv, us);
  }
  if (k.latencyMonitorThreshold > 0 && us >= k.latencyMonitorThreshold * 1000) {
    latencyAddSample(x, "command", Math.floor(us / 1000));
  }
}

/**
 * The latency histogram of a command as LATENCY HISTOGRAM reports it:
 * upper bounds in µs (powers of two) mapped to cumulative call counts, up to
 * the slowest call.
 */
export function histogramCumulative(s: CommandStats): [number, number][] {
  const h = s.histogram;
  if (h === null) return [];
  let last = h.length - 1;
  while (last > 0 && h[last] === 0) last--;
  const out: [number, number][] = [];
  let sum = 0;
  for (let i = 0; i <= last; i++) {
    sum += h[i]!;
    out.push([2 ** i, sum]);
  }
  return out;
}

/**
 * The INFO latencystats line of a command, e.g. "p50=4.000,p99=8.000": each
 * percentile is the upper bound (µs) of the histogram slot that reaches it.
 */
export function latencyPercentiles(s: CommandStats, percentiles: readonly number[]): string {
  const h = histogramCumulative(s);
  const total = h.length === 0 ? 0 : h[h.length - 1]![1];
  return percentiles.map((p) => {
    const want = Math.max(1, Math.ceil((p / 100) * total));
    const slot = h.find(([, count]) => count >= want);
    return `p${p}=${(slot?.[0] ?? 0).toFixed(3)}`;
  }).join(",");
}

function slowlogEntry(c: KvClient, e: SlowlogEntry): void {
  c.reply.array(6);
  c.reply.integer(e.id);
  c.reply.integer(e.timeSeconds);
  c.reply.integer(e.durationUs);
  c.reply.array(e.args.length);
  for (const a of e.args) c.reply.bulkLatin1(a);
  c.reply.bulkLatin1(e.addr);
  c.reply.bulkLatin1(e.name);
}

/** SLOWLOG GET [count] | LEN | RESET | HELP. */
const slowlog: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "GET" && argv.length <= 3) {
    let count = 10;
    if (argv.length === 3) {
      const n = intArg(c, argv[2]!);
      if (n === null) return;
      if (n < -1) return c.reply.error("ERR count should be greater than or equal to -1");
      count = n === -1 ? x.slowlog.length : n;
    }
    const n = Math.min(count, x.slowlog.length);
    c.reply.array(n);
    for (let i = 0; i < n; i++) slowlogEntry(c, x.slowlog[x.slowlog.length - 1 - i]!);
    return;
  }
  if (sub === "LEN" && argv.length === 2) return c.reply.integer(x.slowlog.length);
  if (sub === "RESET" && argv.length === 2) {
    x.slowlog.length = 0;
    return c.reply.ok();
  }
  if (sub === "HELP" && argv.length === 2) {
    const lines = [
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Prints this help.",
    ];
    replyHelp(c, lines);
    return;
  }
  subcommandError(c, "SLOWLOG", argv, ["GET", "LEN", "RESET", "HELP"]);
};

/** SLOWLOG by lower-case name. */
export const slowlogHandlers: Record<string, Handler> = { slowlog };
