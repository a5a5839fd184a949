/**
 * Replays one seed of the crash/recover simulation:
 * `deno task sim --seed=N [--cycles=M]`.
 * @module
 */

import { runSimulation } from "./_workload.ts";

function flag(name: string, fallback: number): number {
  const prefix = `--${name}=`;
  const arg = Deno.args.find((a) => a.startsWith(prefix));
  if (arg === undefined) return fallback;
  const value = Number(arg.slice(prefix.length));
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`--${name} must be a non-negative integer`);
  }
  return value;
}

if (import.meta.main) {
  const seed = flag("seed", 1);
  const cycles = flag("cycles", 200);
  const stats = await runSimulation(seed, cycles);
  console.log(JSON.stringify({ seed, ...stats }));
}
