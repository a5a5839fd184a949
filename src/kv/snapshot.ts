/**
 * The snapshot format: every key of every database with its type, value and
 * absolute expiry, plus the WAL LSN it covers, ending in a CRC32C. Encoding
 * streams chunks to a sink so a large keyspace never sits twice in memory.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import { crc32cUpdate } from "../common/crc32c.ts";
import { Deque } from "./deque.ts";
import { Entry, type KvValue, type ValueType } from "./keyspace.ts";
import type { KvEngine } from "./engine.ts";
import { estimateBytes } from "./entry_bytes.ts";
import { ZSet } from "./zset.ts";
import { formatId, parseId, Stream, streamNodeMaxEntriesDefault } from "./stream.ts";
import { Consumer, ConsumerGroup } from "./stream_group.ts";
import { fromLatin1, latin1 } from "./bytes.ts";
import { lfuInitialCounter, lfuPack } from "./lfu.ts";
import { updateEncoding } from "./encoding.ts";
import { setUser, setUserRecord } from "./cmd_acl.ts";
import { functionStoreOf } from "./script_functions.ts";
import { log } from "../common/log.ts";

const magic = fromLatin1("TKVSNAP1");
/** Type codes of the snapshot and DUMP formats. */
export const typeCodes: readonly ValueType[] = [
  "string",
  "list",
  "hash",
  "set",
  "zset",
  "stream",
];
const endMarker = 255;
/** After the end marker: the function libraries' sources (older snapshots end without it). */
const functionsMarker = 1;
const chunkBytes = 1 << 20;

/** Encodes into chunks handed to a sink, with a running CRC32C of what was drained. */
export class Writer {
  buf = new Uint8Array(chunkBytes * 2);
  view = new DataView(this.buf.buffer);
  pos = 0;
  crc = 0;
  constructor(readonly sink: (chunk: Uint8Array) => void) {}
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.drain();
    if (n > this.buf.length) {
      this.buf = new Uint8Array(n);
      this.view = new DataView(this.buf.buffer);
    }
  }
  drain(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    this.crc = crc32cUpdate(this.crc, chunk);
    this.sink(chunk.slice());
    this.pos = 0;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  latin1(s: string): void {
    this.u32(s.length);
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos + i] = s.charCodeAt(i);
    this.pos += s.length;
  }
}

/** Writes a value in the snapshot (and DUMP) format. */
export function writeValue(w: Writer, v: KvValue): void {
  if (typeof v === "string") return w.latin1(v);
  if (v instanceof Deque) {
    w.u32(v.length);
    for (let i = 0; i < v.length; i++) w.latin1(v.at(i)!);
    return;
  }
  if (v instanceof ZSet) {
    w.u32(v.size);
    for (const e of v.entries()) {
      w.latin1(e.member);
      w.f64(e.score);
    }
    return;
  }
  if (v instanceof Stream) return writeStream(w, v);
  if (v instanceof Map) {
    w.u32(v.size);
    for (const [f, val] of v) {
      w.latin1(f);
      w.latin1(val);
    }
    return;
  }
  w.u32(v.size);
  for (const m of v) w.latin1(m);
}

/** A stream: its counters and IDs (as text), then each live entry's ID and fields. */
function writeStream(w: Writer, s: Stream): void {
  w.latin1(formatId(s.lastId));
  w.latin1(formatId(s.maxDeletedId));
  w.f64(s.entriesAdded);
  w.u32(s.length);
  for (const e of s.entries(0n, s.lastId, false)) {
    w.latin1(formatId(e.id));
    w.u32(e.fields.length);
    for (const f of e.fields) w.latin1(f);
  }
  w.u32(s.groups.size);
  for (const [name, g] of s.groups) {
    w.latin1(name);
    w.latin1(formatId(g.lastId));
    w.f64(g.entriesRead);
    w.u32(g.consumers.size);
    for (const con of g.consumers.values()) {
      w.latin1(con.name);
      w.f64(con.seenTime);
      w.u32(con.pel.size);
      for (const [id, p] of con.pel.entries()) {
        w.latin1(formatId(id));
        w.f64(p.deliveryTime);
        w.f64(p.deliveryCount);
      }
    }
  }
}

