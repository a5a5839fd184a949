/**
 * Helpers for the PostgreSQL wire-protocol end-to-end tests: start the real
 * server process, run real client programs (psql, pgbench, python3) against
 * it, and normalise output where ThunderDB and PostgreSQL must differ.
 * @module
 */
import { deepStrictEqual as assertDeepStrictEqual } from "node:assert/strict";
import { type ServerProcess, startServer } from "../_server.ts";

export type { ServerProcess };

/** The login role and database of a fresh ThunderDB data directory. */
export const thunderUser = "thunder";
/** The default database of a fresh ThunderDB data directory. */
export const thunderDb = "thunder";

/** Where a client connects. */
export interface Target {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

/** Starts `server.ts` and waits for its PostgreSQL listener. */
export function startThunder(
  options: { dataDir?: string; args?: readonly string[] } = {},
): Promise<ServerProcess> {
  return startServer({ ...options, waitFor: ["http", "postgresql"], timeoutMs: 60_000 });
}

/** The psql/driver target of a running ThunderDB server. */
export function thunderTarget(server: ServerProcess): Target {
  const port = server.ports.postgresql;
  if (port === undefined) throw new Error("server has no PostgreSQL listener");
  return { host: "127.0.0.1", port, user: thunderUser, database: thunderDb };
}

/** Result of running a client program. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion with optional stdin text. */
export async function runProgram(
  cmd: string,
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<RunResult> {
  const child = new Deno.Command(cmd, {
    args: [...args],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { PGCONNECT_TIMEOUT: "10", ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/**
 * Runs a psql script from stdin (`-X`: no psqlrc) and returns its stdout and
 * stderr merged in order (`2>&1`), as a user at a terminal would see them.
 */
export async function psql(target: Target, script: string): Promise<RunResult> {
  return await runProgram("sh", [
    "-c",
    'exec psql -X -h "$1" -p "$2" -U "$3" -d "$4" 2>&1',
    "sh",
    target.host,
    String(target.port),
    target.user,
    target.database,
  ], { stdin: script, env: { PGTZ: "UTC", PAGER: "", PSQL_PAGER: "", TZ: "UTC" } });
}

/** psql's connection arguments for `target` (-h, -p, -U, -d). */
export function psqlConnArgs(target: Target): string[] {
  return ["-h", target.host, "-p", String(target.port), "-U", target.user, "-d", target.database];
}

/** Runs psql with `-tA -c SQL` and returns the trimmed single value, or throws. */
export async function psqlValue(target: Target, sql: string): Promise<string> {
  const result = await runProgram(
    "psql",
    ["-X", "-tA", "-v", "ON_ERROR_STOP=1", ...psqlConnArgs(target), "-c", sql],
    { env: { PGTZ: "UTC" } },
  );
  if (result.code !== 0) throw new Error(`psql -c ${sql} failed: ${result.stdout}${result.stderr}`);
  return result.stdout.trim();
}

/** Finds a Python 3 that can import psycopg2, or undefined. */
export async function findPsycopgPython(): Promise<string | undefined> {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    try {
      const r = await runProgram(candidate, ["-c", "import psycopg2"]);
      if (r.code === 0) return candidate;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return undefined;
}

/** Replaces the decimal value in psql's `Time: 1.234 ms` lines. */
export function normaliseTiming(text: string): string {
  return text.replace(/^Time: [0-9.]+ ms.*$/gm, "Time: <ms>");
}

/** Rewrites whole-word occurrences of `from` to `to` (owner and database names). */
export function renameWord(text: string, from: string, to: string): string {
  return text.replace(new RegExp(`\\b${from}\\b`, "g"), to);
}

/**
 * Makes psql output width-insensitive: column widths follow the longest
 * value, so names that must differ would shift every separator otherwise.
 */
export function normaliseTable(text: string): string {
  return text.split("\n").map((line) => {
    const collapsed = line.replace(/ +/g, " ").trim();
    return /^-+(\+-+)*$/.test(collapsed) ? "---" : collapsed.replace(/-{2,}/g, "--");
  }).join("\n");
}

/**
 * Collects every mismatch of a long end-to-end scenario instead of stopping
 * at the first, so one run reports all gaps; `done()` fails if any.
 */
export class Checks {
  readonly problems: string[] = [];

  /** Records a failure when `actual` is not deep-strict-equal to `expected`. */
  equal(actual: unknown, expected: unknown, label: string): void {
    try {
      assertDeepStrictEqual(actual, expected);
    } catch {
      this.problems.push(
        `${label}: expected ${Deno.inspect(expected)}, got ${Deno.inspect(actual)}`,
      );
    }
  }

  /** Runs `step`; records its exception instead of throwing. */
  async step(label: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.problems.push(`${label}: threw ${error instanceof Error ? error.message : error}`);
    }
  }

  /** Throws one error listing every recorded problem. */
  done(): void {
    if (this.problems.length > 0) {
      throw new Error(`${this.problems.length} problem(s):\n- ${this.problems.join("\n- ")}`);
    }
  }
}
