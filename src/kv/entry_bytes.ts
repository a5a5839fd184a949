/**
 * Memory estimate of a key's entry, for INFO used_memory and maxmemory.
 * @module
 */
import { Deque } from "./deque.ts";
import type { Entry } from "./keyspace.ts";
import { Stream } from "./stream.ts";
import { ZSet } from "./zset.ts";

const entryOverheadBytes = 64;

/** Estimated memory of one key's entry. */
export function estimateBytes(key: string, e: Entry): number {
  const v = e.value;
  let n = key.length + entryOverheadBytes;
  if (typeof v === "string") return n + v.length;
  if (v instanceof Deque) return n + v.bytes + v.length * 16;
  if (v instanceof ZSet) return n + v.bytes + v.size * 56;
  if (v instanceof Stream) return n + v.bytes + v.nodeCount * 64;
  if (v instanceof Map) {
    const first = v.entries().next();
    const avg = first.done ? 0 : first.value[0].length + first.value[1].length;
    n += v.size * (48 + avg);
    return n;
  }
  const first = v.values().next();
  return n + v.size * (40 + (first.done ? 0 : first.value.length));
}
