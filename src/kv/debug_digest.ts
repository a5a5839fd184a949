/**
 * DEBUG DIGEST and DIGEST-VALUE: SHA-1 based digests of the dataset and of
 * single values, built the way Redis builds them. An ordered sequence (a
 * list, a stream) is "mixed" (each step hashes the running digest with the
 * next item), an unordered collection (a set, a hash, a sorted set, the keys
 * of a database) is XOR-ed together, so the digest depends on the content
 * only, never on iteration order. An empty dataset digests to 40 zeros.
 * @module
 */
import type { KvEngine } from "./engine.ts";
import type { Entry, KvValue } from "./keyspace.ts";
import { Deque } from "./deque.ts";
import { ZSet } from "./zset.ts";
import { Stream } from "./stream.ts";
import { fromLatin1, joinBytes } from "./bytes.ts";
import { sha1Hex } from "./sha1.ts";
import { Writer, writeValue } from "./snapshot.ts";

/** A digest: 20 bytes. */
export type Digest = Uint8Array;

const digestBytes = 20;

function sha1(data: Uint8Array): Digest {
  const hex = sha1Hex(data);
  const out = new Uint8Array(digestBytes);
  for (let i = 0; i < digestBytes; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** `into` ^= SHA-1(data): the order-independent step. */
function xorIn(into: Digest, data: Uint8Array): void {
  const h = sha1(data);
  for (let i = 0; i < digestBytes; i++) into[i]! ^= h[i]!;
}

/** `into` = SHA-1(into ‖ data): the order-dependent step. */
function mixIn(into: Digest, data: Uint8Array): void {
  const joined = new Uint8Array(digestBytes + data.length);
  joined.set(into);
  joined.set(data, digestBytes);
  into.set(sha1(joined));
}

/** Two strings as one byte sequence that cannot collide with another split. */
function pair(a: string, b: string): Uint8Array {
  return fromLatin1(`${a.length}:${a}${b}`);
}

/** The serialized form of a value (streams: entries, groups, consumers, PELs). */
function serialized(v: KvValue): Uint8Array {
  const chunks: Uint8Array[] = [];
  const w = new Writer((chunk) => chunks.push(chunk));
  writeValue(w, v);
  w.drain();
  return joinBytes(chunks);
}

/**
 * The digest of one value: depends on its type and content, not on the
 * order unordered collections happen to iterate in.
 */
export function valueDigest(v: KvValue): Digest {
  const d = new Uint8Array(digestBytes);
  if (typeof v === "string") {
    mixIn(d, fromLatin1(`string:${v}`));
  } else if (v instanceof Deque) {
    mixIn(d, fromLatin1("list"));
    for (let i = 0; i < v.length; i++) mixIn(d, fromLatin1(v.at(i)!));
  } else if (v instanceof ZSet) {
    for (const [member, score] of v.scores) xorIn(d, pair(member, String(score)));
    mixIn(d, fromLatin1("zset"));
  } else if (v instanceof Stream) {
    mixIn(d, fromLatin1("stream"));
    mixIn(d, serialized(v));
  } else if (v instanceof Map) {
    for (const [field, value] of v) xorIn(d, pair(field, value));
    mixIn(d, fromLatin1("hash"));
  } else {
    for (const member of v) xorIn(d, fromLatin1(member));
    mixIn(d, fromLatin1("set"));
  }
  return d;
}

/** The digest of one key: its name, value and expiry. */
function keyDigest(name: string, e: Entry): Digest {
  const d = new Uint8Array(digestBytes);
  mixIn(d, fromLatin1(name));
  mixIn(d, valueDigest(e.value));
  if (e.expireAt !== 0) mixIn(d, fromLatin1(`!!expire!!${e.expireAt}`));
  return d;
}

/** Lowercase hex of a digest. */
export function digestHex(d: Digest): string {
  let s = "";
  for (const b of d) s += b.toString(16).padStart(2, "0");
  return s;
}

/**
 * The digest of every live key of every database (DEBUG DIGEST): 40 zeros
 * when there are none. Keys already past their expiry are left out, as a
 * reload would drop them.
 */
export function datasetDigest(x: KvEngine): string {
  const total = new Uint8Array(digestBytes);
  for (const db of x.dbs) {
    const dbTag = new Uint8Array(digestBytes);
    let any = false;
    for (const [name, e] of db.map) {
      if (e.expireAt !== 0 && e.expireAt <= x.now) continue;
      const k = keyDigest(name, e);
      for (let i = 0; i < digestBytes; i++) dbTag[i]! ^= k[i]!;
      any = true;
    }
    if (!any) continue;
    // The database number takes part, so the same keys in another database differ.
    mixIn(dbTag, fromLatin1(`db${db.index}`));
    for (let i = 0; i < digestBytes; i++) total[i]! ^= dbTag[i]!;
  }
  return digestHex(total);
}
