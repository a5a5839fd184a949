/**
 * RESP benchmark: redis-benchmark against ThunderDB's RESP listener and a real
 * redis-server (appendonly yes, appendfsync everysec; ThunderDB with
 * appendfsync=everysec) in the same run, for SET, GET, INCR, LPUSH, HSET and
 * ZADD with 50 clients, without and with 16-deep pipelining. Prints ops/s
 * and the ratio ThunderDB / Redis. The pair is run several rounds, the order
 * of the two servers swapped each round, and each ratio is the median of the
 * rounds' ratios, so one noisy stretch of a shared machine does not decide it.
 *
 * Usage: deno run -A --unstable-ffi bench/resp.ts [--requests N] [--pipelined-requests N]
 *   [--rounds N] [--transports native,deno] [--tests set,get,...] [--pipelines 1,16]
 * Needs `redis-server` and `redis-benchmark` (Debian: redis-server redis-tools).
 * @module
 */
import { openFileSystem } from "../src/storage/os/mod.ts";
import { defaultKvConfig, openKvStore } from "../src/engine/kv_session.ts";
import { startRespServer } from "../src/protocol/resp/mod.ts";
import { configureLog } from "../src/common/log.ts";
import { helpOnRequest, numberFlag } from "./_help.ts";
import process from "node:process";
import { type RedisServer, startRedis } from "../tests/e2e/resp/_redis_server.ts";

helpOnRequest(`
Usage: deno run -A --unstable-ffi bench/resp.ts [--requests N] [--pipelined-requests N]
         [--rounds N] [--transports native,deno] [--tests set,get,...] [--pipelines 1,16]

Runs redis-benchmark -c 50 (SET, GET, INCR, LPUSH, HSET, ZADD) against
ThunderDB's RESP listener and a real redis-server (both append-only, fsync
every second), without and with -P 16. Prints ops/s and the ratio, and
each server's CPU time per request (user + system, far less sensitive to
other load on the machine than ops/s). Each pair runs --rounds times, the
servers' order swapped every round; the ratios reported are the medians.

  --requests N             requests per command without pipelining (default 100000)
  --pipelined-requests N   requests per command with -P 16 (default 200000)
  --rounds N               rounds per pair, alternating which server goes first (default 3)
  --transports LIST        ThunderDB socket transports to measure, each against
                           the same redis-server in the same run (default native,
                           the one the server's resp.transport = "auto" picks on Linux)
  --tests LIST             redis-benchmark tests (default set,get,incr,lpush,hset,zadd)
  --pipelines LIST         pipeline depths to run (default 1,16)
`);

function listFlag(name: string, fallback: string): string[] {
  const i = Deno.args.indexOf(`--${name}`);
  return (i >= 0 ? Deno.args[i + 1] ?? "" : fallback).split(",").filter((t) => t !== "");
}

const tests = listFlag("tests", "set,get,incr,lpush,hset,zadd");
const pipelines = listFlag("pipelines", "1,16").map(Number);

function transportsFlag(): ("native" | "deno")[] {
  const i = Deno.args.indexOf("--transports");
  const text = i >= 0 ? Deno.args[i + 1] ?? "" : "native";
  return text.split(",").map((t) => {
    if (t !== "native" && t !== "deno") throw new Error(`unknown transport ${t}`);
    return t;
  });
}

/** Runs redis-benchmark; returns ops/s per test name (upper case). */
async function benchmark(
  port: number,
  requests: number,
  pipeline: number,
): Promise<Map<string, number>> {
  const out = await new Deno.Command("redis-benchmark", {
    args: [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-c",
      "50",
      "-n",
      String(requests),
      "-P",
      String(pipeline),
      "-r",
      "100000",
      "-t",
      tests.join(","),
      "--csv",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const result = new Map<string, number>();
  for (const line of text.split("\n")) {
    const cells = line.split(",").map((c) => c.replaceAll('"', ""));
    const rps = Number(cells[1]);
    if (cells[0] !== undefined && cells[0] !== "test" && Number.isFinite(rps)) {
      result.set(cells[0].split(" ")[0]!.toUpperCase(), rps);
    }
  }
  if (result.size === 0) throw new Error(`redis-benchmark printed nothing usable: ${text}`);
  return result;
}

/** CPU time (user + system) of this process, which serves ThunderDB's side, in microseconds. */
function ownCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** CPU time (user + system) of another process from /proc, in microseconds (0 without /proc). */
function procCpuMicros(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticksPerSecond = 100;
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / ticksPerSecond);
  } catch {
    return 0;
  }
}

/** Runs redis-benchmark and measures the server's CPU time over the run. */
async function measured(
  port: number,
  requests: number,
  pipeline: number,
  cpuMicros: () => number,
): Promise<{ rates: Map<string, number>; cpuMicros: number }> {
  const before = cpuMicros();
  const rates = await benchmark(port, requests, pipeline);
  return { rates, cpuMicros: cpuMicros() - before };
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Geometric mean. */
function geomean(xs: readonly number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(Math.max(x, 1e-9)), 0) / xs.length);
}

/** One pair's rounds: per test the ops/s of both servers, and CPU µs per request. */
interface PairRounds {
  readonly ours: Map<string, number>[];
  readonly theirs: Map<string, number>[];
  readonly cpuOurs: number[];
  readonly cpuTheirs: number[];
}