/** Reads the consumer groups `writeStream` wrote after the entries. */
function readGroups(r: Reader, s: Stream): void {
  for (let n = r.u32(); n > 0; n--) {
    const g = new ConsumerGroup(0n, 0);
    s.groups.set(r.latin1(), g);
    g.lastId = readStreamId(r);
    g.entriesRead = r.f64();
    for (let k = r.u32(); k > 0; k--) {
      const con = new Consumer(r.latin1(), r.f64());
      g.consumers.set(con.name, con);
      for (let m = r.u32(); m > 0; m--) {
        const id = readStreamId(r);
        const deliveryTime = r.f64();
        g.assign(id, { consumer: null, deliveryTime, deliveryCount: r.f64() }, con);
      }
    }
  }
}

function readStreamId(r: Reader): bigint {
  const text = r.latin1();
  const parsed = parseId(text, 0n);
  if (parsed === null) throw new CorruptError(`KV snapshot has a bad stream ID '${text}'`);
  return parsed.id;
}

function readStream(r: Reader): Stream {
  const s = new Stream();
  const lastId = readStreamId(r);
  const maxDeletedId = readStreamId(r);
  const entriesAdded = r.f64();
  for (let n = r.u32(); n > 0; n--) {
    const id = readStreamId(r);
    if (id <= s.lastId && s.length > 0) {
      throw new CorruptError(`KV snapshot has stream IDs out of order at byte ${r.pos}`);
    }
    const fields: string[] = [];
    for (let k = r.u32(); k > 0; k--) fields.push(r.latin1());
    s.append(id, fields, streamNodeMaxEntriesDefault);
  }
  s.lastId = lastId;
  s.maxDeletedId = maxDeletedId;
  s.entriesAdded = entriesAdded;
  readGroups(r, s);
  return s;
}

/**
 * Streams a snapshot of the engine covering the WAL up to `lsn` to `sink`
 * (chunks are copies the sink may keep). Skips keys already expired.
 */
export function encodeSnapshot(x: KvEngine, lsn: number, sink: (chunk: Uint8Array) => void): void {
  const w = new Writer(sink);
  w.ensure(16);
  w.buf.set(magic, 0);
  w.pos = 8;
  w.f64(lsn);
  for (const db of x.dbs) {
    for (const [k, e] of db.map) {
      w.u8(db.index);
      w.u8(typeCodes.indexOf(e.type));
      w.f64(e.expireAt);
      w.latin1(k);
      writeValue(w, e.value);
    }
  }
  w.u8(endMarker);
  writeAcl(w, x);
  const libraries = functionStoreOf(x).libraries;
  if (libraries.size !== 0) {
    w.u8(functionsMarker);
    w.u32(libraries.size);
    for (const lib of libraries.values()) w.bytes(lib.code);
  }
  w.drain();
  const tail = new Uint8Array(4);
  new DataView(tail.buffer).setUint32(0, w.crc, true);
  sink(tail);
}

/**
 * Reads the snapshot format.
 * @throws {CorruptError} XX001 when the input ends early
 */
