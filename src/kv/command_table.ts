/**
 * The command table: every command's arity, flags and key positions (as
 * COMMAND reports them) and its handler.
 * @module
 */
import { assert } from "../common/errors.ts";
import type { Handler } from "./cmd_util.ts";
import { stringHandlers } from "./cmd_strings.ts";
import { keyHandlers } from "./cmd_keys.ts";
import { hashHandlers } from "./cmd_hashes.ts";
import { listHandlers } from "./cmd_lists.ts";
import { setHandlers } from "./cmd_sets.ts";
import { zsetHandlers } from "./cmd_zsets.ts";
import { zsetOpHandlers } from "./cmd_zsetops.ts";
import { serverHandlers } from "./cmd_server.ts";
import { adminHandlers } from "./cmd_admin.ts";
import { pubsubHandlers } from "./cmd_pubsub.ts";
import { miscHandlers } from "./cmd_misc.ts";
import { bitHandlers } from "./cmd_bits.ts";
import { bitopHandlers } from "./cmd_bitops.ts";
import { bitfieldHandlers } from "./cmd_bitfield.ts";
import { mpopHandlers } from "./cmd_mpop.ts";
import { sortHandlers } from "./cmd_sort.ts";
import { monitorHandlers } from "./monitor.ts";
import { geoHandlers } from "./cmd_geo.ts";
import { hllHandlers } from "./cmd_hll.ts";
import { geoSearchHandlers } from "./cmd_geosearch.ts";
import { type CommandStats, commandStats, slowlogHandlers } from "./slowlog.ts";
import { subcommands } from "./cmd_command.ts";
import { dumpHandlers } from "./cmd_dump.ts";
import { migrateHandlers } from "./cmd_migrate.ts";
import { streamHandlers } from "./cmd_streams.ts";
import { streamReadHandlers } from "./cmd_stream_read.ts";
import { streamInfoHandlers } from "./cmd_stream_info.ts";
import { streamGroupHandlers } from "./cmd_stream_groups.ts";
import { streamClaimHandlers } from "./cmd_stream_claim.ts";
import { shardPubsubHandlers } from "./cmd_pubsub_shard.ts";
import { debugHandlers } from "./cmd_debug.ts";
import { lifecycleHandlers } from "./cmd_lifecycle.ts";
import { moveHandlers } from "./cmd_move.ts";
import { replicationHandlers } from "./cmd_replication.ts";
import { clusterHandlers } from "./cmd_cluster.ts";
import { moduleHandlers } from "./cmd_module.ts";

/** One command; its counters are INFO commandstats's. */
export interface CommandSpec extends CommandStats {
  readonly name: string;
  /** Redis arity: exact when positive, minimum (as -n) when negative; counts the name. */
  readonly arity: number;
  readonly flags: ReadonlySet<string>;
  readonly firstKey: number;
  readonly lastKey: number;
  readonly step: number;
  readonly group: string;
  /** Flags the dispatcher tests on every call, precomputed. */
  readonly write: boolean;
  readonly denyoom: boolean;
  readonly noauth: boolean;
  readonly nomulti: boolean;
  readonly pubsubok: boolean;
  handler: Handler;
  /**
   * Counters of a container's subcommands by lower-case name ("id" of
   * CLIENT ID, counted as "client|id"); null for other commands.
   */
  readonly subcommands: ReadonlyMap<string, CommandStats> | null;
}

