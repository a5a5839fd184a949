/**
 * RESP benchmark: redis-benchmark against ThunderDB's RESP listener and a real
 * redis-server (appendonly yes, appendfsync everysec; ThunderDB with
 * appendfsync=everysec) in the same run, for SET, GET, INCR, LPUSH, HSET and
 * ZADD with 50 clients, without and with 16-deep pipelining. Prints ops/s
 * and the ratio ThunderDB / Redis.
 *
 * Usage: deno run -A --unstable-ffi bench/resp.ts [--requests N] [--pipelined-requests N]
 *   [--transports native,deno]
 * Needs `redis-server` and `redis-benchmark` (Debian: redis-server redis-tools).
 * @module
 */
import { openFileSystem } from "../src/storage/os/mod.ts";
import { defaultKvConfig, openKvStore } from "../src/engine/kv_session.ts";
import { startRespServer } from "../src/protocol/resp/mod.ts";
import { configureLog } from "../src/common/log.ts";
import { helpOnRequest } from "./_help.ts";

helpOnRequest(`
Usage: deno run -A --unstable-ffi bench/resp.ts [--requests N] [--pipelined-requests N]
         [--transports native,deno]

Runs redis-benchmark -c 50 (SET, GET, INCR, LPUSH, HSET, ZADD) against
ThunderDB's RESP listener and a real redis-server (both append-only, fsync
every second), without and with -P 16. Prints ops/s and the ratio.

  --requests N             requests per command without pipelining (default 100000)
  --pipelined-requests N   requests per command with -P 16 (default 400000)
  --transports LIST        ThunderDB socket transports to measure, each against
                           the same redis-server in the same run (default native,deno)
`);

const tests = ["set", "get", "incr", "lpush", "hset", "zadd"];

function flag(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

function transportsFlag(): ("native" | "deno")[] {
  const i = Deno.args.indexOf("--transports");
  const text = i >= 0 ? Deno.args[i + 1] ?? "" : "native,deno";
  return text.split(",").map((t) => {
    if (t !== "native" && t !== "deno") throw new Error(`unknown transport ${t}`);
    return t;
  });
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
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

async function startRedis(dir: string): Promise<{ port: number; stop(): Promise<void> }> {
  const port = freePort();
  const child = new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "everysec",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

async function main(): Promise<void> {
  configureLog({ level: "warn" });
  const requests = flag("requests", 100_000);
  const pipelinedRequests = flag("pipelined-requests", 400_000);
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
  const redis = await startRedis(`${root}/redis`);
  const started = new Date().toISOString();
  const loadBefore = Deno.loadavg()[0]!;
  const rows: string[] = [];
  const ratios = new Map<string, number[]>();
  try {
    for (const [pipeline, n] of [[1, requests], [16, pipelinedRequests]] as const) {
      // Each ThunderDB transport right before Redis, so each ratio compares neighbours in time.
      for (const { transport, server } of servers) {
        const ours = await benchmark(server.port, n, pipeline);
        const theirs = await benchmark(redis.port, n, pipeline);
        const key = `${transport} -P ${pipeline}`;
        ratios.set(key, []);
        for (const t of tests) {
          const name = t.toUpperCase();
          const a = ours.get(name) ?? 0;
          const b = theirs.get(name) ?? 0;
          const ratio = b > 0 ? a / b : 0;
          ratios.get(key)!.push(ratio);
          rows.push(
            `${name.padEnd(6)} -P ${String(pipeline).padEnd(3)} ${transport.padEnd(6)} ${
              a.toFixed(0).padStart(9)
            } ops/s   redis ${b.toFixed(0).padStart(9)} ops/s   ratio ${ratio.toFixed(2)}`,
          );
        }
      }
    }
  } finally {
    await redis.stop();
    for (const { server } of servers) await server.close();
    await store.close();
    await Deno.remove(root, { recursive: true });
  }
  console.log("RESP benchmark (redis-benchmark -c 50, appendfsync everysec on both)");
  console.log(
    `started ${started}, 1-minute load average ${loadBefore.toFixed(1)} before, ${
      Deno.loadavg()[0]!.toFixed(1)
    } after`,
  );
  for (const r of rows) console.log(r);
  const geo = (xs: number[]) =>
    Math.exp(xs.reduce((s, x) => s + Math.log(Math.max(x, 1e-9)), 0) / xs.length);
  for (const [key, xs] of ratios) {
    const target = key.endsWith("-P 1") ? "1.0" : "0.5";
    console.log(`geomean ratio ${key.padEnd(12)}: ${geo(xs).toFixed(2)} (target >= ${target})`);
  }
}

if (import.meta.main) await main();
