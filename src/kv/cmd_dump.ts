/**
 * DUMP and RESTORE. The payload is ThunderDB's own serialization (the
 * snapshot's value format), not Redis's RDB: like Redis's, it ends in a
 * format version and a checksum, so RESTORE refuses payloads that were
 * damaged or come from elsewhere.
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import { CorruptError } from "../common/errors.ts";
import { crc32cUpdate } from "../common/crc32c.ts";
import { fromLatin1, intBytes, parseInt64 } from "./bytes.ts";
import { errors, type Handler, key, opt } from "./cmd_util.ts";
import type { Entry, KvValue, ValueType } from "./keyspace.ts";
import { Reader, readValue, typeCodes, Writer, writeValue } from "./snapshot.ts";
import { notifyFlags as ev } from "./notify.ts";
import { lfuPack } from "./lfu.ts";

/** Version of the payload format, stored before the checksum. */
const dumpVersion = 0x5401;
/** Version (2 bytes) and CRC32C (4 bytes) close every payload. */
const trailerBytes = 6;

/** Serializes a value with its type, version and checksum. */
export function dumpPayload(e: Entry): Uint8Array {
  const chunks: Uint8Array[] = [];
  const w = new Writer((chunk) => chunks.push(chunk));
  w.u8(typeCodes.indexOf(e.type));
  writeValue(w, e.value);
  w.drain();
  let n = 0;
  for (const ch of chunks) n += ch.length;
  const out = new Uint8Array(n + trailerBytes);
  let at = 0;
  for (const ch of chunks) {
    out.set(ch, at);
    at += ch.length;
  }
  const view = new DataView(out.buffer);
  view.setUint16(n, dumpVersion, true);
  view.setUint32(n + 2, crc32cUpdate(0, out.subarray(0, n + 2)), true);
  return out;
}

/** Whether a payload carries this format's version and an intact checksum. */
function payloadIntact(p: Uint8Array): boolean {
  if (p.length < trailerBytes + 1) return false;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const n = p.length - trailerBytes;
  if (view.getUint16(n, true) !== dumpVersion) return false;
  return crc32cUpdate(0, p.subarray(0, n + 2)) === view.getUint32(n + 2, true);
}

/** Decodes an intact payload; null when its structure is bad. */
function loadPayload(p: Uint8Array): { type: ValueType; value: KvValue } | null {
  const body = p.subarray(0, p.length - trailerBytes);
  const r = new Reader(body);
  try {
    const type = typeCodes[r.u8()];
    if (type === undefined) return null;
    const value = readValue(r, type);
    return r.pos === body.length ? { type, value } : null;
  } catch (e) {
    // A payload that ends early is bad input, answered as Redis does.
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
  if (!payloadIntact(payload)) {
    return c.reply.error("ERR DUMP payload version or checksum are wrong");
  }
  const loaded = loadPayload(payload);
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

/** DUMP and RESTORE by lower-case name. */
export const dumpHandlers: Record<string, Handler> = { dump, restore };
