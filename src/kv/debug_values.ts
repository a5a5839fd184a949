/**
 * The DEBUG subcommands that only answer: PROTOCOL (one sample reply of each
 * RESP3 type, as Redis's tests read them in RESP2 and RESP3) and OBJECT (the
 * line Redis prints about a key's value).
 * @module
 */
import type { KvClient } from "./client.ts";
import type { KvEngine } from "./engine.ts";
import type { Entry } from "./keyspace.ts";
import { Deque } from "./deque.ts";
import { encodingOf } from "./encoding.ts";
import { Writer, writeValue } from "./snapshot.ts";

const protocolTypes =
  "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";

/**
 * DEBUG PROTOCOL <type>: a sample reply of that RESP3 type (framed as RESP2
 * has it for a RESP2 client).
 */
export function debugProtocol(c: KvClient, type: string): void {
  const r = c.reply;
  switch (type) {
    case "string":
      return r.bulkLatin1("Hello World");
    case "integer":
      return r.integer(12345);
    case "double":
      return r.double(3.141);
    case "bignum":
      return r.bigNumber("1234567999999999999999999999999999999");
    case "null":
      return r.nil();
    case "array":
    case "set":
      if (type === "array") r.array(3);
      else r.set(3);
      for (let j = 0; j < 3; j++) r.integer(j);
      return;
    case "map":
      r.map(3);
      for (let j = 0; j < 3; j++) {
        r.integer(j);
        r.bool(j === 1);
      }
      return;
    case "attrib":
      if (r.resp === 3) {
        r.attribute(1);
        r.bulkLatin1("key-popularity");
        r.array(2);
        r.bulkLatin1("key:123");
        r.integer(90);
      }
      // An attribute is not a reply: a real one follows it.
      return r.bulkLatin1("Some real reply following the attribute");
    case "push":
      if (r.resp !== 3) return r.error("ERR RESP2 is not supported by this command");
      r.push(2);
      r.bulkLatin1("server-cpu-usage");
      r.integer(42);
      // A push is not the command's reply: a real one follows it.
      return r.bulkLatin1("Some real reply following the push reply");
    case "verbatim":
      return r.verbatim("This is a verbatim\nstring");
    case "true":
    case "false":
      return r.bool(type === "true");
    default:
      return r.error(
        `ERR Wrong protocol type name. Please use one of the following: ${protocolTypes}`,
      );
  }
}

/** Stable per-entry numbers standing in for Redis's value addresses. */
const addresses = new WeakMap<Entry, number>();
let nextAddress = 1;

/** The "address" of an entry: the same for the entry's whole life (INCR in place keeps it). */
function addressOf(e: Entry): string {
  let n = addresses.get(e);
  if (n === undefined) addresses.set(e, n = nextAddress++);
  return `0x7f${n.toString(16).padStart(10, "0")}`;
}

/** Bytes of the value in the snapshot format (Redis reports its RDB length). */
function serializedLength(e: Entry): number {
  let n = 0;
  const w = new Writer((chunk) => n += chunk.length);
  writeValue(w, e.value);
  w.drain();
  return n;
}

/** Entries per quicklist node Redis's default list-max-listpack-size (-2: 8 KiB nodes) gives. */
function quicklistFields(list: Deque, listpackSize: number): string {
  let bytes = 0;
  for (let i = 0; i < list.length; i++) bytes += list.at(i)!.length + 2;
  const nodeBytes = listpackSize < 0 ? 4096 * 2 ** Math.min(-listpackSize - 1, 4) : 0;
  const nodes = list.length === 0
    ? 0
    : nodeBytes === 0
    ? Math.ceil(list.length / Math.max(listpackSize, 1))
    : Math.max(1, Math.ceil(bytes / nodeBytes));
  const avg = nodes === 0 ? 0 : list.length / nodes;
  return ` ql_nodes:${nodes} ql_avg_node:${avg.toFixed(2)} ql_listpack_max:${listpackSize}` +
    ` ql_compressed:0 ql_uncompressed_size:${bytes}`;
}

/**
 * DEBUG OBJECT's line for an entry: the fields Redis prints, from what
 * ThunderDB tracks (a stable stand-in address, refcount 1 as values are not
 * shared, the OBJECT ENCODING name, the serialized size, the access clock).
 */
export function debugObjectLine(x: KvEngine, e: Entry): string {
  const lruSeconds = Math.floor(e.lru / 1000) % (1 << 24);
  const idle = x.lfu ? 0 : Math.max(0, Math.floor((x.now - e.lru) / 1000));
  const extra = e.value instanceof Deque
    ? quicklistFields(e.value, x.config.listMaxListpackSize)
    : "";
  return `Value at:${addressOf(e)} refcount:1 encoding:${encodingOf(e)} ` +
    `serializedlength:${serializedLength(e)} lru:${x.lfu ? 0 : lruSeconds} ` +
    `lru_seconds_idle:${idle}${extra}`;
}
