import assert from "node:assert/strict";
import { decodeRecord, RecordEncoder } from "../../src/kv/record.ts";

const enc = new TextEncoder();

Deno.test("RecordEncoder round-trips short and long arguments through decodeRecord", () => {
  const e = new RecordEncoder();
  const long = new Uint8Array(10_000).map((_, i) => i & 255);
  // Views into a larger buffer, as the connection's argv are.
  const buf = enc.encode("..SET key:000000012345 xxx..");
  e.add(0, [buf.subarray(2, 5), buf.subarray(6, 22), buf.subarray(23, 26)]);
  e.add(3, [enc.encode("RPUSH"), enc.encode("k"), long, new Uint8Array(0)]);
  assert.equal(e.count, 2);
  const got = decodeRecord(e.take()).map((c) => ({ db: c.db, argv: c.argv.map((a) => [...a]) }));
  assert.deepEqual(got, [
    { db: 0, argv: [[...enc.encode("SET")], [...enc.encode("key:000000012345")], [120, 120, 120]] },
    { db: 3, argv: [[...enc.encode("RPUSH")], [107], [...long], []] },
  ]);
  assert.equal(e.count, 0);
});
