/**
 * Keyspace notifications (`notify-keyspace-events`): after a command changes
 * a key it announces the event on `__keyspace@<db>__:<key>` (message: the
 * event) and `__keyevent@<db>__:<event>` (message: the key), through the
 * ordinary pub/sub fan-out, for the event classes the setting enables.
 * @module
 */
import type { KvEngine } from "./engine.ts";
import { publish } from "./cmd_pubsub.ts";
import { fromLatin1 } from "./bytes.ts";

/** Event classes and channel kinds, as bits of the setting. */
export const notifyFlags = {
  keyspace: 1 << 0,
  keyevent: 1 << 1,
  generic: 1 << 2,
  string: 1 << 3,
  list: 1 << 4,
  set: 1 << 5,
  hash: 1 << 6,
  zset: 1 << 7,
  expired: 1 << 8,
  evicted: 1 << 9,
  stream: 1 << 10,
  keyMiss: 1 << 11,
  module: 1 << 12,
  newKey: 1 << 13,
} as const;

const f = notifyFlags;

/** What "A" stands for: every class but key-miss and new-key. */
const allClasses = f.generic | f.string | f.list | f.set | f.hash | f.zset | f.expired |
  f.evicted | f.stream | f.module;

/** Class characters in the order Redis prints them (before K, E, m, n). */
const classChars: ReadonlyArray<readonly [string, number]> = [
  ["g", f.generic],
  ["$", f.string],
  ["l", f.list],
  ["s", f.set],
  ["h", f.hash],
  ["z", f.zset],
  ["x", f.expired],
  ["e", f.evicted],
  ["t", f.stream],
  ["d", f.module],
];

const otherChars: ReadonlyArray<readonly [string, number]> = [
  ["K", f.keyspace],
  ["E", f.keyevent],
  ["m", f.keyMiss],
  ["n", f.newKey],
];

const charFlags = new Map<string, number>([["A", allClasses], ...classChars, ...otherChars]);

/** Parses the setting's text ("KEA", "Elg"...) into bits; null on an unknown character. */
export function parseNotifyFlags(text: string): number | null {
  let bits = 0;
  for (const ch of text) {
    const bit = charFlags.get(ch);
    if (bit === undefined) return null;
    bits |= bit;
  }
  return bits;
}

/** The setting's text as CONFIG GET reports it ("A" for every class, then K E m n). */
export function formatNotifyFlags(bits: number): string {
  let out = "";
  if ((bits & allClasses) === allClasses) out = "A";
  else for (const [ch, bit] of classChars) if ((bits & bit) !== 0) out += ch;
  for (const [ch, bit] of otherChars) if ((bits & bit) !== 0) out += ch;
  return out;
}

/** Publishes one event on the channels the setting enables (the caller checked the class). */
export function publishKeyspaceEvent(
  x: KvEngine,
  event: string,
  db: number,
  key: string,
): void {
  const bits = x.notifyFlags;
  if ((bits & f.keyspace) !== 0) publish(x, `__keyspace@${db}__:${key}`, fromLatin1(event));
  if ((bits & f.keyevent) !== 0) publish(x, `__keyevent@${db}__:${event}`, fromLatin1(key));
}
