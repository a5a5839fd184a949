/**
 * Storage engine benchmark: ThunderDB's page store + B+tree against SQLite
 * (`node:sqlite`, WAL mode, `synchronous=FULL`) on the same work in the same
 * run. Prints each figure and the ratio ThunderDB/SQLite (higher is better
 * for ThunderDB).
 *
 * `deno run -A --unstable-ffi bench/storage.ts [--rows N] [--seconds S]`
 */
import { DatabaseSync } from "node:sqlite";
import { openFileSystem } from "../src/storage/os/mod.ts";
import { openPageStore, type PageStore } from "../src/storage/page_store.ts";
import { btreeGet, btreeInsert, btreeScan, createBTree } from "../src/storage/btree/mod.ts";
import { openSqlite } from "./_sqlite_side.ts";
import { helpOnRequest } from "./_help.ts";

helpOnRequest(`
Usage: deno run -A --unstable-ffi bench/storage.ts [--rows N] [--seconds S]

ThunderDB's page store + B+tree against SQLite (node:sqlite, WAL mode,
synchronous=FULL) on the same work: inserts, point reads, range scans and
durable commits with 1, 8 and 64 writers. Prints each figure and the ratio.
`);

const args = new Map<string, string>();
for (let i = 0; i < Deno.args.length; i += 2) args.set(Deno.args[i]!, Deno.args[i + 1] ?? "");
const rows = Number(args.get("--rows") ?? 1_000_000);
const reads = Math.min(rows, 200_000);
const commitSeconds = Number(args.get("--seconds") ?? 3);
const valueBytes = 100;

function key(n: number): Uint8Array {
  const k = new Uint8Array(8);
  new DataView(k.buffer).setBigUint64(0, BigInt(n));
  return k;
}
const value = new Uint8Array(valueBytes).fill(7);

/** Deterministic permutation of 0..n-1 (Fisher-Yates with a fixed LCG). */
function shuffled(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  let s = 12345;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

interface Line {
  name: string;
  unit: string;
  thunder: number;
  sqlite: number;
}
const lines: Line[] = [];
function record(name: string, unit: string, thunder: number, sqlite: number): void {
  lines.push({ name, unit, thunder, sqlite });
  console.log(
    `${name.padEnd(34)} thunder ${fmt(thunder).padStart(12)}  sqlite ${
      fmt(sqlite).padStart(12)
    } ${unit}  ratio ${(thunder / sqlite).toFixed(2)}x`,
  );
}
function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

async function openThunder(dir: string): Promise<{ store: PageStore; root: number }> {
  const store = await openPageStore({
    fs: openFileSystem({ preferDirect: true }),
    dataDir: dir,
    walDir: `${dir}/wal`,
    bufferPoolBytes: 128 * 1024 * 1024,
  });
  const root = store.update((m) => createBTree(m));
  await store.wal.flush(store.wal.endLsn);
  return { store, root };
}

async function thunderInserts(
  order: Uint32Array | null,
): Promise<{ rate: number; store: PageStore; root: number; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "bench_thunder_" });
  const { store, root } = await openThunder(dir);
  const started = performance.now();
  for (let i = 0; i < rows; i++) {
    const k = key(order ? order[i]! : i);
    store.update((m) => btreeInsert(m, root, k, value));
  }
  await store.wal.flush(store.wal.endLsn);
  return { rate: rows / ((performance.now() - started) / 1000), store, root, dir };
}

function sqliteInserts(order: Uint32Array | null): { rate: number; db: DatabaseSync; dir: string } {
  const dir = Deno.makeTempDirSync({ prefix: "bench_sqlite_" });
  const db = openSqlite(`${dir}/bench.db`);
  const insert = db.prepare("INSERT INTO kv (k, v) VALUES (?, ?)");
  const started = performance.now();
  db.exec("BEGIN");
  for (let i = 0; i < rows; i++) insert.run(key(order ? order[i]! : i), value);
  db.exec("COMMIT");
  return { rate: rows / ((performance.now() - started) / 1000), db, dir };
}

