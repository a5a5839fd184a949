/**
 * Runs the real `pgbench` program and parses its report. Shared by the
 * pgbench end-to-end test and `bench/pgbench.ts`.
 * @module
 */
import { runProgram, type Target } from "./_support.ts";

/** What one `pgbench` run reported. */
export interface PgbenchReport {
  readonly tps: number;
  readonly processed: number;
  readonly failed: number;
  readonly output: string;
}

function connArgs(target: Target): string[] {
  return ["-h", target.host, "-p", String(target.port), "-U", target.user];
}

/** `pgbench -i -s SCALE`; throws with pgbench's output when it fails. */
export async function pgbenchInit(target: Target, scale: number): Promise<void> {
  const result = await runProgram("pgbench", [
    ...connArgs(target),
    "-i",
    "-s",
    String(scale),
    "-q",
    target.database,
  ]);
  if (result.code !== 0) {
    throw new Error(`pgbench -i -s ${scale} failed (${result.code}):\n${result.stderr}`);
  }
}

/** Parses the summary pgbench prints after a run. */
export function parsePgbench(output: string): PgbenchReport {
  const tps = /^tps = ([0-9.]+)/m.exec(output);
  const processed = /number of transactions actually processed: (\d+)/.exec(output);
  const failed = /number of failed transactions: (\d+)/.exec(output);
  if (tps === null || processed === null) {
    throw new Error(`pgbench printed no summary:\n${output}`);
  }
  return {
    tps: Number(tps[1]),
    processed: Number(processed[1]),
    failed: failed === null ? 0 : Number(failed[1]),
    output,
  };
}

/** Options of one timed pgbench run. */
export interface PgbenchRun {
  readonly mode: "simple" | "extended" | "prepared";
  readonly seconds: number;
  readonly clients?: number;
  readonly threads?: number;
  /** `-S`: the built-in select-only script instead of TPC-B-like. */
  readonly selectOnly?: boolean;
  /** `-f FILE`: a custom script instead of a built-in one. */
  readonly scriptFile?: string;
}

/** `pgbench -c C -j J -T S -M MODE [-S]`; throws when pgbench exits non-zero. */
export async function pgbenchRun(target: Target, run: PgbenchRun): Promise<PgbenchReport> {
  const result = await runProgram("pgbench", [
    ...connArgs(target),
    "-c",
    String(run.clients ?? 8),
    "-j",
    String(run.threads ?? 2),
    "-T",
    String(run.seconds),
    "-M",
    run.mode,
    ...(run.selectOnly ? ["-S"] : []),
    ...(run.scriptFile === undefined ? [] : ["-f", run.scriptFile]),
    target.database,
  ]);
  const output = result.stdout + result.stderr;
  if (result.code !== 0) {
    throw new Error(`pgbench -M ${run.mode} failed (${result.code}):\n${output}`);
  }
  return parsePgbench(output);
}
