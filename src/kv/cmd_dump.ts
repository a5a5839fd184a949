/**
 * DUMP and RESTORE in Redis's format (an RDB value, RDB version and CRC-64;
 * see rdb_encode.ts and rdb_decode.ts), so payloads move both ways between
 * ThunderDB and Redis.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { CorruptError } from "../common/errors.ts";
import { fromLatin1, intBytes, parseInt64 } from "./bytes.ts";
import { errors, type Handler, key, opt } from "./cmd_util.ts";
import type { Entry } from "./keyspace.ts";
import { decodeRdbPayload, rdbPayloadIntact, type RdbValue } from "./rdb_decode.ts";
import { encodeRdbPayload } from "./rdb_encode.ts";
import { decodeLegacyDump } from "./dump_legacy.ts";
import { notifyFlags as ev } from "./notify.ts";
import { lfuPack } from "./lfu.ts";

/** Serializes a value as Redis 7.0's DUMP (RDB format). */
export function dumpPayload(e: Entry): Uint8Array {
  return encodeRdbPayload(e.type, e.value);
}

/** Decodes a payload; null when its structure is bad. */
function loadPayload(p: Uint8Array): RdbValue | null {
  try {
    return decodeRdbPayload(p);
  } catch (e) {
    // A malformed payload is bad input, answered as Redis does.
    if (e instanceof CorruptError) return null;
    throw e;
  }
}

const dump: Handler = (x, c, argv) => {
  const e = x.lookupRead(c.db, key(argv, 1));
  if (e === undefined) return c.reply.nil();
  c.reply.bulk(dumpPayload(e));
};

/** RESTORE's options after the payload. */
interface RestoreOptions {
  replace: boolean;
  absttl: boolean;
  /** Seconds since last access, -1 when not given. */
  idleSeconds: number;
  /** LFU counter, -1 when not given. */
  freq: number;
}

/** Replies an error; returns null for the caller to return. */
function fail(c: KvClient, message: string): null {
  c.reply.error(message);
  return null;
}

/** Parses REPLACE, ABSTTL, IDLETIME s, FREQ f; null (after replying) on error. */
function restoreOptions(c: KvClient, argv: Uint8Array[]): RestoreOptions | null {
  const o: RestoreOptions = { replace: false, absttl: false, idleSeconds: -1, freq: -1 };
  for (let i = 4; i < argv.length; i++) {
    const w = opt(argv, i);
    const more = i + 1 < argv.length;
    if (w === "REPLACE") o.replace = true;
    else if (w === "ABSTTL") o.absttl = true;
    else if (w === "IDLETIME" && more && o.freq === -1) {
      const v = parseInt64(argv[++i]!);
      if (v === null) return fail(c, errors.notInteger);
      if (v < 0) return fail(c, "ERR Invalid IDLETIME value, must be >= 0");
      o.idleSeconds = Number(v);
    } else if (w === "FREQ" && more && o.idleSeconds === -1) {
      const v = parseInt64(argv[++i]!);
      if (v === null) return fail(c, errors.notInteger);
      if (v < 0 || v > 255) return fail(c, "ERR Invalid FREQ value, must be >= 0 and <= 255");
      o.freq = Number(v);
    } else return fail(c, errors.syntax);
  }
  return o;
}

const textRestore = fromLatin1("RESTORE");
const textAbsttl = fromLatin1("ABSTTL");
const textReplace = fromLatin1("REPLACE");
const textDel = fromLatin1("DEL");

function restoreExpired(x: KvEngine, db: number, k: string, deleted: boolean): void {
  if (!deleted) return;
  x.propagate(db, [textDel, fromLatin1(k)]);
  x.notify(ev.generic, "del", db, k);
}

/** RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]. */
const restore: Handler = (x, c, argv) => {
  const o = restoreOptions(c, argv);
  if (o === null) return;
  const k = key(argv, 1);
  if (!o.replace && x.lookupWrite(c.db, k) !== undefined) {
    return c.reply.error("BUSYKEY Target key name already exists.");
  }
  const ttlArg = parseInt64(argv[2]!);
  if (ttlArg === null) return c.reply.error(errors.notInteger);
  if (ttlArg < 0) return c.reply.error("ERR Invalid TTL value, must be >= 0");
  const payload = argv[3]!;
  // WAL replay also reads the payloads older builds logged (see dump_legacy.ts).
  const legacy = x.loading && !rdbPayloadIntact(payload) ? decodeLegacyDump(payload) : null;
  if (legacy === null && !rdbPayloadIntact(payload)) {
    return c.reply.error("ERR DUMP payload version or checksum are wrong");
  }
  const loaded = legacy ?? loadPayload(payload);
  if (loaded === null) return c.reply.error("ERR Bad data format");
  const deleted = o.replace && x.deleteKey(c.db, k);
  let expireAt = Number(ttlArg);
  if (expireAt !== 0 && !o.absttl) expireAt += x.now;
  if (expireAt !== 0 && expireAt <= x.now && !x.loading) {
    restoreExpired(x, c.db, k, deleted);
    return c.reply.ok();
  }
  const e = x.setValue(c.db, k, loaded.type, loaded.value, expireAt);
  // As Redis: FREQ counts under an LFU policy, IDLETIME under the others.
  if (x.lfu && o.freq >= 0) e.lru = lfuPack(o.freq, x.now);
  else if (!x.lfu && o.idleSeconds >= 0) e.lru = x.now - o.idleSeconds * 1000;
  // Logged with an absolute expiry so that replaying the WAL restores the same deadline.
  const logged = [textRestore, argv[1]!, intBytes(expireAt), payload, textAbsttl, textReplace];
  x.propagate(c.db, logged);
  x.notify(ev.generic, "restore", c.db, k);
  c.reply.ok();
};

/** DUMP, RESTORE and RESTORE-ASKING (the same as RESTORE without a cluster) by lower-case name. */
export const dumpHandlers: Record<string, Handler> = { dump, restore, "restore-asking": restore };
