/**
 * Per-command counters over the command table: INFO commandstats and
 * latencystats, and the list LATENCY and CONFIG RESETSTAT walk.
 * @module
 */
import type { CommandSpec } from "./command_table.ts";
import type { KvEngine } from "./engine.ts";
import { type CommandStats, latencyPercentiles } from "./slowlog.ts";

/** Every command's and subcommand's counters, as "set" and "client|id". */
export function* everyStats(
  table: ReadonlyMap<string, CommandSpec>,
): Iterable<CommandStats> {
  for (const spec of table.values()) {
    yield spec;
    if (spec.subcommands !== null) yield* spec.subcommands.values();
  }
}

/** INFO commandstats lines. */
export function commandStatsLines(table: ReadonlyMap<string, CommandSpec>): string[] {
  const lines: string[] = [];
  for (const s of everyStats(table)) {
    if (s.calls === 0 && s.rejectedCalls === 0 && s.failedCalls === 0) continue;
    const perCall = s.calls === 0 ? 0 : s.usec / s.calls;
    lines.push(
      `cmdstat_${s.name}:calls=${s.calls},usec=${Math.round(s.usec)},usec_per_call=${
        perCall.toFixed(2)
      },rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    );
  }
  return lines;
}

/** INFO latencystats lines. */
export function latencyStatsLines(
  x: KvEngine,
  table: ReadonlyMap<string, CommandSpec>,
): string[] {
  const lines: string[] = [];
  for (const s of everyStats(table)) {
    if (s.histogram === null || s.calls === 0) continue;
    const p = latencyPercentiles(s, x.config.latencyTrackingInfoPercentiles);
    lines.push(`latency_percentiles_usec_${s.name}:${p}`);
  }
  return lines;
}
