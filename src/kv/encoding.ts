/**
 * The encodings Redis 7.0 reports through OBJECT ENCODING. ThunderDB keeps one
 * representation per type, but clients and tests read the encoding to see
 * whether a value is "small", so each entry tracks Redis's rule: a hash or
 * sorted set is a listpack until it holds more than `*-max-listpack-entries`
 * items or an item longer than `*-max-listpack-value` bytes, a set is an intset
 * while every member is an integer and it is small, and the conversion to the
 * big encoding is one-way, as in Redis. Lists are always quicklists in 7.0.
 * @module
 */
import type { KvConfig } from "./config.ts";
import type { Entry } from "./keyspace.ts";
import { Deque } from "./deque.ts";
import { ZSet } from "./zset.ts";
import { Stream } from "./stream.ts";
import { parseInt64 } from "./bytes.ts";

/** Redis's longest string stored as "embstr". */
const embstrMax = 44;

function longItem(items: Iterable<string>, max: number): boolean {
  for (const s of items) if (s.length > max) return true;
  return false;
}

/** True when the value has outgrown Redis's compact encoding for its type. */
function outgrown(e: Entry, k: KvConfig): boolean {
  const v = e.value;
  if (typeof v === "string" || v instanceof Deque || v instanceof Stream) return false;
  if (v instanceof ZSet) {
    return v.size > k.zsetMaxListpackEntries || longItem(v.scores.keys(), k.zsetMaxListpackValue);
  }
  if (v instanceof Map) {
    if (v.size > k.hashMaxListpackEntries) return true;
    return longItem(v.keys(), k.hashMaxListpackValue) ||
      longItem(v.values(), k.hashMaxListpackValue);
  }
  if (v.size > k.setMaxIntsetEntries) return true;
  for (const m of v) if (parseInt64(m) === null) return true;
  return false;
}

/**
 * Re-evaluates an entry's encoding after a write: once big, it stays big.
 * Strings keep their flag (set by APPEND/SETRANGE/SETBIT, which make "raw").
 */
export function updateEncoding(e: Entry, k: KvConfig): void {
  if (!e.big && typeof e.value !== "string") e.big = outgrown(e, k);
}

/** The OBJECT ENCODING name of an entry. */
export function encodingOf(e: Entry): string {
  const v = e.value;
  if (typeof v === "string") {
    if (e.big) return "raw";
    if (v.length <= 20 && parseInt64(v) !== null) return "int";
    return v.length <= embstrMax ? "embstr" : "raw";
  }
  if (v instanceof Deque) return "quicklist";
  if (v instanceof Stream) return "stream";
  if (v instanceof ZSet) return e.big ? "skiplist" : "listpack";
  if (v instanceof Map) return e.big ? "hashtable" : "listpack";
  return e.big ? "hashtable" : "intset";
}