// name arity flags firstKey lastKey step group ("@cat" flags: extra ACL categories)
const rows = `
get 2 readonly,fast 1 1 1 string
set -3 write,denyoom 1 1 1 string
setex 4 write,denyoom 1 1 1 string
psetex 4 write,denyoom 1 1 1 string
setnx 3 write,denyoom,fast 1 1 1 string
mget -2 readonly,fast 1 -1 1 string
mset -3 write,denyoom 1 -1 2 string
msetnx -3 write,denyoom 1 -1 2 string
getset 3 write,denyoom,fast 1 1 1 string
getdel 2 write,fast 1 1 1 string
getex -2 write,fast 1 1 1 string
incr 2 write,denyoom,fast 1 1 1 string
decr 2 write,denyoom,fast 1 1 1 string
incrby 3 write,denyoom,fast 1 1 1 string
decrby 3 write,denyoom,fast 1 1 1 string
incrbyfloat 3 write,denyoom,fast 1 1 1 string
append 3 write,denyoom,fast 1 1 1 string
strlen 2 readonly,fast 1 1 1 string
getrange 4 readonly 1 1 1 string
substr 4 readonly 1 1 1 string
setrange 4 write,denyoom 1 1 1 string
setbit 4 write,denyoom 1 1 1 bitmap
getbit 3 readonly,fast 1 1 1 bitmap
bitcount -2 readonly 1 1 1 bitmap
bitop -4 write,denyoom 2 -1 1 bitmap
bitpos -3 readonly 1 1 1 bitmap
bitfield -2 write,denyoom 1 1 1 bitmap
bitfield_ro -2 readonly,fast 1 1 1 bitmap
lcs -3 readonly 1 2 1 string
del -2 write 1 -1 1 generic
sort -2 write,denyoom,movablekeys 1 1 1 generic
sort_ro -2 readonly,movablekeys 1 1 1 generic
unlink -2 write,fast 1 -1 1 generic
exists -2 readonly,fast 1 -1 1 generic
type 2 readonly,fast 1 1 1 generic
rename 3 write 1 2 1 generic
renamenx 3 write,fast 1 2 1 generic
copy -3 write,denyoom 1 2 1 generic
keys 2 readonly 0 0 0 generic
scan -2 readonly 0 0 0 generic
randomkey 1 readonly 0 0 0 generic
expire -3 write,fast 1 1 1 generic
pexpire -3 write,fast 1 1 1 generic
expireat -3 write,fast 1 1 1 generic
pexpireat -3 write,fast 1 1 1 generic
ttl 2 readonly,fast 1 1 1 generic
pttl 2 readonly,fast 1 1 1 generic
expiretime 2 readonly,fast 1 1 1 generic
pexpiretime 2 readonly,fast 1 1 1 generic
persist 2 write,fast 1 1 1 generic
touch -2 readonly,fast 1 -1 1 generic
object -2 readonly 2 2 1 generic
dump 2 readonly 1 1 1 generic
restore -4 write,denyoom 1 1 1 generic
restore-asking -4 write,denyoom,asking 1 1 1 generic
migrate -6 write,movablekeys 3 3 1 generic
hset -4 write,denyoom,fast 1 1 1 hash
hmset -4 write,denyoom,fast 1 1 1 hash
hsetnx 4 write,denyoom,fast 1 1 1 hash
hget 3 readonly,fast 1 1 1 hash
hmget -3 readonly,fast 1 1 1 hash
hgetall 2 readonly 1 1 1 hash
hkeys 2 readonly 1 1 1 hash
hvals 2 readonly 1 1 1 hash
hdel -3 write,fast 1 1 1 hash
hexists 3 readonly,fast 1 1 1 hash
hlen 2 readonly,fast 1 1 1 hash
hstrlen 3 readonly,fast 1 1 1 hash
hincrby 4 write,denyoom,fast 1 1 1 hash
hincrbyfloat 4 write,denyoom,fast 1 1 1 hash
hscan -3 readonly 1 1 1 hash
hrandfield -2 readonly 1 1 1 hash
lpush -3 write,denyoom,fast 1 1 1 list
rpush -3 write,denyoom,fast 1 1 1 list
lpushx -3 write,denyoom,fast 1 1 1 list
rpushx -3 write,denyoom,fast 1 1 1 list
lpop -2 write,fast 1 1 1 list
rpop -2 write,fast 1 1 1 list
lrange 4 readonly 1 1 1 list
llen 2 readonly,fast 1 1 1 list
lindex 3 readonly 1 1 1 list
lset 4 write,denyoom 1 1 1 list
lrem 4 write 1 1 1 list
ltrim 4 write 1 1 1 list
linsert 5 write,denyoom 1 1 1 list
lpos -3 readonly 1 1 1 list
lmove 5 write,denyoom 1 2 1 list
blmove 6 write,denyoom,blocking 1 2 1 list
lmpop -4 write,movablekeys 0 0 0 list
blmpop -5 write,blocking,movablekeys 0 0 0 list
rpoplpush 3 write,denyoom 1 2 1 list
brpoplpush 4 write,denyoom,blocking 1 2 1 list
blpop -3 write,blocking 1 -2 1 list
brpop -3 write,blocking 1 -2 1 list
sadd -3 write,denyoom,fast 1 1 1 set
srem -3 write,fast 1 1 1 set
smembers 2 readonly 1 1 1 set
sismember 3 readonly,fast 1 1 1 set
smismember -3 readonly,fast 1 1 1 set
scard 2 readonly,fast 1 1 1 set
spop -2 write,fast 1 1 1 set
srandmember -2 readonly 1 1 1 set
smove 4 write,fast 1 2 1 set
sinter -2 readonly 1 -1 1 set
sunion -2 readonly 1 -1 1 set
sdiff -2 readonly 1 -1 1 set
sinterstore -3 write,denyoom 1 -1 1 set
sunionstore -3 write,denyoom 1 -1 1 set
sdiffstore -3 write,denyoom 1 -1 1 set
sintercard -3 readonly,movablekeys 0 0 0 set
sscan -3 readonly 1 1 1 set
zadd -4 write,denyoom,fast 1 1 1 sorted_set
zincrby 4 write,denyoom,fast 1 1 1 sorted_set
zrem -3 write,fast 1 1 1 sorted_set
zscore 3 readonly,fast 1 1 1 sorted_set
zmscore -3 readonly,fast 1 1 1 sorted_set
zcard 2 readonly,fast 1 1 1 sorted_set
zcount 4 readonly,fast 1 1 1 sorted_set
zlexcount 4 readonly,fast 1 1 1 sorted_set
zrange -4 readonly 1 1 1 sorted_set
zrangebyscore -4 readonly 1 1 1 sorted_set
zrevrangebyscore -4 readonly 1 1 1 sorted_set
zrangebylex -4 readonly 1 1 1 sorted_set
zrevrangebylex -4 readonly 1 1 1 sorted_set
zrevrange -4 readonly 1 1 1 sorted_set
zrangestore -5 write,denyoom 1 2 1 sorted_set
zrank -3 readonly,fast 1 1 1 sorted_set
zrevrank -3 readonly,fast 1 1 1 sorted_set
zremrangebyrank 4 write 1 1 1 sorted_set
zremrangebyscore 4 write 1 1 1 sorted_set
zremrangebylex 4 write 1 1 1 sorted_set
zpopmin -2 write,fast 1 1 1 sorted_set
zpopmax -2 write,fast 1 1 1 sorted_set
bzpopmin -3 write,fast,blocking 1 -2 1 sorted_set
bzpopmax -3 write,fast,blocking 1 -2 1 sorted_set
zrandmember -2 readonly 1 1 1 sorted_set
zscan -3 readonly 1 1 1 sorted_set
zunion -3 readonly,movablekeys 0 0 0 sorted_set
zinter -3 readonly,movablekeys 0 0 0 sorted_set
zintercard -3 readonly,movablekeys 0 0 0 sorted_set
zmpop -4 write,movablekeys 0 0 0 sorted_set
bzmpop -5 write,blocking,movablekeys 0 0 0 sorted_set
zdiff -3 readonly,movablekeys 0 0 0 sorted_set
zunionstore -4 write,denyoom,movablekeys 1 1 1 sorted_set
zinterstore -4 write,denyoom,movablekeys 1 1 1 sorted_set
zdiffstore -4 write,denyoom,movablekeys 1 1 1 sorted_set
xadd -5 write,denyoom,fast 1 1 1 stream
xrange -4 readonly 1 1 1 stream
xrevrange -4 readonly 1 1 1 stream
xlen 2 readonly,fast 1 1 1 stream
xread -4 readonly,blocking,movablekeys 0 0 0 stream
xdel -3 write,fast 1 1 1 stream
xtrim -4 write 1 1 1 stream
xsetid -3 write,denyoom,fast 1 1 1 stream
xinfo -2 readonly 2 2 1 stream
xreadgroup -7 write,blocking,movablekeys 0 0 0 stream
xgroup -2 write 2 2 1 stream
xack -4 write,fast 1 1 1 stream
xpending -3 readonly 1 1 1 stream
xclaim -6 write,fast 1 1 1 stream
xautoclaim -6 write,fast 1 1 1 stream
ping -1 fast,pubsubok 0 0 0 connection
echo 2 fast 0 0 0 connection
quit -1 noauth,pubsubok,nomulti,fast 0 0 0 connection
reset 1 noauth,pubsubok,nomulti,fast 0 0 0 connection
auth -2 noauth,fast 0 0 0 connection
hello -1 noauth,fast 0 0 0 connection
select 2 fast 0 0 0 connection
client -2 admin 0 0 0 connection
acl -2 admin,noscript,loading,stale 0 0 0 server
command -1 loading,stale,@connection 0 0 0 server
info -1 loading 0 0 0 server
config -2 admin 0 0 0 server
monitor 1 admin,noscript,loading,stale 0 0 0 server
time 1 fast 0 0 0 server
dbsize 1 readonly,fast 0 0 0 server
flushdb -1 write 0 0 0 server
flushall -1 write 0 0 0 server
save 1 admin,denymulti 0 0 0 server
shutdown -1 admin,noscript,loading,stale,denymulti 0 0 0 server
bgsave -1 admin 0 0 0 server
bgrewriteaof 1 admin,noscript 0 0 0 server
lastsave 1 fast 0 0 0 server
swapdb 3 write,fast 0 0 0 server
function -2 noscript 0 0 0 scripting
eval -3 noscript,movablekeys,may_replicate,no_mandatory_keys,stale 0 0 0 scripting
evalsha -3 noscript,movablekeys,may_replicate,no_mandatory_keys,stale 0 0 0 scripting
eval_ro -3 noscript,movablekeys,readonly,no_mandatory_keys,stale 0 0 0 scripting
evalsha_ro -3 noscript,movablekeys,readonly,no_mandatory_keys,stale 0 0 0 scripting
script -2 noscript 0 0 0 scripting
fcall -3 noscript,movablekeys,may_replicate,no_mandatory_keys,stale 0 0 0 scripting
fcall_ro -3 noscript,movablekeys,readonly,no_mandatory_keys,stale 0 0 0 scripting
memory -2 readonly 2 2 1 server
cluster -2 @slow 0 0 0 server
pfadd -2 write,denyoom,fast 1 1 1 hyperloglog
pfcount -2 readonly 1 -1 1 hyperloglog
pfmerge -2 write,denyoom 1 -1 1 hyperloglog
pfdebug 3 write,denyoom,admin 2 2 1 hyperloglog
pfselftest 1 admin 0 0 0 hyperloglog
geoadd -5 write,denyoom 1 1 1 geo
geopos -2 readonly 1 1 1 geo
geodist -4 readonly 1 1 1 geo
geohash -2 readonly 1 1 1 geo
georadius -6 write,denyoom,movablekeys 1 1 1 geo
georadius_ro -6 readonly 1 1 1 geo
georadiusbymember -5 write,denyoom,movablekeys 1 1 1 geo
georadiusbymember_ro -5 readonly 1 1 1 geo
geosearch -7 readonly 1 1 1 geo
geosearchstore -8 write,denyoom 1 2 1 geo
subscribe -2 pubsubok 0 0 0 pubsub
psubscribe -2 pubsubok 0 0 0 pubsub
unsubscribe -1 pubsubok 0 0 0 pubsub
punsubscribe -1 pubsubok 0 0 0 pubsub
publish 3 fast 0 0 0 pubsub
ssubscribe -2 pubsubok 0 0 0 pubsub
sunsubscribe -1 pubsubok 0 0 0 pubsub
spublish 3 fast 0 0 0 pubsub
pubsub -2 loading 0 0 0 pubsub
multi 1 fast,nomulti 0 0 0 transactions
exec 1 nomulti 0 0 0 transactions
discard 1 fast,nomulti 0 0 0 transactions
watch -2 fast,nomulti 1 -1 1 transactions
unwatch 1 fast 0 0 0 transactions
slowlog -2 admin,loading,stale 0 0 0 server
latency -2 admin,noscript,loading,stale 0 0 0 server
debug -2 admin,noscript,loading,stale,protected 0 0 0 server
move 3 write,fast 1 1 1 generic
role 1 noscript,loading,stale,fast,@admin,@dangerous 0 0 0 server
wait 3 noscript 0 0 0 connection
failover -1 admin,noscript,stale 0 0 0 server
replicaof 3 admin,noscript,stale,no_async_loading 0 0 0 server
slaveof 3 admin,noscript,stale,no_async_loading 0 0 0 server
sync 1 admin,noscript,no_async_loading,no_multi,denymulti 0 0 0 server
psync -3 admin,noscript,no_async_loading,no_multi,denymulti 0 0 0 server
replconf -1 admin,noscript,loading,stale,allow_busy 0 0 0 server
readonly 1 loading,stale,fast 0 0 0 connection
readwrite 1 loading,stale,fast 0 0 0 connection
asking 1 fast 0 0 0 connection
module -2 noscript 0 0 0 server
lolwut -1 readonly,fast 0 0 0 server
`;

