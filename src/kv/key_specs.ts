/**
 * Key specs (Redis 7.0): for each key a command takes, where it is found in
 * the command line and how the command uses it: RO / RW / OW / RM (read
 * only, read and write, overwrite, remove) and access / update / insert /
 * delete (reads the value, changes it, adds to it, removes from it). ACL
 * key permissions (%R~, %W~) are checked per key by these flags; COMMAND
 * INFO and COMMAND GETKEYSANDFLAGS show them.
 * @module
 */
import { latin1 } from "./bytes.ts";

/** Where a key spec's search for keys starts. */
export type BeginSearch =
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "keyword"; readonly keyword: string; readonly startFrom: number }
  | { readonly kind: "unknown" };

/** How a key spec finds its keys from where the search began. */
export type FindKeys =
  | {
    readonly kind: "range";
    readonly lastKey: number;
    readonly keyStep: number;
    readonly limit: number;
  }
  | {
    readonly kind: "keynum";
    readonly keyNumIdx: number;
    readonly firstKey: number;
    readonly keyStep: number;
  }
  | { readonly kind: "unknown" };

/** One key spec of a command. */
export interface KeySpec {
  readonly flags: readonly string[];
  readonly begin: BeginSearch;
  readonly find: FindKeys;
}

/** One key of a command line: its position (0 is the command name) and flags. */
export interface KeyRef {
  readonly pos: number;
  readonly flags: readonly string[];
}

/*
 * name spec... where a spec is FLAGS[/BEGIN/FIND]: BEGIN is an index, WORD>N
 * (the keyword WORD searched from index N) or ? (unknown); FIND is LAST[:STEP[:LIMIT]]
 * (a range), #IDX:FIRST:STEP (a key count) or ? (unknown). Without /BEGIN/FIND
 * the spec is the key at index 1 alone. Subcommands are named "container|sub".
 */
const rows = `
get RO,access
set RW,access,update,variable_flags
setex OW,update
psetex OW,update
setnx OW,insert
mget RO,access/1/-1
mset OW,update/1/-1:2
msetnx OW,insert/1/-1:2
getset RW,access,update
getdel RW,access,delete
getex RW,access,update
incr RW,access,update
decr RW,access,update
incrby RW,access,update
decrby RW,access,update
incrbyfloat RW,access,update
append RW,insert
strlen RO
getrange RO,access
substr RO,access
setrange RW,update
setbit RW,access,update
getbit RO,access
bitcount RO,access
bitop OW,update/2/0 RO,access/3/-1
bitpos RO,access
bitfield RW,access,update,variable_flags
bitfield_ro RO,access
lcs RO,access/1/1
del RM,delete/1/-1
sort RO,access RO,access/?/? OW,update/?/?
sort_ro RO,access RO,access/?/?
unlink RM,delete/1/-1
exists RO/1/-1
type RO
rename RW,access,delete OW,update/2/0
renamenx RW,access,delete OW,insert/2/0
copy RO,access OW,update/2/0
move RW,access,update
expire RW,update
pexpire RW,update
expireat RW,update
pexpireat RW,update
ttl RO,access
pttl RO,access
expiretime RO,access
pexpiretime RO,access
persist RW,update
touch RO/1/-1
object|encoding RO/2/0
object|freq RO/2/0
object|idletime RO/2/0
object|refcount RO/2/0
dump RO,access
restore OW,update
restore-asking OW,update
migrate RW,access,delete/3/0 RW,access,delete,incomplete/KEYS>-2/-1
hset RW,update
hmset RW,update
hsetnx RW,insert
hget RO,access
hmget RO,access
hgetall RO,access
hkeys RO,access
hvals RO,access
hdel RW,delete
hexists RO
hlen RO
hstrlen RO
hincrby RW,access,update
hincrbyfloat RW,access,update
hscan RO,access
hrandfield RO,access
lpush RW,insert
rpush RW,insert
lpushx RW,insert
rpushx RW,insert
lpop RW,access,delete
rpop RW,access,delete
lrange RO,access
llen RO
lindex RO,access
lset RW,update
lrem RW,delete
ltrim RW,delete
linsert RW,insert
lpos RO,access
lmove RW,access,delete RW,insert/2/0
blmove RW,access,delete RW,insert/2/0
lmpop RW,access,delete/1/#0:1:1
blmpop RW,access,delete/2/#0:1:1
rpoplpush RW,access,delete RW,insert/2/0
brpoplpush RW,access,delete RW,insert/2/0
blpop RW,access,delete/1/-2
brpop RW,access,delete/1/-2
sadd RW,insert
srem RW,delete
smembers RO,access
sismember RO
smismember RO,access
scard RO
spop RW,access,delete
srandmember RO,access
smove RW,access,delete RW,insert/2/0
sinter RO,access/1/-1
sunion RO,access/1/-1
sdiff RO,access/1/-1
sinterstore RW,update RO,access/2/-1
sunionstore OW,update RO,access/2/-1
sdiffstore OW,update RO,access/2/-1
sintercard RO,access/1/#0:1:1
sscan RO,access
zadd RW,update
zincrby RW,access,update
zrem RW,delete
zscore RO,access
zmscore RO,access
zcard RO
zcount RO,access
zlexcount RO,access
zrange RO,access
zrangebyscore RO,access
zrevrangebyscore RO,access
zrangebylex RO,access
zrevrangebylex RO,access
zrevrange RO,access
zrangestore OW,update RO,access/2/0
zrank RO,access
zrevrank RO,access
zremrangebyrank RW,delete
zremrangebyscore RW,delete
zremrangebylex RW,delete
zpopmin RW,access,delete
zpopmax RW,access,delete
bzpopmin RW,access,delete/1/-2
bzpopmax RW,access,delete/1/-2
zrandmember RO,access
zscan RO,access
zunion RO,access/1/#0:1:1
zinter RO,access/1/#0:1:1
zintercard RO,access/1/#0:1:1
zmpop RW,access,delete/1/#0:1:1
bzmpop RW,access,delete/2/#0:1:1
zdiff RO,access/1/#0:1:1
zunionstore OW,update RO,access/2/#0:1:1
zinterstore OW,update RO,access/2/#0:1:1
zdiffstore OW,update RO,access/2/#0:1:1
xadd RW,update
xrange RO,access
xrevrange RO,access
xlen RO
xread RO,access/STREAMS>1/-1:1:2
xdel RW,delete
xtrim RW,delete
xsetid RW,update
xinfo|groups RO,access/2/0
xinfo|consumers RO,access/2/0
xinfo|stream RO,access/2/0
xreadgroup RO,access/STREAMS>4/-1:1:2
xgroup|delconsumer RW,delete/2/0
xgroup|create RW,insert/2/0
xgroup|createconsumer RW,insert/2/0
xgroup|destroy RW,delete/2/0
xgroup|setid RW,update/2/0
xack RW,update
xpending RO,access
xclaim RW,update
xautoclaim RW,delete
eval RW,access,update/2/#0:1:1
evalsha RW,access,update/2/#0:1:1
eval_ro RO,access/2/#0:1:1
evalsha_ro RO,access/2/#0:1:1
fcall RW,access,update/2/#0:1:1
fcall_ro RO,access/2/#0:1:1
memory|usage RO/2/0
pfadd RW,insert
pfcount RW,access/1/-1
pfmerge RW,access,insert RO,access/2/-1
pfdebug RW,access/2/0
geoadd RW,update
geopos RO,access
geodist RO,access
geohash RO,access
georadius RO,access OW,update/STORE>6/0 OW,update/STOREDIST>6/0
georadius_ro RO,access
georadiusbymember RO,access OW,update/STORE>5/0 OW,update/STOREDIST>5/0
georadiusbymember_ro RO,access
geosearch RO,access
geosearchstore OW,update RO,access/2/0
ssubscribe not_key/1/-1
sunsubscribe not_key/1/-1
spublish not_key
watch RO/1/-1
`;

