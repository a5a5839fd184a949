/**
 * `deno task bench [name...]`: runs the benchmarks, each against its anchor
 * system in the same run, and prints their tables. Without names it runs all
 * of them; `deno task bench storage` runs `bench/storage.ts` only.
 */
import { helpOnRequest } from "./_help.ts";

helpOnRequest(`
Usage: deno task bench [storage|sql|pgbench|resp|wal_commit ...]

Runs the named benchmarks (all of them without names), each against its
anchor system in the same run, and prints their tables. Each benchmark
takes --help too: deno run -A --unstable-ffi bench/NAME.ts --help
`);

const all = ["storage", "sql", "pgbench", "resp", "wal_commit"];

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

const wanted = Deno.args.length > 0 ? Deno.args : all;
let failures = 0;
for (const name of wanted) {
  if (!all.includes(name)) {
    console.error(`Unknown benchmark "${name}"; choose from ${all.join(", ")}`);
    Deno.exit(2);
  }
  const path = new URL(`./${name}.ts`, import.meta.url).pathname;
  if (!await exists(path)) {
    console.error(`bench/${name}.ts is not written yet; skipping it`);
    failures++;
    continue;
  }
  console.log(`\n=== bench/${name}.ts ===`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--unstable-ffi", path],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failures++;
}
Deno.exit(failures === 0 ? 0 : 1);
