/**
 * Redis's own test suite (the tcl tests of Redis 7.0.15, fetched by
 * scripts/test_deps.sh into .cache/) run against ThunderDB's Redis listener in
 * the suite's external-server mode, one unit per fresh `server.ts` process,
 * and, for units that need servers of their own, in the suite's own mode with
 * `_redis_server_shim.sh` standing in for redis-server.
 * Every test of the chosen units must pass except the commented exclusions
 * below, which name what ThunderDB lacks or deliberately does differently.
 */
import assert from "node:assert/strict";
import { startServer } from "../_server.ts";

const root = new URL("../../../", import.meta.url).pathname;
const suiteDir = `${root}.cache/redis-7.0.15`;
const serverPath = `${root}server.ts`;
const shimPath = new URL("./_redis_server_shim.sh", import.meta.url).pathname;

/** Units of the suite that cover what ThunderDB implements. */
const units = [
  "unit/type/string",
  "unit/type/incr",
  "unit/type/list",
  "unit/type/list-2",
  "unit/type/list-3",
  "unit/type/hash",
  "unit/type/set",
  "unit/type/zset",
  "unit/type/stream",
  "unit/type/stream-cgroups",
  "unit/expire",
  "unit/keyspace",
  "unit/sort",
  "unit/scan",
  "unit/multi",
  "unit/pubsub",
  "unit/info-command",
  "unit/protocol",
  "unit/quit",
  "unit/bitops",
  "unit/bitfield",
  "unit/other",
  "unit/introspection-2",
  "unit/geo",
  "unit/hyperloglog",
  "unit/slowlog",
  "unit/latency-monitor",
  "unit/dump",
  "unit/lazyfree",
  "unit/introspection",
  "unit/pause",
  "unit/violations",
  "unit/tracking",
  "unit/scripting",
  "unit/functions",
  "unit/querybuf",
];

/**
 * Units run in the suite's own mode, where it starts each server through
 * `_redis_server_shim.sh` (server.ts on the port and directory it chose):
 * all their tests are tagged external:skip.
 */
const spawnedUnits = [
  "unit/info",
  "unit/auth",
  "unit/limits",
  "unit/maxmemory",
  "unit/pubsubshard",
  "unit/acl",
  "unit/acl-v2",
  "unit/oom-score-adj",
  "unit/shutdown",
  "unit/networking",
  "unit/dump",
  "unit/obuf-limits",
  "unit/client-eviction",
];

/**
 * Arguments for spawned units that differ from the default: unit/dump runs
 * in `units` already, and here only its MIGRATE tests (they need a second
 * server), without --singledb since they move keys to database 9.
 */
const spawnedUnitArgs: Readonly<Record<string, readonly string[]>> = {
  "unit/dump": ["--only", "/^MIGRATE"],
};

/**
 * A working directory for the suite's own mode: its tests (linked, with a
 * `tests/tmp` of its own, which the suite empties when it starts) and the
 * stand-in `src/redis-server` it starts servers with.
 */
async function spawnedWorkDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "thunder_redis_suite_" });
  await Deno.mkdir(`${dir}/tests/tmp`, { recursive: true });
  for await (const entry of Deno.readDir(`${suiteDir}/tests`)) {
    if (entry.name !== "tmp") {
      await Deno.symlink(`${suiteDir}/tests/${entry.name}`, `${dir}/tests/${entry.name}`);
    }
  }
  await Deno.mkdir(`${dir}/src`);
  await Deno.copyFile(shimPath, `${dir}/src/redis-server`);
  await Deno.chmod(`${dir}/src/redis-server`, 0o755);
  return dir;
}

/**
 * Tests skipped by name (a leading "/" makes a regular expression, as the
 * suite's --skiptest reads it), each with the reason. Tests tagged
 * needs:repl (replication) are left out by tag.
 */
