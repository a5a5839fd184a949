/**
 * DUMP's side of the RDB value format: writes ThunderDB's values as a Redis
 * 7.0 DUMP payload (type byte, value, RDB version 10, CRC-64), so that a
 * real Redis RESTOREs them. Collections use the plain encodings (Redis
 * converts small ones to its compact encodings as it loads them); streams,
 * which have no plain encoding, use listpack nodes.
 * @module
 */
import { assertNever } from "../common/errors.ts";
import { crc64 } from "./crc64.ts";
import type { Deque } from "./deque.ts";
import type { KvValue, ValueType } from "./keyspace.ts";
import { rdbType, rdbVersion, RdbWriter } from "./rdb_io.ts";
import { writeRdbStream } from "./rdb_stream.ts";
import type { Stream } from "./stream.ts";
import type { ZSet } from "./zset.ts";

function writeValue(w: RdbWriter, type: ValueType, v: KvValue): void {
  switch (type) {
    case "string":
      w.u8(rdbType.string);
      return w.string(v as string);
    case "list": {
      const d = v as Deque;
      w.u8(rdbType.list);
      w.len(d.length);
      for (let i = 0; i < d.length; i++) w.string(d.at(i)!);
      return;
    }
    case "set": {
      const s = v as Set<string>;
      w.u8(rdbType.set);
      w.len(s.size);
      for (const m of s) w.string(m);
      return;
    }
    case "zset": {
      const z = v as ZSet;
      w.u8(rdbType.zset2);
      w.len(z.size);
      for (const e of z.entries()) {
        w.string(e.member);
        w.binaryDouble(e.score);
      }
      return;
    }
    case "hash": {
      const h = v as Map<string, string>;
      w.u8(rdbType.hash);
      w.len(h.size);
      for (const [f, val] of h) {
        w.string(f);
        w.string(val);
      }
      return;
    }
    case "stream":
      w.u8(rdbType.streamListpacks2);
      return writeRdbStream(w, v as Stream);
    default:
      assertNever(type, "value type");
  }
}

/**
 * Serializes a value as Redis 7.0's DUMP does.
 * @example encodeRdbPayload("string", "v") // Uint8Array [0, 1, 118, 10, 0, ...crc64]
 */
export function encodeRdbPayload(type: ValueType, value: KvValue): Uint8Array {
  const w = new RdbWriter();
  writeValue(w, type, value);
  w.u8(rdbVersion & 0xff);
  w.u8(rdbVersion >> 8);
  const crc = crc64(w.buf.subarray(0, w.pos));
  for (let i = 0; i < 8; i++) w.u8(Number((crc >> BigInt(8 * i)) & 0xffn));
  return w.take();
}
