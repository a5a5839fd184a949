import assert from "node:assert/strict";
import {
  parseArgv,
  parseRequest,
  RespProtocolError,
  splitInline,
} from "../../../src/protocol/resp/resp_parser.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const limits = { protoMaxBulkLen: 512 * 1024 * 1024, authenticated: true };

function parseAll(text: string): string[][] {
  const buf = enc.encode(text);
  const out: string[][] = [];
  let pos = 0;
  for (;;) {
    const r = parseRequest(buf, pos, buf.length, limits);
    if (r === null) break;
    if (r.argv.length > 0) out.push(r.argv.map((a) => dec.decode(a)));
    pos = r.next;
  }
  return out;
}

function protocolError(text: string, l = limits): string {
  const buf = enc.encode(text);
  try {
    parseRequest(buf, 0, buf.length, l);
  } catch (e) {
    if (e instanceof RespProtocolError) return e.message;
    throw e;
  }
  return "no error";
}

Deno.test("parseRequest() reads pipelined multibulk requests and stops at a partial one", () => {
  assert.deepEqual(parseAll("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET"), [[
    "GET",
    "k",
  ], ["PING"]]);
  assert.deepEqual(parseAll("*0\r\n*-1\r\n*1\r\n$0\r\n\r\n"), [[""]]);
});

Deno.test("parseRequest() returns null until a bulk body is complete, at every split point", () => {
  const whole = enc.encode("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nva\r\nl\r\n");
  for (let cut = 0; cut < whole.length; cut++) {
    assert.equal(parseRequest(whole, 0, cut, limits), null, `cut at ${cut}`);
  }
  const r = parseRequest(whole, 0, whole.length, limits)!;
  assert.deepEqual(r.argv.map((a) => dec.decode(a)), ["SET", "k", "va\r\nl"]);
  assert.equal(r.next, whole.length);
});

Deno.test("inline commands split on spaces with quotes and escapes", () => {
  assert.deepEqual(parseAll('PING\r\nSET k "a b\\n" \'c\\\'d\'\nGET "\\x41"\r\n\r\n'), [
    ["PING"],
    ["SET", "k", "a b\n", "c'd"],
    ["GET", "A"],
  ]);
  assert.throws(() => splitInline(enc.encode('SET "abc')), RespProtocolError);
});

Deno.test("protocol errors carry Redis's texts", () => {
  assert.equal(protocolError("*x\r\n"), "Protocol error: invalid multibulk length");
  assert.equal(protocolError("*1\r\n+GET\r\n"), "Protocol error: expected '$', got '+'");
  assert.equal(protocolError("*1\r\n$-5\r\n"), "Protocol error: invalid bulk length");
  assert.equal(
    protocolError("*1\r\n$2000\r\n", { protoMaxBulkLen: 1024, authenticated: true }),
    "Protocol error: invalid bulk length",
  );
  assert.equal(
    protocolError("*11\r\n", { ...limits, authenticated: false }),
    "Protocol error: unauthenticated multibulk length",
  );
  assert.equal(
    protocolError("*1\r\n$16385\r\n", { ...limits, authenticated: false }),
    "Protocol error: unauthenticated bulk length",
  );
  assert.equal(protocolError('SET "a' + "\r\n"), "Protocol error: unbalanced quotes in request");
  assert.equal(protocolError("x".repeat(70 * 1024)), "Protocol error: too big inline request");
});

Deno.test("length lines longer than the short scan still parse, and stop at the end given", () => {
  // 17-digit zero-padded lengths: the CR lies past the first 16 bytes of the line.
  assert.deepEqual(parseAll("*00000000000000002\r\n$00000000000000003\r\nGET\r\n$1\r\nk\r\n"), [
    ["GET", "k"],
  ]);
  const buf = enc.encode("*1\r\n$3\r\nGET\r\n");
  for (let end = 0; end < buf.length; end++) {
    assert.equal(parseRequest(buf, 0, end, limits), null);
  }
  assert.equal(parseRequest(buf, 0, buf.length, limits)?.next, buf.length);
});

Deno.test("parseArgv() reports the end and a partial bulk's size in the cursor", () => {
  const buf = enc.encode("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nSET\r\n$10\r\nab");
  const cursor = { next: -1, need: 0 };
  const argv = parseArgv(buf, 0, buf.length, limits, cursor);
  assert.deepEqual(argv?.map((a) => dec.decode(a)), ["GET", "k"]);
  assert.equal(cursor.next, 20);
  assert.equal(cursor.need, 0);
  assert.equal(parseArgv(buf, cursor.next, buf.length, limits, cursor), null);
  // "*2\r\n$3\r\nSET\r\n$10\r\n" then 10 bytes and CRLF.
  assert.equal(cursor.need, 4 + 9 + 5 + 12);
  const inline = enc.encode("PING hello\r\n");
  assert.deepEqual(parseArgv(inline, 0, inline.length, limits, cursor)?.map((a) => dec.decode(a)), [
    "PING",
    "hello",
  ]);
  assert.equal(cursor.next, inline.length);
});
