/**
 * Streams in the RDB format: listpack nodes keyed by their 128-bit master
 * ID (each node a master entry naming the first entry's fields, then entries
 * as ID deltas, flags and values), the counters, then the consumer groups
 * with their pending entries and consumers.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import { decodeListpack, encodeListpack, type ListpackElement } from "./listpack.ts";
import { RdbReader, rdbType, RdbWriter } from "./rdb_io.ts";
import { makeId, Stream, type StreamId, streamNodeMaxEntriesDefault } from "./stream.ts";
import { Consumer, ConsumerGroup, entriesReadInvalid, type PendingEntry } from "./stream_group.ts";

const flagDeleted = 1;
const flagSameFields = 2;
const u64Max = (1n << 64n) - 1n;

function bad(what: string): CorruptError {
  return new CorruptError(`RDB stream is malformed: ${what}`);
}

/** A 128-bit ID stored big-endian (node keys, PEL entries). */
function rawId(b: Uint8Array): StreamId {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function writeRawId(w: RdbWriter, id: StreamId): void {
  for (let i = 15; i >= 0; i--) w.u8(Number((id >> BigInt(8 * i)) & 0xffn));
}

function idPair(r: RdbReader): StreamId {
  const ms = r.lenBig();
  return makeId(ms, r.lenBig());
}

/** Appends one node's live entries to `s`. */
function readNode(s: Stream, master: StreamId, lp: readonly string[]): void {
  let i = 0;
  const next = (): string => {
    const v = lp[i++];
    if (v === undefined) throw bad("a listpack node ends early");
    return v;
  };
  const int = (): bigint => {
    const t = next();
    if (!/^-?\d+$/.test(t)) throw bad(`'${t}' where an integer goes`);
    return BigInt(t);
  };
  int(); // count of live entries
  int(); // count of deleted entries
  const masterFields: string[] = [];
  for (let n = Number(int()); n > 0; n--) masterFields.push(next());
  if (int() !== 0n) throw bad("the master entry lacks its terminator");
  while (i < lp.length) {
    const flags = Number(int());
    const ms = (master >> 64n) + int();
    const seq = (master & u64Max) + int();
    const fields: string[] = [];
    if ((flags & flagSameFields) !== 0) {
      for (const f of masterFields) fields.push(f, next());
    } else {
      for (let n = Number(int()); n > 0; n--) fields.push(next(), next());
    }
    int(); // lp-count, the entry's element count for walking backwards
    if ((flags & flagDeleted) !== 0) continue;
    const id = makeId(ms, seq);
    if (s.length > 0 && id <= s.lastId) throw bad("entry IDs out of order");
    s.append(id, fields, streamNodeMaxEntriesDefault);
  }
}

function readGroup(r: RdbReader, s: Stream, type: number): [string, ConsumerGroup] {
  const name = r.string();
  const lastId = idPair(r);
  let entriesRead: number;
  if (type >= rdbType.streamListpacks2) {
    const v = r.lenBig();
    entriesRead = v === u64Max ? entriesReadInvalid : Number(v);
  } else entriesRead = s.estimateEntriesRead(lastId);
  const g = new ConsumerGroup(lastId, entriesRead);
  const pending = new Map<StreamId, PendingEntry>();
  for (let n = r.len(); n > 0; n--) {
    const id = rawId(r.raw(16));
    const deliveryTime = r.millis();
    pending.set(id, { consumer: null, deliveryTime, deliveryCount: Number(r.lenBig()) });
  }
  for (let n = r.len(); n > 0; n--) {
    const c = new Consumer(r.string(), r.millis());
    if (type >= rdbType.streamListpacks3) r.millis(); // active time (Redis 7.2)
    g.consumers.set(c.name, c);
    for (let k = r.len(); k > 0; k--) {
      const id = rawId(r.raw(16));
      const p = pending.get(id);
      if (p === undefined || p.consumer !== null) {
        throw bad("a consumer's pending entry is not the group's");
      }
      g.assign(id, p, c);
    }
  }
  for (const p of pending.values()) {
    if (p.consumer === null) throw bad("a pending entry has no consumer");
  }
  return [name, g];
}

/**
 * Reads a stream value of RDB type 15, 19 or 21.
 * @throws {CorruptError} XX001 when it is malformed
 */
export function readRdbStream(r: RdbReader, type: number): Stream {
  const s = new Stream();
  for (let n = r.len(); n > 0; n--) {
    const key = r.stringBytes();
    if (key.length !== 16) throw bad(`a node key of ${key.length} bytes`);
    const lp = decodeListpack(r.stringBytes());
    if (lp.length === 0) throw bad("an empty listpack node");
    readNode(s, rawId(key), lp);
  }
  const length = r.len();
  if (length !== s.length) throw bad(`length ${length} but ${s.length} entries`);
  const lastId = idPair(r);
  if (s.length > 0 && lastId < s.lastId) throw bad("its last ID is below an entry's");
  s.lastId = lastId;
  s.entriesAdded = s.length;
  if (type >= rdbType.streamListpacks2) {
    idPair(r); // first ID, which the entries give
    s.maxDeletedId = idPair(r);
    s.entriesAdded = Number(r.lenBig());
  }
  for (let n = r.len(); n > 0; n--) {
    const [name, g] = readGroup(r, s, type);
    s.groups.set(name, g);
  }
  return s;
}

/** The listpack of one node: master entry from the first entry, then the entries. */
function nodeListpack(entries: readonly { id: StreamId; fields: readonly string[] }[]): Uint8Array {
  const master = entries[0]!;
  const masterFields = master.fields.filter((_, i) => i % 2 === 0);
  const lp: ListpackElement[] = [entries.length, 0, masterFields.length, ...masterFields, 0];
  for (const e of entries) {
    const same = e.fields.length === masterFields.length * 2 &&
      masterFields.every((f, i) => e.fields[2 * i] === f);
    lp.push(same ? flagSameFields : 0, (e.id >> 64n) - (master.id >> 64n));
    lp.push((e.id & u64Max) - (master.id & u64Max));
    if (same) {
      for (let i = 1; i < e.fields.length; i += 2) lp.push(e.fields[i]!);
      lp.push(masterFields.length + 3);
    } else {
      lp.push(e.fields.length / 2, ...e.fields, e.fields.length + 4);
    }
  }
  return encodeListpack(lp);
}

function writeIdPair(w: RdbWriter, id: StreamId): void {
  w.len(id >> 64n);
  w.len(id & u64Max);
}

/** Writes a stream as RDB type 19 (Redis 7.0's STREAM_LISTPACKS_2), without the type byte. */
export function writeRdbStream(w: RdbWriter, s: Stream): void {
  const all = [...s.entries(0n, s.lastId, false)];
  const nodeEntries = streamNodeMaxEntriesDefault;
  w.len(Math.ceil(all.length / nodeEntries));
  for (let i = 0; i < all.length; i += nodeEntries) {
    const node = all.slice(i, i + nodeEntries);
    const key = new RdbWriter();
    writeRawId(key, node[0]!.id);
    w.bytesString(key.take());
    w.bytesString(nodeListpack(node));
  }
  w.len(s.length);
  writeIdPair(w, s.lastId);
  writeIdPair(w, all[0]?.id ?? 0n);
  writeIdPair(w, s.maxDeletedId);
  w.len(s.entriesAdded);
  w.len(s.groups.size);
  for (const [name, g] of s.groups) {
    w.bytesString(latin1Bytes(name));
    writeIdPair(w, g.lastId);
    w.len(g.entriesRead === entriesReadInvalid ? u64Max : BigInt(g.entriesRead));
    w.len(g.pel.size);
    for (const [id, p] of g.pel.entries()) {
      writeRawId(w, id);
      w.millis(p.deliveryTime);
      w.len(p.deliveryCount);
    }
    w.len(g.consumers.size);
    for (const c of g.consumers.values()) {
      w.bytesString(latin1Bytes(c.name));
      w.millis(c.seenTime);
      w.len(c.pel.size);
      for (const [id] of c.pel.entries()) writeRawId(w, id);
    }
  }
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