const exclusions: ReadonlyArray<readonly [string, string]> = [
  // No replication stream: these attach to it (SYNC) or check what reaches replicas.
  ["GETDEL propagate as DEL command to replica", "no replication stream"],
  ["GETEX without argument does not propagate to replica", "no replication stream"],
  [
    "All TTL in commands are propagated as absolute timestamp in replication stream",
    "no replication stream",
  ],
  ["GETEX propagate as to replica as PERSIST, DEL, or nothing", "no replication stream"],
  ["ZMPOP propagate as pop with count command to replica", "no replication stream"],
  ["BZMPOP propagate as pop with count command to replica", "no replication stream"],
  ["/^MULTI propagation of ", "no replication stream"],
  ["exec with write commands and state change", "no replicas (min-replicas-to-write)"],
  ["exec with read commands and stale replica state change", "no replication"],
  // unit/scripting and unit/functions: what differs from Redis's embedded Lua 5.1.
  [
    "EVAL - cmsgpack can pack and unpack circular references?",
    "map keys pack in Lua 5.4's table order (its hash seed is random), not Lua 5.1's",
  ],
  [
    "LIBRARIES - register function inside a function",
    "Lua 5.4 words it 'attempt to call a nil value (field ...)'",
  ],
  ["not enough good replicas", "no replication (min-replicas-to-write)"],
  // Repeats of the comp: 0 quicklist stress run at other list-compress-depth values, which
  // ThunderDB accepts but does not act on (no compressed list nodes); left out for CI time.
  ["/^Stress tester for #3343-alike bugs comp: [12]$", "list-compress-depth has no effect here"],
  // Client-side (tcl) fuzzing named after Redis's ziplist encoding, ~25 s of the suite's time
  // for list operations unit/type/list already covers; left out for CI time.
  ["/^ziplist implementation: ", "CI time (tcl-bound fuzzing)"],
  // unit/tracking: an eviction that GETBIT does not trigger here (ThunderDB evicts before
  // memory-growing commands only).
  [
    "Tracking invalidation message of eviction keys should be before response",
    "no eviction before a read-only command",
  ],
  // 30 rounds of 20,000 random points checked in tcl: ~25 s each even against Redis itself.
  ["/^GEOSEARCH fuzzy test - ", "CI time (tcl-bound fuzzing)"],
  // Tcl-bound HyperLogLog loops (~45 s, ~13 s and ~5 s even against Redis itself).
  ["Fuzzing dense/sparse encoding: Redis should always detect errors", "CI time (tcl-bound)"],
  ["/^PFCOUNT multiple-keys merge returns cardinality of union #[12]$", "CI time (tcl-bound)"],
  // The latency monitor's expire-cycle event needs a million-member set built by EVAL.
  ["LATENCY of expire events are correctly collected", "not run: a million-member set (CI time)"],
  // It only sleeps 15 s to see MIGRATE's connection cache emptied (10 s idle), which
  // tests/kv/migrate_link_test.ts covers with a short idle time; left out for CI time.
  ["MIGRATE cached connections are released after some time", "CI time (sleeps 15 s)"],
  // 400,000 RPUSH round trips from tcl before one MIGRATE (~16 s); tests/e2e/resp's MIGRATE
  // tests move large values too.
  ["MIGRATE can correctly transfer large values", "CI time (tcl-bound)"],
  // unit/auth: a replica authenticating to its master.
  ["MASTERAUTH test with binary password", "no replication (SLAVEOF)"],
  // unit/pause: CLIENT PAUSE WRITE holds every EVAL/EVALSHA/FCALL, not reading the script's
  // flags (#!lua flags=no-writes lets Redis run it); EVAL_RO and FCALL_RO run.
  ["/scripts .*are not blocked by pause RO$", "pause does not read script flags"],
  // unit/maxmemory: what ThunderDB does not account or share, replicas and tracking.
  // A client that does not read its replies is not served until it does (its output waits in
  // the socket, not in the server), so MGETs it keeps sending pile up no server memory.
  ["/^eviction due to output buffers of many MGET clients", "unread replies pause the client"],
  ["Without maxmemory small integers are shared", "no shared integer objects"],
  ["With maxmemory and non-LRU policy integers are still shared", "no shared integer objects"],
  [
    "client tracking don't cause eviction feedback loop",
    "tracking table memory is not counted; no maxmemory-eviction-tenacity",
  ],
  ["slave buffer are counted correctly", "no replication"],
  // unit/obuf-limits: a reply is built whole before it is written, so a huge one is not stopped
  // mid-run (HRANDFIELD -999999999 fails with an error instead of closing the client).
  ["Obuf limit, HRANDFIELD with huge count stopped mid-run", "replies are built whole"],
  // unit/client-eviction: a client's memory (tot-mem) counts its query buffer and pending
  // replies, not its MULTI queue, WATCHed keys, subscriptions or tracking state.
  ["client evicted due to large multi buf", "MULTI queue not in client memory"],
  ["client evicted due to watched key list", "WATCHed keys not in client memory"],
  ["client evicted due to pubsub subscriptions", "subscriptions not in client memory"],
  ["client evicted due to tracking redirection", "tracking state not in client memory"],
  ["client evicted due to client tracking prefixes", "tracking state not in client memory"],
  // A client that does not read its replies is not served until it does: its output never
  // grows past what one batch of its commands answers.
  ["client evicted due to output buf", "unread replies pause the client"],
  ["/^client total memory grows during ", "unread replies pause the client"],
  // qbuf counts a partial request whole; Redis's counts only a big argument's bytes once its
  // header is parsed, and this test waits for that exact figure.
  ["avoid client eviction when client is freed by output buffer limit", "qbuf of a big argument"],
  // It reads CLIENT LIST on one connection right after writing on another, so it races the
  // server's read of that write: on a loaded machine it failed 2 runs of 4 (passes when idle).
  ["client evicted due to percentage of maxmemory", "races another connection's write"],
  ["replica buffer don't induce eviction", "no replication"],
  ["/^propagation with eviction", "no replication stream"],
  // unit/pubsubshard: shard messages reaching a replica.
  ["setup replication for following tests", "no replication (REPLICAOF)"],
  ["publish message to master and receive on replica", "no replication (REPLICAOF)"],
  // unit/acl: rules naming commands ThunderDB lacks are accepted, but the tests then run them.
  // With --singledb it INCRs the stream an earlier test XADDed: Redis 7.0.15 fails it too.
  ["ACLs can block all DEBUG subcommands except one", "fails against Redis too (--singledb)"],
  // Tests tagged needs:debug (DEBUG runs here) that need what ThunderDB does not have.
  ["INCR uses shared objects in the 0-9999 range", "no shared integer objects"],
  ["/^(SCAN|RANDOMKEY): Lazy-expire should not be wrapped in ", "no replication stream"],
  ["SRANDMEMBER with a dict containing long chain", "Redis's dict rehashing (HTSTATS-KEY)"],
  ["EXPIRES after AOF reload (without rewrite)", "CONFIG SET appendonly no: the WAL is always on"],
  // unit/acl: a server refusing duplicate `user` directives at startup (the suite starts
  // src/redis-server with command-line options, which the stand-in does not read).
  ["Test loading duplicate users in config on startup", "no duplicate-user check at startup"],
  // unit/oom-score-adj: the replica's and the background save child's scores.
  ["CONFIG SET oom-score-adj works as expected", "no replication (REPLICAOF), no BGSAVE child"],
  // unit/shutdown: a KV snapshot is written by the server process itself into its own data
  // directory, not by a forked child into `dir` (no temp-<pid>.rdb, no rdb-key-save-delay, no
  // dump.rdb to make unwritable); SHUTDOWN ABORT of a held SIGTERM and SHUTDOWN NOSAVE run.
  ["/^Temp rdb will be deleted ", "no forked RDB child (temp-<pid>.rdb)"],
  ["/^SHUTDOWN will abort if rdb save failed on ", "the snapshot is not dir/dump.rdb"],
  // unit/networking: CONFIG SET port and bind run. The listener binds one address (loopback in
  // these tests): no "* -::*" default, no protected mode, and CONFIG REWRITE writes ThunderDB's
  // TOML file rather than the suite's redis.conf.
  ["Default bind address configuration handling", "one bind address; TOML config file"],
  ["Protected mode works as expected", "no protected mode (non-loopback client)"],
  ["CONFIG SET bind-source-addr", "no replication (REPLICAOF)"],
  // UNLINK frees values at once (no background thread): INFO's lazyfreed_objects stays 0.
  ["lazy free a stream with all types of metadata", "no background freeing (lazyfreed_objects)"],
];

