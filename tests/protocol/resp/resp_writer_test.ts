import assert from "node:assert/strict";
import { RespWriter } from "../../../src/protocol/resp/resp_writer.ts";

function text(build: (w: RespWriter) => void, resp: 2 | 3): string {
  const w = new RespWriter();
  w.resp = resp;
  build(w);
  return new TextDecoder().decode(w.take());
}

Deno.test("RespWriter encodes RESP2 and RESP3 types", () => {
  const all = (w: RespWriter) => {
    w.ok();
    w.integer(-42);
    w.integer(9223372036854775807n);
    w.bulk(new Uint8Array([104, 105]));
    w.nil();
    w.nullArray();
    w.map(1);
    w.bulkText("k");
    w.double(1.5);
    w.set(0);
    w.push(1);
    w.bool(true);
    w.error("ERR bad\r\nthing");
  };
  assert.equal(
    text(all, 2),
    "+OK\r\n:-42\r\n:9223372036854775807\r\n$2\r\nhi\r\n$-1\r\n*-1\r\n*2\r\n$1\r\nk\r\n$3\r\n1.5\r\n*0\r\n*1\r\n:1\r\n-ERR bad  thing\r\n",
  );
  assert.equal(
    text(all, 3),
    "+OK\r\n:-42\r\n:9223372036854775807\r\n$2\r\nhi\r\n_\r\n_\r\n%1\r\n$1\r\nk\r\n,1.5\r\n~0\r\n>1\r\n#t\r\n-ERR bad  thing\r\n",
  );
  assert.equal(text((w) => w.double(-Infinity), 3), ",-inf\r\n");
  assert.equal(text((w) => w.verbatim("a"), 3), "=5\r\ntxt:a\r\n");
  assert.equal(text((w) => w.bulkText("é"), 2), "$2\r\né\r\n");
});

Deno.test("RespWriter grows for large replies and alternates buffers", () => {
  const w = new RespWriter();
  const big = new Uint8Array(200_000).fill(120);
  w.bulk(big);
  const first = w.take();
  assert.equal(first.length, 200_000 + 11);
  w.integer(1);
  assert.equal(new TextDecoder().decode(w.take()), ":1\r\n");
  assert.equal(first[9], 120);
});

Deno.test("RespWriter.takeBuffer hands out the whole buffer with the replies first", () => {
  const w = new RespWriter();
  w.integer(7);
  w.ok();
  const n = w.length;
  const whole = w.takeBuffer();
  assert.ok(whole.length >= n);
  assert.equal(new TextDecoder().decode(whole.subarray(0, n)), ":7\r\n+OK\r\n");
  assert.equal(w.length, 0);
  // The next batch goes to the other buffer; the first stays intact until the one after.
  w.integer(1);
  assert.notEqual(w.takeBuffer(), whole);
  assert.equal(new TextDecoder().decode(whole.subarray(0, n)), ":7\r\n+OK\r\n");
});