export class Reader {
  pos = 0;
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new CorruptError(`KV snapshot truncated at byte ${this.pos} of ${this.buf.length}`);
    }
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  latin1(): string {
    const n = this.u32();
    this.need(n);
    const s = latin1(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

/** Reads a value written by `writeValue`. */
export function readValue(r: Reader, type: ValueType): KvValue {
  switch (type) {
    case "string":
      return r.latin1();
    case "list": {
      const d = new Deque();
      for (let n = r.u32(); n > 0; n--) d.pushBack(r.latin1());
      return d;
    }
    case "hash": {
      const h = new Map<string, string>();
      for (let n = r.u32(); n > 0; n--) h.set(r.latin1(), r.latin1());
      return h;
    }
    case "set": {
      const s = new Set<string>();
      for (let n = r.u32(); n > 0; n--) s.add(r.latin1());
      return s;
    }
    case "zset": {
      const z = new ZSet();
      for (let n = r.u32(); n > 0; n--) z.add(r.latin1(), r.f64());
      return z;
    }
    case "stream":
      return readStream(r);
  }
}

/**
 * Loads a snapshot into an empty engine.
 * @returns the WAL LSN the snapshot covers
 * @throws {CorruptError} XX001 on a bad magic, CRC or structure
 */
export function decodeSnapshot(x: KvEngine, bytes: Uint8Array): number {
  if (bytes.length < 21) {
    throw new CorruptError(`KV snapshot of ${bytes.length} bytes is too short`);
  }
  for (let i = 0; i < magic.length; i++) {
    if (bytes[i] !== magic[i]) throw new CorruptError("KV snapshot has a bad magic number");
  }
  const body = bytes.subarray(0, bytes.length - 4);
  const stored = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(
    0,
    true,
  );
  if (crc32cUpdate(0, body) !== stored) {
    throw new CorruptError("KV snapshot fails its CRC32C check");
  }
  const r = new Reader(body);
  r.pos = 8;
  const lsn = r.f64();
  for (;;) {
    const db = r.u8();
    if (db === endMarker) break;
    const code = r.u8();
    const type = typeCodes[code];
    if (type === undefined || db >= x.dbs.length) {
      throw new CorruptError(
        `KV snapshot has a bad entry header (db ${db}, type ${code}) at byte ${r.pos}`,
      );
    }
    const expireAt = r.f64();
    const k = r.latin1();
    const e = new Entry(type, readValue(r, type));
    e.expireAt = expireAt;
    e.lru = x.lfu ? lfuPack(lfuInitialCounter, x.now) : x.now;
    e.bytes = estimateBytes(k, e);
    // As Redis loading an RDB: the compact encoding is chosen afresh from the content.
    updateEncoding(e, x.config);
    x.dbs[db]!.set(k, e);
  }
  // ACL users follow the keys; snapshots written before ACL end here.
  if (r.pos < body.length) readAcl(r, x);
  // Function libraries follow the ACL users, when there are any.
  if (r.pos < body.length && r.u8() === functionsMarker) readLibraries(x, r);
  return lsn;
}

/** The ACL users as the SETUSER lines that rebuild them (see cmd_acl.ts). */
function writeAcl(w: Writer, x: KvEngine): void {
  const users = [...x.acl.users.values()];
  w.u32(users.length);
  for (const u of users) {
    const line = setUserRecord(u);
    w.u32(line.length);
    for (const a of line) w.bytes(a);
  }
}

function readAcl(r: Reader, x: KvEngine): void {
  for (let n = r.u32(); n > 0; n--) {
    const line: string[] = [];
    for (let m = r.u32(); m > 0; m--) line.push(latin1(r.bytes()));
    if (line.length < 3) throw new CorruptError("KV snapshot has a short ACL user line");
    // Rules are checked against the command table, which an engine gets with its dispatcher.
    if (x.acl.catalog === null) x.acl.pending.push(line.slice(2));
    else {
      const err = setUser(x, line[2]!, line.slice(3));
      if (err !== null) throw new CorruptError(`KV snapshot has a bad ACL user: ${err}`);
    }
  }
}

/** Loads the function libraries of a snapshot; one that no longer loads is logged and skipped. */
function readLibraries(x: KvEngine, r: Reader): void {
  const store = functionStoreOf(x);
  for (let n = r.u32(); n > 0; n--) {
    const loaded = store.load(r.bytes(), true, () => x.timer());
    if (typeof loaded !== "string") {
      log.error("KV snapshot: a function library failed to load", { error: loaded.error });
    }
  }
}