function parseBegin(text: string): BeginSearch {
  if (text === "?") return { kind: "unknown" };
  const gt = text.indexOf(">");
  if (gt < 0) return { kind: "index", index: Number(text) };
  return { kind: "keyword", keyword: text.slice(0, gt), startFrom: Number(text.slice(gt + 1)) };
}

function parseFind(text: string): FindKeys {
  if (text === "?") return { kind: "unknown" };
  if (text.startsWith("#")) {
    const [idx, first, step] = text.slice(1).split(":").map(Number);
    return { kind: "keynum", keyNumIdx: idx!, firstKey: first!, keyStep: step! };
  }
  const [last, step, limit] = text.split(":").map(Number);
  return { kind: "range", lastKey: last!, keyStep: step ?? 1, limit: limit ?? 0 };
}

function parseSpec(text: string): KeySpec {
  const [flags, begin, find] = text.split("/") as [string, string | undefined, string | undefined];
  return {
    flags: flags.split(","),
    begin: parseBegin(begin ?? "1"),
    find: parseFind(find ?? "0"),
  };
}

/** Every command's key specs by name ("get", "xgroup|create"). */
export const keySpecs: ReadonlyMap<string, readonly KeySpec[]> = new Map(
  rows.trim().split("\n").map((line) => {
    const [name, ...specs] = line.split(" ");
    return [name!, specs.map(parseSpec)] as const;
  }),
);

/** Where a spec begins its keys, or -1 when its keyword is missing. */
function beginIndex(b: BeginSearch, args: readonly Uint8Array[]): number {
  if (b.kind === "index") return b.index;
  if (b.kind === "unknown") return -1;
  const argc = args.length;
  const up = b.startFrom > 0;
  const start = up ? b.startFrom : argc + b.startFrom;
  const end = up ? argc - 1 : 0;
  // As Redis: the last argument is never the keyword (a key must follow it).
  for (let i = start; i !== end; i += up ? 1 : -1) {
    if (i >= argc || i < 1) break;
    if (latin1(args[i]!).toUpperCase() === b.keyword) return i + 1;
  }
  return -1;
}

