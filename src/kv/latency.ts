/**
 * The latency monitor (LATENCY LATEST/HISTORY/RESET/GRAPH/DOCTOR) and the
 * per-command latency histograms (LATENCY HISTOGRAM). Events are sampled
 * where they happen (a command over `latency-monitor-threshold` ms is a
 * "command" event); each event keeps its last 160 samples, one per second.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { latin1 } from "./bytes.ts";
import { type Handler, opt, replyHelp, subcommandError } from "./cmd_util.ts";
import { type CommandStats, histogramCumulative } from "./slowlog.ts";

/** One latency sample: when (seconds) and how long (ms). */
export interface LatencySample {
  readonly timeSeconds: number;
  latencyMs: number;
}

/** The samples of one event and its all-time maximum. */
export interface LatencyEvent {
  readonly samples: LatencySample[];
  maxMs: number;
}

/** Samples kept per event, as Redis's LATENCY_TS_LEN. */
const samplesMax = 160;

/** Records a sample of `event` (the caller checked the threshold). */
export function latencyAddSample(x: KvEngine, event: string, ms: number): void {
  let e = x.latencyEvents.get(event);
  if (e === undefined) x.latencyEvents.set(event, e = { samples: [], maxMs: 0 });
  const now = Math.floor(x.now / 1000);
  if (ms > e.maxMs) e.maxMs = ms;
  const last = e.samples[e.samples.length - 1];
  // Samples of one second merge into one, keeping the highest.
  if (last !== undefined && last.timeSeconds === now) {
    if (ms > last.latencyMs) last.latencyMs = ms;
    return;
  }
  e.samples.push({ timeSeconds: now, latencyMs: ms });
  if (e.samples.length > samplesMax) e.samples.shift();
}

function latest(x: KvEngine, c: KvClient): void {
  c.reply.array(x.latencyEvents.size);
  for (const [name, e] of x.latencyEvents) {
    const last = e.samples[e.samples.length - 1]!;
    c.reply.array(4);
    c.reply.bulkText(name);
    c.reply.integer(last.timeSeconds);
    c.reply.integer(last.latencyMs);
    c.reply.integer(e.maxMs);
  }
}

function history(x: KvEngine, c: KvClient, event: string): void {
  const samples = x.latencyEvents.get(event)?.samples ?? [];
  c.reply.array(samples.length);
  for (const s of samples) {
    c.reply.array(2);
    c.reply.integer(s.timeSeconds);
    c.reply.integer(s.latencyMs);
  }
}

function reset(x: KvEngine, c: KvClient, events: string[]): void {
  if (events.length === 0) {
    const n = x.latencyEvents.size;
    x.latencyEvents.clear();
    return c.reply.integer(n);
  }
  let n = 0;
  for (const name of events) if (x.latencyEvents.delete(name)) n++;
  c.reply.integer(n);
}

/** A small text chart of an event's samples, oldest left, as LATENCY GRAPH draws one. */
function graph(x: KvEngine, c: KvClient, event: string): void {
  const e = x.latencyEvents.get(event);
  if (e === undefined) {
    return c.reply.error(`ERR No samples available for event '${event}'`);
  }
  const min = Math.min(...e.samples.map((s) => s.latencyMs));
  const rows = [`${event} - high ${e.maxMs} ms, low ${min} ms (all time high ${e.maxMs} ms)`];
  rows.push("-".repeat(80));
  const height = 4;
  for (let r = height; r >= 1; r--) {
    rows.push(
      e.samples.map((s) => (s.latencyMs * height >= r * e.maxMs ? "#" : " ")).join(""),
    );
  }
  c.reply.verbatim(rows.join("\n") + "\n");
}

function doctor(x: KvEngine, c: KvClient): void {
  if (x.latencyEvents.size === 0) {
    return c.reply.verbatim(
      "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep better.\n",
    );
  }
  const lines = [
    "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?",
    "",
  ];
  let i = 1;
  for (const [name, e] of x.latencyEvents) {
    const avg = e.samples.reduce((a, s) => a + s.latencyMs, 0) / e.samples.length;
    lines.push(
      `${i++}. ${name}: ${e.samples.length} latency spikes (average ${
        Math.round(avg)
      }ms, mean deviation 0ms, period 0 sec). Worst all time event ${e.maxMs}ms.`,
    );
  }
  lines.push("", `Threshold: ${x.config.latencyMonitorThreshold} ms.`);
  c.reply.verbatim(lines.join("\n") + "\n");
}

/**
 * LATENCY HISTOGRAM [command ...]: per command (a container names all its
 * subcommands), its calls and cumulative latency histogram. Unknown names are
 * skipped, as in Redis.
 */
function histogram(c: KvClient, stats: ReadonlyMap<string, CommandStats>, names: string[]): void {
  let chosen: CommandStats[];
  if (names.length === 0) chosen = [...stats.values()];
  else {
    const seen = new Set<CommandStats>();
    for (const name of names) {
      for (const [n, s] of stats) {
        if (n === name || n.startsWith(name + "|")) seen.add(s);
      }
    }
    chosen = [...seen];
  }
  chosen = chosen.filter((s) => s.histogram !== null && s.calls > 0);
  c.reply.map(chosen.length);
  for (const s of chosen) {
    c.reply.bulkText(s.name);
    c.reply.map(2);
    c.reply.bulkText("calls");
    c.reply.integer(s.calls);
    c.reply.bulkText("histogram_usec");
    const h = histogramCumulative(s);
    c.reply.map(h.length);
    for (const [bound, count] of h) {
      c.reply.integer(bound);
      c.reply.integer(count);
    }
  }
}

const help = [
  "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return a human readable latency analysis report.",
  "GRAPH <event>",
  "    Return an ASCII latency graph for the <event> class.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
  "    If no commands are specified then all histograms are replied.",
  "HELP",
  "    Prints this help.",
];

/**
 * The LATENCY handler; `stats` gives every command's and subcommand's
 * counters by name ("set", "client|id"), from the command table.
 */
export function latencyHandler(stats: () => ReadonlyMap<string, CommandStats>): Handler {
  return (x, c, argv) => {
    const sub = opt(argv, 1);
    const args = argv.slice(2).map((a) => latin1(a).toLowerCase());
    if (sub === "LATEST" && argv.length === 2) return latest(x, c);
    if (sub === "HISTORY" && argv.length === 3) return history(x, c, latin1(argv[2]!));
    if (sub === "RESET") return reset(x, c, argv.slice(2).map((a) => latin1(a)));
    if (sub === "GRAPH" && argv.length === 3) return graph(x, c, latin1(argv[2]!));
    if (sub === "DOCTOR" && argv.length === 2) return doctor(x, c);
    if (sub === "HISTOGRAM") return histogram(c, stats(), args);
    if (sub === "HELP" && argv.length === 2) {
      replyHelp(c, help);
      return;
    }
    subcommandError(c, "LATENCY", argv, [
      "LATEST",
      "HISTORY",
      "RESET",
      "GRAPH",
      "DOCTOR",
      "HISTOGRAM",
      "HELP",
    ]);
  };
}