const handlers: Record<string, Handler> = {
  ...stringHandlers,
  ...keyHandlers,
  ...hashHandlers,
  ...listHandlers,
  ...setHandlers,
  ...zsetHandlers,
  ...zsetOpHandlers,
  ...serverHandlers,
  ...adminHandlers,
  ...pubsubHandlers,
  ...miscHandlers,
  ...bitHandlers,
  ...bitopHandlers,
  ...bitfieldHandlers,
  ...mpopHandlers,
  ...sortHandlers,
  ...monitorHandlers,
  ...geoHandlers,
  ...hllHandlers,
  ...geoSearchHandlers,
  ...slowlogHandlers,
  ...dumpHandlers,
  ...migrateHandlers,
  ...streamHandlers,
  ...streamReadHandlers,
  ...streamInfoHandlers,
  ...streamGroupHandlers,
  ...streamClaimHandlers,
  ...shardPubsubHandlers,
  ...debugHandlers,
  ...lifecycleHandlers,
  ...moveHandlers,
  ...replicationHandlers,
  ...clusterHandlers,
  ...moduleHandlers,
};

function subcommandStats(name: string): Map<string, CommandStats> | null {
  const subs = subcommands[name];
  if (subs === undefined) return null;
  return new Map(subs.map((sub) => [sub, commandStats(`${name}|${sub}`)]));
}

/** Builds the table; handlers missing here (MULTI, COMMAND) are filled in by `dispatch.ts`. */
export function buildCommandTable(extra: Record<string, Handler>): Map<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  for (const line of rows.trim().split("\n")) {
    const [name, arity, flags, first, last, step, group] = line.split(" ") as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const handler = extra[name] ?? handlers[name];
    assert(handler !== undefined, `No handler for command ${name}`);
    const set = new Set(flags.split(","));
    table.set(name, {
      name,
      arity: Number(arity),
      flags: set,
      write: set.has("write"),
      denyoom: set.has("denyoom"),
      noauth: set.has("noauth"),
      nomulti: set.has("nomulti"),
      pubsubok: set.has("pubsubok"),
      firstKey: Number(first),
      lastKey: Number(last),
      step: Number(step),
      group,
      handler,
      calls: 0,
      usec: 0,
      rejectedCalls: 0,
      failedCalls: 0,
      histogram: null,
      subcommands: subcommandStats(name),
    });
  }
  return table;
}