/** The keys one spec finds from `first`, or null when the line is malformed for it. */
function findKeys(s: KeySpec, first: number, args: readonly Uint8Array[]): KeyRef[] | null {
  const argc = args.length;
  let last: number;
  let step: number;
  const f = s.find;
  if (f.kind === "range") {
    if (f.lastKey >= 0) last = first + f.lastKey;
    else if (f.limit === 0) last = argc + f.lastKey;
    else last = first + Math.floor((argc - first) / f.limit) + f.lastKey;
    step = f.keyStep;
  } else if (f.kind === "keynum") {
    if (f.keyNumIdx >= argc - first) return null;
    const text = latin1(args[first + f.keyNumIdx]!);
    const n = /^(0|-?[1-9][0-9]*)$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) return null;
    first += f.firstKey;
    last = first + n - 1;
    step = f.keyStep;
  } else return null;
  if (last >= argc || last < first || first >= argc) return null;
  const out: KeyRef[] = [];
  for (let i = first; i <= last; i += step) out.push({ pos: i, flags: s.flags });
  return out;
}

/** The positions of SORT's key and of its STORE key (the last one wins). */
function sortKeys(args: readonly Uint8Array[], readOnly: boolean): KeyRef[] {
  if (args.length < 2) return [];
  const out: KeyRef[] = [{ pos: 1, flags: ["RO", "access"] }];
  let store = -1;
  for (let i = 2; i < args.length && !readOnly; i++) {
    const w = latin1(args[i]!).toUpperCase();
    if (w === "LIMIT") i += 2;
    else if (w === "GET" || w === "BY") i += 1;
    else if (w === "STORE" && i + 1 < args.length) store = ++i;
  }
  if (store > 0) out.push({ pos: store, flags: ["OW", "update"] });
  return out;
}

/**
 * MIGRATE's keys as Redis's migrateGetKeys finds them: the key argument, or
 * with KEYS (after skipping AUTH's and AUTH2's values) every argument after it.
 */
function migrateKeys(args: readonly Uint8Array[]): KeyRef[] {
  const flags = ["RW", "access", "delete"];
  if (args.length < 6) return [];
  for (let i = 6; i < args.length; i++) {
    const w = latin1(args[i]!).toUpperCase();
    if (w === "AUTH") i += 1;
    else if (w === "AUTH2") i += 2;
    else if (w === "KEYS") {
      if (args[3]!.length > 0) return [];
      return args.slice(i + 1).map((_, n) => ({ pos: i + 1 + n, flags }));
    }
  }
  return [{ pos: 3, flags }];
}

/** SET reads its key only with GET (anywhere after the value). */
function setKeys(args: readonly Uint8Array[]): KeyRef[] {
  const get = args.some((a, i) => i >= 3 && latin1(a).toUpperCase() === "GET");
  return [{ pos: 1, flags: get ? ["RW", "access", "update"] : ["OW", "update"] }];
}

/** BITFIELD writes its key unless every operation is GET (a malformed line counts as writing). */
function bitfieldKeys(args: readonly Uint8Array[]): KeyRef[] {
  let readOnly = true;
  for (let i = 2; i < args.length && readOnly; i++) {
    const left = args.length - i - 1;
    const w = latin1(args[i]!).toUpperCase();
    if (w === "GET" && left >= 2) i += 2;
    else if (w === "OVERFLOW" && left >= 1) i += 1;
    else readOnly = false;
  }
  return [{ pos: 1, flags: readOnly ? ["RO", "access"] : ["RW", "access", "update"] }];
}

/**
 * The keys of a command line (`args[0]` is the command; `name` is the
 * command or "container|sub") with their flags, as Redis finds them for ACL
 * checks: by the key specs (channels marked not_key are left out), and for
 * SET, BITFIELD, SORT and MIGRATE by their arguments. A line whose key count or
 * range does not fit has no keys (the command itself reports the error).
 */
export function keyRefs(name: string, args: readonly Uint8Array[]): KeyRef[] {
  if (name === "set") return args.length >= 2 ? setKeys(args) : [];
  if (name === "bitfield") return args.length >= 2 ? bitfieldKeys(args) : [];
  if (name === "sort" || name === "sort_ro") return sortKeys(args, name === "sort_ro");
  if (name === "migrate") return migrateKeys(args);
  const out: KeyRef[] = [];
  for (const s of keySpecs.get(name) ?? []) {
    if (s.flags.includes("not_key")) continue;
    const first = beginIndex(s.begin, args);
    if (first < 0) {
      if (s.begin.kind === "unknown") return [];
      continue;
    }
    const found = findKeys(s, first, args);
    if (found === null) return [];
    out.push(...found);
  }
  return out;
}
