/**
 * WAL group-commit benchmark: how close the log's commit path comes to the
 * disk's own fdatasync latency. The anchor is a bare write + fdatasync loop on
 * the same file system through the same OS seam; in alternating slices with
 * it, `--clients` committers each append a record and await `Wal.flush` in a
 * loop, with no SQL around it,
 * so the figures isolate the commit path's latency chain: how soon a round
 * starts after a commit arrives, how soon its completion is noticed, and how
 * many commits each fdatasync covers.
 *
 * Usage: deno run -A --unstable-ffi bench/wal_commit.ts [--seconds N] [--clients N]
 * @module
 */
import { LibcFileSystem } from "../src/storage/os/libc.ts";
import { Wal } from "../src/storage/wal/mod.ts";
import { helpOnRequest, numberFlag } from "./_help.ts";

helpOnRequest(`
Usage: deno run -A --unstable-ffi bench/wal_commit.ts [--seconds N] [--clients N] [--record N] [--dir PATH]

Measures the WAL's group commit against the bare fdatasync latency of the same
file system, in alternating 250 ms slices: one writer doing write + fdatasync,
then N committers each appending a record and awaiting Wal.flush. Prints
commits per second, the time per sync round against the bare fdatasync, and
commits per round.

  --seconds N   time on each side (default 3)
  --clients N   concurrent committers (default 8)
  --record N    bytes per commit record (default 2500, about one pgbench TPC-B transaction)
  --dir PATH    directory on the file system to measure (default: a new temporary directory)
`);

const seconds = numberFlag("seconds", 3);
const clients = Math.floor(numberFlag("clients", 8));
const recordBytes = Math.floor(numberFlag("record", 2500));
const dirAt = Deno.args.indexOf("--dir");
const parent = dirAt >= 0 ? Deno.args[dirAt + 1] : undefined;
const dir = await Deno.makeTempDir(
  parent === undefined ? { prefix: "wal_bench_" } : { dir: parent, prefix: "wal_bench_" },
);
const fs = new LibcFileSystem({});

/** Slices each side runs for, alternating, so a drifting disk weighs on both alike. */
const sliceMs = 250;

/** Totals of one side over its slices. */
interface Tally {
  syncs: number;
  commits: number;
  micros: number;
  waitedMs: number;
}

const bareFile = fs.open(`${dir}/bare`, { create: true });
// Preallocated like the WAL's segments, so the syncs journal no size change.
const zeros = new Uint8Array(1 << 20);
for (let at = 0; at < 64 << 20; at += zeros.length) bareFile.writeSync(zeros, at);
await bareFile.sync();
const record = new Uint8Array(recordBytes).fill(7);
let bareOffset = 0;

/** One writer for a slice: write a record's bytes at the end, fdatasync, repeat (the anchor). */
async function bareSlice(t: Tally): Promise<void> {
  const started = performance.now();
  const end = started + sliceMs;
  while (performance.now() < end) {
    if (bareOffset + recordBytes > 64 << 20) bareOffset = 0;
    bareFile.writeSync(record, bareOffset);
    bareOffset += recordBytes;
    await bareFile.sync();
    t.syncs++;
    t.commits++;
  }
  t.micros += (performance.now() - started) * 1000;
}

await Deno.mkdir(`${dir}/wal`);
const wal = Wal.open({ fs, dir: `${dir}/wal`, sync: "fsync" }, 0);

/** `clients` committers on the Wal for a slice, each appending and awaiting its flush. */
async function walSlice(t: Tally): Promise<void> {
  const syncsBefore = wal.stats.syncs;
  const started = performance.now();
  const end = started + sliceMs;
  const committer = async () => {
    while (performance.now() < end) {
      const lsn = wal.append(16, record);
      const t0 = performance.now();
      await wal.flush(lsn);
      t.waitedMs += performance.now() - t0;
      t.commits++;
    }
  };
  await Promise.all(Array.from({ length: clients }, committer));
  t.micros += (performance.now() - started) * 1000;
  t.syncs += wal.stats.syncs - syncsBefore;
}

try {
  const bare: Tally = { syncs: 0, commits: 0, micros: 0, waitedMs: 0 };
  const group: Tally = { syncs: 0, commits: 0, micros: 0, waitedMs: 0 };
  for (let elapsed = 0; elapsed < seconds * 1000; elapsed += sliceMs) {
    await bareSlice(bare);
    await walSlice(group);
  }
  const bareMicros = bare.micros / bare.syncs;
  const roundMicros = group.micros / group.syncs;
  const rows: [string, string][] = [
    ["bare write + fdatasync (µs)", bareMicros.toFixed(0)],
    [`WAL: ${clients} committers, commits/s`, (group.commits / (group.micros / 1e6)).toFixed(0)],
    ["WAL: commits per fdatasync round", (group.commits / group.syncs).toFixed(2)],
    ["WAL: time per round (µs)", roundMicros.toFixed(0)],
    ["WAL: round / bare fdatasync", `${(roundMicros / bareMicros).toFixed(2)}x`],
    ["WAL: mean wait in flush (µs)", ((group.waitedMs * 1000) / group.commits).toFixed(0)],
  ];
  console.log(
    `WAL group commit, ${recordBytes}-byte records, ${seconds} s each side in ${sliceMs} ms slices`,
  );
  for (const [name, value] of rows) console.log(`${name.padEnd(40)} ${value.padStart(10)}`);
} finally {
  wal.close();
  bareFile.close();
  await Deno.remove(dir, { recursive: true });
}