async function main(): Promise<void> {
  console.log(`storage benchmark: ${rows} rows of ${valueBytes}-byte values, 8-byte keys`);
  const order = shuffled(rows);
  const seqT = await thunderInserts(null);
  const seqS = sqliteInserts(null);
  record("sequential inserts (1 txn)", "rows/s", seqT.rate, seqS.rate);

  const probes = shuffled(rows).subarray(0, reads);
  let started = performance.now();
  let hits = 0;
  seqT.store.view((r) => {
    for (let i = 0; i < reads; i++) if (btreeGet(r, seqT.root, key(probes[i]!))) hits++;
  });
  const readT = reads / ((performance.now() - started) / 1000);
  const select = seqS.db.prepare("SELECT v FROM kv WHERE k = ?");
  started = performance.now();
  for (let i = 0; i < reads; i++) if (select.get(key(probes[i]!))) hits++;
  const readS = reads / ((performance.now() - started) / 1000);
  if (hits !== 2 * reads) throw new Error(`point reads found ${hits} of ${2 * reads}`);
  record("random point reads", "reads/s", readT, readS);

  started = performance.now();
  let scanned = 0;
  let bytes = 0;
  seqT.store.view((r) =>
    btreeScan(r, seqT.root, {}, (_key, v) => {
      // Copy the value out, as a consumer keeping rows would (SQLite's iterate() materialises rows too).
      bytes += v.slice().length;
      scanned++;
      return true;
    })
  );
  const scanT = scanned / ((performance.now() - started) / 1000);
  const all = seqS.db.prepare("SELECT k, v FROM kv ORDER BY k");
  started = performance.now();
  let scannedS = 0;
  for (const _row of all.iterate()) scannedS++;
  const scanS = scannedS / ((performance.now() - started) / 1000);
  if (scanned !== rows || scannedS !== rows) {
    throw new Error(`scan saw ${scanned} / ${scannedS} of ${rows}`);
  }
  record("full range scan", "rows/s", scanT, scanS);
  await seqT.store.close();
  seqS.db.close();
  await Deno.remove(seqT.dir, { recursive: true });
  await Deno.remove(seqS.dir, { recursive: true });

  const rndT = await thunderInserts(order);
  const rndS = sqliteInserts(order);
  record("random inserts (1 txn)", "rows/s", rndT.rate, rndS.rate);
  await rndT.store.close();
  rndS.db.close();
  await Deno.remove(rndT.dir, { recursive: true });
  await Deno.remove(rndS.dir, { recursive: true });

  for (const writers of [1, 8, 64]) {
    const t = await thunderCommits(writers);
    const s = await sqliteCommits(writers);
    record(`durable commits, ${writers} writers`, "commits/s", t, s);
  }
  console.log("\n| work | ThunderDB | SQLite | ratio |\n| --- | ---: | ---: | ---: |");
  for (const l of lines) {
    console.log(
      `| ${l.name} (${l.unit}) | ${fmt(l.thunder)} | ${fmt(l.sqlite)} | ${
        (l.thunder / l.sqlite).toFixed(2)
      }x |`,
    );
  }
}

/** Each writer: insert one row, wait until it is durable, repeat. */
async function thunderCommits(writers: number): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "bench_thunder_" });
  const { store, root } = await openThunder(dir);
  let commits = 0;
  let n = 0;
  const deadline = performance.now() + commitSeconds * 1000;
  const writer = async () => {
    while (performance.now() < deadline) {
      const k = key(n++);
      store.update((m) => btreeInsert(m, root, k, value));
      await store.wal.flush(store.wal.endLsn);
      commits++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: writers }, writer));
  const rate = commits / ((performance.now() - started) / 1000);
  await store.close();
  await Deno.remove(dir, { recursive: true });
  return rate;
}

/** SQLite writers are separate connections in worker threads, each committing one row at a time. */
async function sqliteCommits(writers: number): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "bench_sqlite_" });
  openSqlite(`${dir}/bench.db`).close();
  const workerUrl = new URL("./_sqlite_writer.ts", import.meta.url);
  const started = performance.now();
  const counts = await Promise.all(
    Array.from({ length: writers }, (_, w) =>
      new Promise<number>((resolve, reject) => {
        const worker = new Worker(workerUrl, { type: "module" });
        worker.onmessage = (event: MessageEvent<number>) => {
          worker.terminate();
          resolve(event.data);
        };
        worker.onerror = (event) => {
          worker.terminate();
          reject(new Error(event.message));
        };
        worker.postMessage({
          path: `${dir}/bench.db`,
          seconds: commitSeconds,
          base: w * 10_000_000,
        });
      })),
  );
  const rate = counts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
  await Deno.remove(dir, { recursive: true });
  return rate;
}

if (import.meta.main) await main();
