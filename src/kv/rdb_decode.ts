/**
 * RESTORE's side of the RDB value format: reads a DUMP payload as Redis 7.0
 * writes it (and every older encoding Redis 7.0 still loads) into
 * ThunderDB's value types. Module types are refused, as a Redis without the
 * module refuses them.
 * @module
 */
import { CorruptError } from "../common/errors.ts";
import { parseFloatStrict } from "./bytes.ts";
import { crc64 } from "./crc64.ts";
import { Deque } from "./deque.ts";
import type { KvValue, ValueType } from "./keyspace.ts";
import { decodeListpack } from "./listpack.ts";
import { RdbReader, rdbType, rdbVersion } from "./rdb_io.ts";
import { readRdbStream } from "./rdb_stream.ts";
import { decodeIntset, decodeZiplist, decodeZipmap } from "./ziplist.ts";
import { ZSet } from "./zset.ts";

/** Version (2 bytes) and CRC-64 (8) close every payload. */
const trailerBytes = 10;

/** A decoded value. */
export interface RdbValue {
  readonly type: ValueType;
  readonly value: KvValue;
}

/**
 * Whether a payload ends in an RDB version this build reads (<= 10) and an
 * intact CRC-64 of everything before it (Redis's verifyDumpPayload).
 */
export function rdbPayloadIntact(p: Uint8Array): boolean {
  if (p.length < trailerBytes) return false;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const n = p.length - 8;
  if (view.getUint16(n - 2, true) > rdbVersion) return false;
  return crc64(p.subarray(0, n)) === view.getBigUint64(n, true);
}

function bad(what: string): CorruptError {
  return new CorruptError(`RDB payload is malformed: ${what}`);
}

function nonEmpty<T extends { readonly length: number } | { readonly size: number }>(v: T): T {
  if (("length" in v ? v.length : v.size) === 0) throw bad("an empty collection");
  return v;
}

function pairsToHash(items: readonly string[]): Map<string, string> {
  if (items.length % 2 !== 0) throw bad("a hash with an odd element count");
  const h = new Map<string, string>();
  for (let i = 0; i < items.length; i += 2) h.set(items[i]!, items[i + 1]!);
  if (h.size * 2 !== items.length) throw bad("duplicate hash fields");
  return nonEmpty(h);
}

function pairsToZset(items: readonly string[]): ZSet {
  if (items.length % 2 !== 0) throw bad("a zset with an odd element count");
  const z = new ZSet();
  for (let i = 0; i < items.length; i += 2) {
    const score = parseFloatStrict(items[i + 1]!);
    if (score === null || Number.isNaN(score)) throw bad(`score '${items[i + 1]}'`);
    if (!z.add(items[i]!, score)) throw bad("duplicate zset members");
  }
  return nonEmpty(z);
}

function toSet(items: readonly string[]): Set<string> {
  const s = new Set(items);
  if (s.size !== items.length) throw bad("duplicate set members");
  return nonEmpty(s);
}

function toList(items: readonly string[]): Deque {
  const d = new Deque(Math.max(8, items.length));
  for (const v of items) d.pushBack(v);
  return nonEmpty(d);
}

/** `n` strings. */
function strings(r: RdbReader, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.string());
  return out;
}

/** A zset in the plain encodings: member and score (text or binary double) pairs. */
function plainZset(r: RdbReader, binary: boolean): ZSet {
  const z = new ZSet();
  for (let n = r.len(); n > 0; n--) {
    const member = r.string();
    const score = binary ? r.binaryDouble() : r.textDouble();
    if (Number.isNaN(score)) throw bad("a NaN score");
    if (!z.add(member, score)) throw bad("duplicate zset members");
  }
  return nonEmpty(z);
}

/** Quicklist nodes: ziplists (type 14), or listpacks and plain elements (type 18). */
function quicklist(r: RdbReader, version2: boolean): Deque {
  const items: string[] = [];
  for (let n = r.len(); n > 0; n--) {
    const container = version2 ? r.len() : 2;
    if (container === 1) {
      items.push(r.string());
      continue;
    }
    if (container !== 2) throw bad(`quicklist container ${container}`);
    const node = version2 ? decodeListpack(r.stringBytes()) : decodeZiplist(r.stringBytes());
    if (node.length === 0) throw bad("an empty quicklist node");
    for (const v of node) items.push(v);
  }
  return toList(items);
}

/** Reads a value of RDB type `type`. */
function readValue(r: RdbReader, type: number): RdbValue {
  switch (type) {
    case rdbType.string:
      return { type: "string", value: r.string() };
    case rdbType.list:
      return { type: "list", value: toList(strings(r, r.len())) };
    case rdbType.listZiplist:
      return { type: "list", value: toList(decodeZiplist(r.stringBytes())) };
    case rdbType.listQuicklist:
    case rdbType.listQuicklist2:
      return { type: "list", value: quicklist(r, type === rdbType.listQuicklist2) };
    case rdbType.set:
      return { type: "set", value: toSet(strings(r, r.len())) };
    case rdbType.setIntset:
      return { type: "set", value: toSet(decodeIntset(r.stringBytes())) };
    case rdbType.setListpack:
      return { type: "set", value: toSet(decodeListpack(r.stringBytes())) };
    case rdbType.zset:
    case rdbType.zset2:
      return { type: "zset", value: plainZset(r, type === rdbType.zset2) };
    case rdbType.zsetZiplist:
      return { type: "zset", value: pairsToZset(decodeZiplist(r.stringBytes())) };
    case rdbType.zsetListpack:
      return { type: "zset", value: pairsToZset(decodeListpack(r.stringBytes())) };
    case rdbType.hash:
      return { type: "hash", value: pairsToHash(strings(r, 2 * r.len())) };
    case rdbType.hashZipmap:
      return { type: "hash", value: pairsToHash(decodeZipmap(r.stringBytes())) };
    case rdbType.hashZiplist:
      return { type: "hash", value: pairsToHash(decodeZiplist(r.stringBytes())) };
    case rdbType.hashListpack:
      return { type: "hash", value: pairsToHash(decodeListpack(r.stringBytes())) };
    case rdbType.streamListpacks:
    case rdbType.streamListpacks2:
    case rdbType.streamListpacks3:
      return { type: "stream", value: readRdbStream(r, type) };
    case rdbType.module:
    case rdbType.module2:
      throw bad("module data, and no module is loaded");
    default:
      throw bad(`unknown value type ${type}`);
  }
}

/**
 * Decodes an intact payload (see `rdbPayloadIntact`): type byte and value,
 * which must fill everything before the trailer.
 * @throws {CorruptError} XX001 when the value is malformed
 */
export function decodeRdbPayload(p: Uint8Array): RdbValue {
  const r = new RdbReader(p.subarray(0, p.length - trailerBytes));
  const v = readValue(r, r.u8());
  if (!r.done) throw bad(`${r.bytes.length - r.pos} bytes after the value`);
  return v;
}