/** Runs one ThunderDB listener and Redis `rounds` times, swapping which goes first each round. */
async function pairRounds(
  ourPort: number,
  redis: RedisServer,
  n: number,
  pipeline: number,
  rounds: number,
): Promise<PairRounds> {
  const r: PairRounds = { ours: [], theirs: [], cpuOurs: [], cpuTheirs: [] };
  const perRequest = (micros: number) => micros / (n * tests.length);
  for (let round = 0; round < rounds; round++) {
    const runOurs = async () => {
      const m = await measured(ourPort, n, pipeline, ownCpuMicros);
      r.ours.push(m.rates);
      r.cpuOurs.push(perRequest(m.cpuMicros));
    };
    const runTheirs = async () => {
      const m = await measured(redis.port, n, pipeline, () => procCpuMicros(redis.pid));
      r.theirs.push(m.rates);
      r.cpuTheirs.push(perRequest(m.cpuMicros));
    };
    if (round % 2 === 0) {
      await runOurs();
      await runTheirs();
    } else {
      await runTheirs();
      await runOurs();
    }
  }
  return r;
}

async function main(): Promise<void> {
  configureLog({ level: "warn" });
  const requests = numberFlag("requests", 100_000);
  const pipelinedRequests = numberFlag("pipelined-requests", 200_000);
  const rounds = Math.max(1, numberFlag("rounds", 3));
  const transports = transportsFlag();
  const root = await Deno.makeTempDir({ prefix: "thunderdb-resp-bench-" });
  const store = await openKvStore({
    dataDir: `${root}/thunder`,
    fs: openFileSystem({ preferDirect: false }),
    config: { ...defaultKvConfig, appendfsync: "everysec" },
  });
  const servers = [];
  for (const transport of transports) {
    const server = await startRespServer({ hostname: "127.0.0.1", port: 0, kv: store, transport });
    if (server.transport !== transport) throw new Error(`${transport} transport unavailable here`);
    servers.push({ transport, server });
  }
  await Deno.mkdir(`${root}/redis`);
  const redis = await startRedis([
    "--dir",
    `${root}/redis`,
    "--appendonly",
    "yes",
    "--appendfsync",
    "everysec",
  ]);
  // A short unmeasured run first on every server, so no measured run pays for JIT or page faults.
  for (const { server } of servers) await benchmark(server.port, 10_000, 1);
  await benchmark(redis.port, 10_000, 1);
  const started = new Date().toISOString();
  const loadBefore = Deno.loadavg()[0]!;
  const rows: string[] = [];
  const summary: string[] = [];
  const depths = new Map([[1, requests], [16, pipelinedRequests]]);
  try {
    for (const pipeline of pipelines) {
      const n = depths.get(pipeline) ?? requests;
      for (const { transport, server } of servers) {
        const r = await pairRounds(server.port, redis, n, pipeline, rounds);
        const medians: number[] = [];
        for (const t of tests) {
          const name = t.toUpperCase();
          const a = r.ours.map((m) => m.get(name) ?? 0);
          const b = r.theirs.map((m) => m.get(name) ?? 0);
          const perRound = a.map((x, i) => (b[i]! > 0 ? x / b[i]! : 0));
          const ratio = median(perRound);
          medians.push(ratio);
          rows.push(
            `${name.padEnd(6)} -P ${String(pipeline).padEnd(3)} ${transport.padEnd(6)} ${
              median(a).toFixed(0).padStart(9)
            } ops/s   redis ${median(b).toFixed(0).padStart(9)} ops/s   ratio ${
              ratio.toFixed(2)
            }   (rounds ${perRound.map((x) => x.toFixed(2)).join(" ")})`,
          );
        }
        const roundGeo = r.ours.map((m, i) =>
          geomean(tests.map((t) => {
            const name = t.toUpperCase();
            const b = r.theirs[i]!.get(name) ?? 0;
            return b > 0 ? (m.get(name) ?? 0) / b : 0;
          }))
        );
        const cpuOurs = median(r.cpuOurs);
        const cpuTheirs = median(r.cpuTheirs);
        rows.push(
          `CPU    -P ${String(pipeline).padEnd(3)} ${transport.padEnd(6)} ${
            cpuOurs.toFixed(2).padStart(6)
          } us/request   redis ${cpuTheirs.toFixed(2).padStart(6)} us/request   ratio ${
            (cpuTheirs / cpuOurs).toFixed(2)
          }`,
        );
        const target = pipeline === 1 ? "1.0" : "0.5";
        summary.push(
          `geomean ratio ${transport} -P ${String(pipeline).padEnd(3)}: ${
            geomean(medians).toFixed(2)
          } (target >= ${target}; each round's geomean ${
            roundGeo.map((x) => x.toFixed(2)).join(" ")
          })`,
        );
      }
    }
  } finally {
    await redis.stop();
    for (const { server } of servers) await server.close();
    await store.close();
    await Deno.remove(root, { recursive: true });
  }
  console.log(
    `RESP benchmark (redis-benchmark -c 50, appendfsync everysec on both, ${rounds} rounds, medians)`,
  );
  console.log(
    `started ${started}, 1-minute load average ${loadBefore.toFixed(1)} before, ${
      Deno.loadavg()[0]!.toFixed(1)
    } after`,
  );
  for (const r of rows) console.log(r);
  for (const line of summary) console.log(line);
}

if (import.meta.main) await main();
