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
