/**
 * Protocol fuzzing: random, truncated and oversized messages on several
 * connections for a bounded time while a well-behaved client keeps querying,
 * over the scripted test engine and over the real SQL engine; the listener
 * stays up and resident memory stays bounded.
 * The seed is printed on failure; set PG_FUZZ_SEED to replay one.
 */
import { ok, strictEqual } from "node:assert/strict";
import pg from "pg";
import { frame, i16, i32, RawClient, startupMessage } from "./_wire.ts";
import { startHarness } from "./_harness.ts";
import { openEngine } from "../../../src/engine/engine.ts";
import { type PgEngine, type PgServer, startPgServer } from "../../../src/protocol/pg/mod.ts";

function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const valid: Uint8Array[] = [
  frame("Q", "select 1"),
  frame("Q", "select typed; select boom"),
  frame("P", "s", "select $1", i16(1), i32(23)),
  frame("B", "", "s", i16(1), i16(1), i16(1), i32(4), i32(5), i16(1), i16(1)),
  frame("B", "", "s", i16(0), i16(1), i32(2), [52, 50], i16(0)),
  frame("D", [0x53], "s"),
  frame("D", [0x50], ""),
  frame("E", "", i32(1)),
  frame("C", [0x53], "s"),
  frame("H"),
  frame("S"),
  frame("d", [1, 2, 3]),
  frame("c"),
  frame("Q", "copy items from stdin"),
];

function mutate(rand: () => number): Uint8Array {
  const pick = valid[Math.floor(rand() * valid.length)]!;
  const r = rand();
  if (r < 0.25) return pick; // valid message
  if (r < 0.45) return pick.slice(0, Math.floor(rand() * pick.length)); // truncated
  if (r < 0.6) { // corrupted byte
    const out = pick.slice();
    out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
    return out;
  }
  if (r < 0.7) return new Uint8Array([0x51, 0x7f, 0xff, 0xff, 0xff, 1, 2]); // oversized length
  if (r < 0.8) return new Uint8Array([0x42, 0, 0, 0, 1]); // length below 4
  return Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => rand() * 256); // noise
}

async function evil(
  port: number,
  rand: () => number,
  until: number,
  login: { user: string; database: string },
): Promise<number> {
  let sessions = 0;
  while (performance.now() < until) {
    const c = await RawClient.connect(port);
    sessions++;
    const r = rand();
    if (r < 0.5) await c.send(startupMessage(login));
    else if (r < 0.8) await c.send(startupMessage({ user: "fuzz", database: "db" }));
    const count = 1 + Math.floor(rand() * 12);
    for (let i = 0; i < count; i++) {
      if (!(await c.send(mutate(rand)))) break;
    }
    if (rand() < 0.5) await c.send(frame("S"));
    // Read a little, then hang up: the server must cope with both orders.
    await Promise.race([c.until("Z"), new Promise((r) => setTimeout(r, 5))]);
    c.close();
  }
  return sessions;
}

/** A listener over the real SQL engine (in memory), wired as server.ts wires it. */
async function startRealEngine(): Promise<
  { port: number; server: PgServer; close(): Promise<void> }
> {
  const engine = await openEngine({ memory: true });
  const pgEngine: PgEngine = {
    openSession: (p) => Promise.resolve(engine.openSession({ user: p.user, database: p.database })),
    cancel: (pid, secret) => {
      const s = engine.sessions.get(pid);
      if (s && s.secret === secret) s.cancel();
    },
  };
  const server = await startPgServer({
    hostname: "127.0.0.1",
    port: 0,
    engine: pgEngine,
    auth: { method: "trust", lookup: () => undefined },
    maxConnections: 50,
    limits: { messageBytesMax: 64 * 1024 },
  });
  return {
    port: server.port,
    server,
    close: async () => {
      await server.close();
      await engine.close();
    },
  };
}

/** The first column of the first row, whatever the engine names it. */
function first(result: pg.QueryResult): unknown {
  return Object.values(result.rows[0] ?? {})[0];
}

/**
 * Growth of this isolate's memory (JS heap plus external buffers) the fuzzing
 * may cause at most. Not the process's resident size: `deno test --parallel`
 * runs other test files in the same process, and their memory would count.
 */
const memoryGrowthBytesMax = 256 * 1024 * 1024;

/**
 * The isolate's memory after a full collection when the runtime exposes `gc`
 * (the test task passes `--v8-flags=--expose-gc`): without it, garbage the
 * fuzzing left behind counts as growth until V8 happens to collect it.
 */
function isolateMemory(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

async function fuzz(
  target: { port: number; server: PgServer },
  login: { user: string; database: string },
): Promise<void> {
  const seed = Number(Deno.env.get("PG_FUZZ_SEED") ?? Date.now() % 1_000_000);
  const good = new pg.Client({ host: "127.0.0.1", port: target.port, ...login });
  await good.connect();
  const memoryBefore = isolateMemory();
  try {
    const until = performance.now() + 3000;
    const attackers = Array.from(
      { length: 4 },
      (_, i) => evil(target.port, prng(seed + i), until, login),
    );
    let queries = 0;
    while (performance.now() < until) {
      const n = queries++ % 1000;
      strictEqual(first(await good.query(`select ${n}`)), n, `seed ${seed}`);
      strictEqual(first(await good.query("select $1::int4", [n])), n, `seed ${seed}`);
    }
    const sessions = (await Promise.all(attackers)).reduce((a, b) => a + b, 0);
    console.log(`seed ${seed}: ${queries} good queries, ${sessions} fuzzed sessions`);
    strictEqual(first(await good.query("select 77")), 77);
    // Closed fuzzed sessions are released promptly; a loaded machine may take a moment.
    for (let waited = 0; target.server.connections !== 1 && waited < 5000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    strictEqual(target.server.connections, 1, `seed ${seed}`);
    const growth = isolateMemory() - memoryBefore;
    ok(growth < memoryGrowthBytesMax, `seed ${seed}: memory grew by ${growth} bytes`);
  } finally {
    await good.end();
  }
}

for (const transport of ["deno", "native"] as const) {
  Deno.test(`fuzzed connections never disturb a well-behaved client or the listener (${transport})`, async () => {
    const h = await startHarness({
      transport,
      maxConnections: 50,
      limits: { messageBytesMax: 64 * 1024 },
    });
    try {
      await fuzz(h, { user: "good", database: "app" });
    } finally {
      await h.server.close();
    }
  });
}

Deno.test("fuzzed connections to the real SQL engine leave it serving a good client", async () => {
  const real = await startRealEngine();
  try {
    await fuzz(real, { user: "thunder", database: "thunder" });
  } finally {
    await real.close();
  }
});