/** The suite colours its report lines; this strips the escape sequences. */
const ansiColour = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

interface UnitResult {
  readonly ok: string[];
  readonly failed: string[];
  readonly output: string;
}

/** Whether a loopback TCP port is free now. */
function portFree(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * A --baseport for the suite. Its own test server listens on the first free
 * port of [baseport-32, baseport) (checking port+10000 too); the fixed default
 * (21079) collides when two runs overlap, so each run takes a random free one.
 */
function suiteBasePort(): number {
  for (let i = 0; i < 200; i++) {
    const p = 10_000 + Math.floor(Math.random() * 20_000);
    if (portFree(p) && portFree(p + 10_000)) return p + 32;
  }
  throw new Error("no free port for the Redis suite's test server");
}

/**
 * Where a unit's servers come from: a running server.ts (the suite's
 * external-server mode, `--host/--port`), or servers the suite starts itself
 * through a stand-in for redis-server (its own mode, needed by units whose
 * tests are tagged external:skip: they restart servers or set startup options).
 */
type UnitServer =
  | { readonly kind: "external"; readonly port: number }
  | { readonly kind: "spawned"; readonly workDir: string };

/** Runs one unit of the suite; parses its report lines. */
async function runUnit(unit: string, server: UnitServer): Promise<UnitResult> {
  const args = [
    "tests/test_helper.tcl",
    ...(server.kind === "external" ? ["--host", "127.0.0.1", "--port", String(server.port)] : []),
    ...(server.kind === "spawned" ? spawnedUnitArgs[unit] ?? ["--singledb"] : ["--singledb"]),
    "--tags",
    "-needs:repl",
    "--clients",
    "1",
    "--timeout",
    "60",
    "--durable",
    "--baseport",
    String(suiteBasePort()),
    "--portcount",
    "32",
    "--single",
    unit,
  ];
  for (const [name] of exclusions) args.push("--skiptest", name);
  const result = await new Deno.Command("tclsh", {
    args,
    cwd: server.kind === "external" ? suiteDir : server.workDir,
    env: { THUNDER_DENO: Deno.execPath(), THUNDER_SERVER: serverPath },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const output = (decoder.decode(result.stdout) + decoder.decode(result.stderr)).replace(
    ansiColour,
    "",
  );
  const ok: string[] = [];
  const failed: string[] = [];
  for (const line of output.split("\n")) {
    if (line.startsWith("[TIMEOUT]")) failed.push(line);
    const m = /^\[(ok|err|exception)\]: (.*?)(?: \(\d+ ms\))?$/.exec(line);
    if (m === null) continue;
    if (m[1] === "ok") ok.push(m[2]!);
    else failed.push(m[2]!);
  }
  if (result.code !== 0 && failed.length === 0) failed.push(`tclsh exited with ${result.code}`);
  return { ok, failed, output };
}

Deno.test({
  name: "Redis 7.0.15's own test suite passes against ThunderDB (listed units)",
  sanitizeResources: true,
  sanitizeOps: true,
  async fn(t) {
    try {
      await Deno.stat(`${suiteDir}/tests/test_helper.tcl`);
    } catch {
      throw new Error(
        `Redis's test suite is missing: run scripts/test_deps.sh (fills ${suiteDir})`,
      );
    }
    for (const unit of units) {
      await t.step(unit, async () => {
        // As the suite's own default.conf does (enable-debug-command yes): its tests run DEBUG.
        const server = await startServer({
          waitFor: ["redis"],
          args: ["--set", "resp.enable_debug_command=yes"],
        });
        let result: UnitResult;
        try {
          result = await runUnit(unit, { kind: "external", port: server.ports.redis! });
        } finally {
          await server.stop();
          await Deno.remove(server.dataDir, { recursive: true });
        }
        assert.deepEqual(result.failed, [], `${unit} failed tests:\n${result.output}`);
        assert.ok(result.ok.length > 0, `${unit} ran no test:\n${result.output}`);
      });
    }
    for (const unit of spawnedUnits) {
      await t.step(`${unit} (servers started by the suite)`, async () => {
        const workDir = await spawnedWorkDir();
        let result: UnitResult;
        try {
          result = await runUnit(unit, { kind: "spawned", workDir });
        } finally {
          await Deno.remove(workDir, { recursive: true });
        }
        assert.deepEqual(result.failed, [], `${unit} failed tests:\n${result.output}`);
        assert.ok(result.ok.length > 0, `${unit} ran no test:\n${result.output}`);
      });
    }
  },
});
