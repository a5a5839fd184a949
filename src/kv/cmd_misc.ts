/**
 * Introspection commands outside the data types: MEMORY (USAGE and STATS from
 * the engine's per-key estimates) and CLUSTER (no cluster mode).
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { type Handler, intArg, key, opt, replyHelp, subcommandArityError } from "./cmd_util.ts";
import { scriptCacheOf } from "./script_cache.ts";
import { functionStoreOf } from "./script_functions.ts";

/** Estimated bytes of a key's slot in a database's tables (Redis's dict entry and bucket). */
const slotBytes = 24;

/**
 * MEMORY STATS: Redis's fields that ThunderDB can fill from its estimates
 * (there is no allocator to report on, no peak kept, no replication backlog, no AOF buffer).
 */
function memoryStats(x: KvEngine, c: KvClient): void {
  const total = x.usedMemory();
  const dbs = x.dbs.filter((db) => db.size !== 0);
  let keys = 0, overhead = x.bytesBaseline;
  for (const db of dbs) {
    keys += db.size;
    overhead += (db.size + db.volatileCount) * slotBytes;
  }
  const scripts = scriptCacheOf(x).memoryBytes();
  const functions = functionStoreOf(x).memoryBytes();
  const dataset = Math.max(0, total - overhead);
  const fields: [string, number][] = [
    ["total.allocated", total],
    ["startup.allocated", x.bytesBaseline],
    ["replication.backlog", 0],
    ["clients.slaves", 0],
    ["clients.normal", 0],
    ["cluster.links", 0],
    ["aof.buffer", 0],
    ["lua.caches", scripts],
    ["functions.caches", functions],
  ];
  const tail: [string, number][] = [
    ["overhead.total", overhead],
    ["keys.count", keys],
    ["keys.bytes-per-key", keys === 0 ? 0 : Math.floor(total / keys)],
    ["dataset.bytes", dataset],
    ["dataset.percentage", total === 0 ? 0 : (dataset * 100) / total],
  ];
  c.reply.map(fields.length + dbs.length + tail.length);
  for (const [name, v] of fields) {
    c.reply.bulkLatin1(name);
    c.reply.integer(v);
  }
  for (const db of dbs) {
    c.reply.bulkLatin1(`db.${db.index}`);
    c.reply.map(2);
    c.reply.bulkLatin1("overhead.hashtable.main");
    c.reply.integer(db.size * slotBytes);
    c.reply.bulkLatin1("overhead.hashtable.expires");
    c.reply.integer(db.volatileCount * slotBytes);
  }
  for (const [name, v] of tail) {
    c.reply.bulkLatin1(name);
    if (name.endsWith("percentage")) c.reply.double(v);
    else c.reply.integer(v);
  }
}

const memory: Handler = (x, c, argv) => {
  const sub = opt(argv, 1);
  if (sub === "USAGE" && argv.length >= 3) {
    if (argv.length !== 3 && (argv.length !== 5 || opt(argv, 3) !== "SAMPLES")) {
      return c.reply.error("ERR syntax error");
    }
    if (argv.length === 5 && intArg(c, argv[4]!) === null) return;
    const e = x.dbs[c.db]!.lookup(key(argv, 2), x.now, x.loading);
    return e === undefined ? c.reply.nil() : c.reply.integer(e.bytes);
  }
  if (sub === "DOCTOR" && argv.length === 2) {
    return c.reply.verbatim("Hi Sam, I can't find any memory issue in your instance.");
  }
  if (sub === "STATS" && argv.length === 2) return memoryStats(x, c);
  // No allocator of its own to report on or to hand memory back from (the JS heap's is V8's).
  if (sub === "MALLOC-STATS" && argv.length === 2) {
    return c.reply.verbatim("Stats not supported for the current allocator");
  }
  if (sub === "PURGE" && argv.length === 2) return c.reply.ok();
  if (sub === "HELP" && argv.length === 2) {
    const lines = [
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return memory problems reports.",
      "MALLOC-STATS",
      "    Return internal statistics report from the memory allocator.",
      "PURGE",
      "    Attempt to purge dirty pages for reclamation by the allocator.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Print this help.",
    ];
    replyHelp(c, lines);
    return;
  }
  subcommandArityError(c, "MEMORY", argv);
};

/** CLUSTER answers as a Redis started without cluster mode does. */
const cluster: Handler = (_x, c) => c.reply.error("ERR This instance has cluster support disabled");

/** MEMORY and CLUSTER by lower-case name. */
export const miscHandlers: Record<string, Handler> = { memory, cluster };
