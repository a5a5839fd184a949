/**
 * `--help` for the benchmark scripts: prints the usage and exits 0 before
 * any work starts.
 * @module
 */

/** Prints `usage` and exits when the arguments ask for help. */
export function helpOnRequest(usage: string): void {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(usage.trim());
    Deno.exit(0);
  }
}

/** The positive number after `--name` on the command line, or `fallback`; exits 2 on a bad value. */
export function numberFlag(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(Deno.args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number`);
    Deno.exit(2);
  }
  return value;
}
