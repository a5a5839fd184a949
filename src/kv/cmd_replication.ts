/**
 * Redis's replication commands, answered as a Redis 7.0 master with no
 * replicas does: ROLE (master, offset 0 as INFO's master_repl_offset, no
 * replicas), WAIT (no replica ever acknowledges: 0 at once when none is
 * wanted, else after the timeout), FAILOVER (needs replicas), REPLICAOF /
 * SLAVEOF NO ONE (already a master). What would make this server a replica
 * of a Redis master or a master of Redis replicas (REPLICAOF host port,
 * SYNC, PSYNC) is refused with an error saying so: ThunderDB does not speak
 * Redis's replication stream.
 * @module
 */
import { latin1, parseInt64 } from "./bytes.ts";
import { type BlockRequest, errors, type Handler, opt } from "./cmd_util.ts";

const role: Handler = (_x, c) => {
  c.reply.array(3);
  c.reply.bulkText("master");
  c.reply.integer(0);
  c.reply.array(0);
};

/** A signed 64-bit integer argument as a number (clamped), or null when it is not one. */
function longArg(arg: Uint8Array): number | null {
  const v = parseInt64(arg);
  if (v === null) return null;
  return typeof v === "bigint" ? (v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER) : v;
}

const wait: Handler = (x, c, argv): BlockRequest | void => {
  const replicas = longArg(argv[1]!);
  if (replicas === null) return c.reply.error(errors.notInteger);
  const timeout = longArg(argv[2]!);
  if (timeout === null) return c.reply.error("ERR timeout is not an integer or out of range");
  if (timeout < 0) return c.reply.error(errors.timeoutNegative);
  // No replica acknowledges anything: asking for none is met at once, and in
  // a transaction WAIT answers without waiting, as Redis does.
  if (replicas <= 0 || c.multi !== null || x.noBlock) return c.reply.integer(0);
  return { keys: [], timeoutMs: timeout, timeoutReply: "zero" };
};

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: the argument checks, then "no replicas". */
const failover: Handler = (_x, c, argv) => {
  if (argv.length === 2 && opt(argv, 1) === "ABORT") {
    return c.reply.error("ERR No failover in progress.");
  }
  let timeout = 0, force = false, host = false;
  for (let j = 1; j < argv.length; j++) {
    const w = opt(argv, j);
    if (w === "TIMEOUT" && j + 1 < argv.length && timeout === 0) {
      const t = longArg(argv[++j]!);
      if (t === null) return c.reply.error(errors.notInteger);
      if (t <= 0) return c.reply.error("ERR FAILOVER timeout must be greater than 0");
      timeout = t;
    } else if (w === "TO" && j + 2 < argv.length && !host) {
      if (longArg(argv[j + 2]!) === null) return c.reply.error(errors.notInteger);
      host = true;
      j += 2;
    } else if (w === "FORCE" && !force) force = true;
    else return c.reply.error(errors.syntax);
  }
  c.reply.error("ERR FAILOVER requires connected replicas.");
};

/** Why this server does not follow a Redis master. */
export const notAReplica =
  "ERR ThunderDB cannot replicate from a Redis master: only REPLICAOF NO ONE is supported";

const replicaof: Handler = (_x, c, argv) => {
  if (opt(argv, 1) === "NO" && opt(argv, 2) === "ONE") return c.reply.ok();
  const port = longArg(argv[2]!);
  if (port === null || port < 0 || port > 65535) return c.reply.error("ERR Invalid master port");
  c.reply.error(notAReplica);
};

/** Why SYNC and PSYNC are refused. */
export const notAMaster =
  "ERR ThunderDB does not serve Redis replicas: SYNC and PSYNC are not supported";

const sync: Handler = (_x, c) => c.reply.error(notAMaster);

/**
 * REPLCONF option value ...: checks the options a replica sends as Redis does
 * and answers OK. ACK and GETACK come from replicas and masters only, which
 * never talk to this server: as Redis does for an ordinary client, they get
 * no reply.
 */
const replconf: Handler = (_x, c, argv) => {
  if (argv.length % 2 === 0) return c.reply.error(errors.syntax);
  for (let j = 1; j < argv.length; j += 2) {
    const o = opt(argv, j);
    const value = argv[j + 1]!;
    if (o === "LISTENING-PORT") {
      if (longArg(value) === null) return c.reply.error(errors.notInteger);
    } else if (o === "IP-ADDRESS") {
      if (value.length >= 256) {
        return c.reply.error(
          `ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`,
        );
      }
    } else if (o === "RDB-ONLY") {
      const v = longArg(value);
      if (v === null) return c.reply.error(errors.notInteger);
      if (v < 0 || v > 1) {
        return c.reply.error("ERR value is out of range, value must between 0 and 1");
      }
    } else if (o === "ACK" || o === "GETACK") return;
    else if (o !== "CAPA") {
      return c.reply.error(`ERR Unrecognized REPLCONF option: ${latin1(argv[j]!)}`);
    }
  }
  c.reply.ok();
};

/** The replication commands by lower-case name. */
export const replicationHandlers: Record<string, Handler> = {
  role,
  wait,
  failover,
  replicaof,
  slaveof: replicaof,
  sync,
  psync: sync,
  replconf,
};
