/** Encoders, decoders and value formats of the PostgreSQL protocol layer. */
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { DbError } from "../../../src/common/errors.ts";
import { parseJsonb } from "../../../src/common/jsonb.ts";
import {
  arrayOf,
  Interval,
  Numeric,
  type SqlType,
  type,
  type TypeId,
  type Value,
} from "../../../src/common/types.ts";
import * as be from "../../../src/protocol/pg/backend_messages.ts";
import { decodeBinaryValue, encodeBinaryValue } from "../../../src/protocol/pg/binary_format.ts";
import {
  BinaryCopyDecoder,
  encodeBinaryCopyHeader,
  encodeBinaryCopyRow,
  encodeBinaryCopyTrailer,
} from "../../../src/protocol/pg/copy_binary.ts";
import { CopyDecoder, CopyEncoder } from "../../../src/protocol/pg/copy_format.ts";
import {
  decodeBind,
  decodeClose,
  decodeDescribe,
  decodeExecute,
  decodeParse,
  decodeQuery,
  decodeSaslInitialResponse,
  decodeStartupMessage,
} from "../../../src/protocol/pg/frontend_messages.ts";
import { MessageReader, ProtocolViolation } from "../../../src/protocol/pg/message_reader.ts";
import { MessageWriter } from "../../../src/protocol/pg/message_writer.ts";
import { typeFromOid, typeLength, typeOid } from "../../../src/protocol/pg/pg_types.ts";
import { columnEncoders, encodeDataRow } from "../../../src/protocol/pg/value_codec.ts";
import { errorFieldsOf, frame, i16, i32, splitMessages, startupMessage } from "./_wire.ts";

function body(msg: Uint8Array, typed = true): MessageReader {
  return new MessageReader(msg, typed ? 5 : 4, msg.length);
}

Deno.test("frontend decoders read every message type", () => {
  const s = decodeStartupMessage(body(startupMessage({ user: "u", database: "d" }), false));
  deepStrictEqual(s.kind === "startup" ? [...s.params] : [], [["user", "u"], ["database", "d"]]);
  deepStrictEqual(decodeStartupMessage(body(frame(null, i32(80877103)), false)), { kind: "ssl" });
  deepStrictEqual(decodeStartupMessage(body(frame(null, i32(80877104)), false)), {
    kind: "gssenc",
  });
  deepStrictEqual(decodeStartupMessage(body(frame(null, i32(80877102), i32(7), i32(-9)), false)), {
    kind: "cancel",
    processId: 7,
    secret: -9,
  });
  throws(() => decodeStartupMessage(body(frame(null, i32(0x20000)), false)), ProtocolViolation);
  strictEqual(decodeQuery(body(frame("Q", "select 1"))), "select 1");
  deepStrictEqual(decodeParse(body(frame("P", "s1", "select $1", i16(1), i32(23)))), {
    name: "s1",
    sql: "select $1",
    paramOids: [23],
  });
  const bind = decodeBind(
    body(frame("B", "p", "s", i16(1), i16(1), i16(2), i32(2), [0, 7], i32(-1), i16(1), i16(1))),
  );
  deepStrictEqual([bind.portal, bind.statement, bind.paramFormats, bind.resultFormats], ["p", "s", [
    1,
  ], [1]]);
  deepStrictEqual(bind.params.map((p) => p && [...p]), [[0, 7], null]);
  deepStrictEqual(decodeDescribe(body(frame("D", [0x53], "s"))), { target: "S", name: "s" });
  deepStrictEqual(decodeClose(body(frame("C", [0x50], ""))), { target: "P", name: "" });
  deepStrictEqual(decodeExecute(body(frame("E", "", i32(10)))), { portal: "", maxRows: 10 });
  const sasl = decodeSaslInitialResponse(body(frame("p", "SCRAM-SHA-256", i32(3), [1, 2, 3])));
  deepStrictEqual([sasl.mechanism, [...sasl.data!]], ["SCRAM-SHA-256", [1, 2, 3]]);
});

Deno.test("frontend decoders reject every truncation of a valid message", () => {
  const msgs: [Uint8Array, (r: MessageReader) => unknown][] = [
    [frame("P", "s1", "select $1", i16(1), i32(23)), decodeParse],
    [
      frame("B", "p", "s", i16(1), i16(1), i16(2), i32(2), [0, 7], i32(-1), i16(1), i16(1)),
      decodeBind,
    ],
    [frame("D", [0x53], "s"), decodeDescribe],
    [frame("E", "", i32(10)), decodeExecute],
    [frame("Q", "select 1"), decodeQuery],
  ];
  for (const [msg, decode] of msgs) {
    for (let cut = 5; cut < msg.length; cut++) {
      throws(
        () => decode(new MessageReader(msg, 5, cut)),
        (e) => e instanceof DbError && e.sqlstate === "08P01",
      );
    }
  }
  throws(() => decodeBind(body(frame("B", "", "", i16(1), i16(3), i16(0)))), ProtocolViolation);
  throws(() => decodeBind(body(frame("B", "", "", i16(0), i16(1), i32(-5)))), ProtocolViolation);
  throws(
    () => decodeBind(body(frame("B", "", "", i16(0), i16(1), i32(1000), [1]))),
    ProtocolViolation,
  );
  throws(() => decodeDescribe(body(frame("D", [0x58], "s"))), ProtocolViolation);
});

Deno.test("MessageReader.name returns repeated names as the same string and tells prefixes apart", () => {
  const bytes = new TextEncoder().encode("P0_1\0P0_10\0\0P0_1\0P0_10\0P0_1");
  const r = new MessageReader(bytes, 0, bytes.length);
  const first = r.name();
  strictEqual(first, "P0_1");
  strictEqual(r.name(), "P0_10");
  strictEqual(r.name(), "");
  strictEqual(r.name(), "P0_1");
  strictEqual(r.name(), "P0_10");
  // A kept name does not match a prefix of the input without its terminator.
  throws(() => r.name(), ProtocolViolation);
  const again = new MessageReader(bytes, 0, bytes.length);
  strictEqual(again.name(), first);
  // Invalid UTF-8 is reported, also on the second read (not kept).
  const bad = new Uint8Array([0xc3, 0x28, 0, 0xc3, 0x28, 0]);
  const rb = new MessageReader(bad, 0, bad.length);
  throws(() => rb.name(), DbError);
  rb.pos = 3;
  throws(() => rb.name(), DbError);
});

Deno.test("backend encoders produce PostgreSQL's layouts", () => {
  const w = new MessageWriter(8);
  be.encodeAuthenticationOk(w);
  be.encodeParameterStatus(w, "TimeZone", "UTC");
  be.encodeBackendKeyData(w, 42, -1);
  be.encodeReadyForQuery(w, "T");
  be.encodeRowDescription(w, [{ name: "id", type: type("int4"), tableOid: 5, columnNumber: 1 }], [
    1,
  ]);
  be.encodeParameterDescription(w, [23, 25]);
  be.encodeCommandComplete(w, "SELECT 1");
  be.encodeErrorResponse(w, {
    severity: "ERROR",
    code: "42601",
    message: "bad",
    detail: "d",
    hint: "h",
    position: 3,
  });
  be.encodeNotificationResponse(w, { processId: 9, channel: "c", payload: "p" });
  be.encodeCopyInResponse(w, false, 2);
  be.encodeCopyData(w, new Uint8Array([65]));
  be.encodeCopyDone(w);
  for (
    const f of [
      be.encodeEmptyQueryResponse,
      be.encodeParseComplete,
      be.encodeBindComplete,
      be.encodeCloseComplete,
      be.encodeNoData,
      be.encodePortalSuspended,
    ]
  ) f(w);
  const { messages, rest } = splitMessages(w.take());
  strictEqual(rest.length, 0);
  deepStrictEqual(messages.map((m) => m.type).join(""), "RSKZTtCEAGdcI123ns");
  deepStrictEqual([...messages[0]!.body], i32(0));
  deepStrictEqual([...messages[2]!.body], [...i32(42), ...i32(-1)]);
  deepStrictEqual([...messages[3]!.body], [0x54]);
  deepStrictEqual([...messages[4]!.body], [
    ...i16(1),
    105,
    100,
    0,
    ...i32(5),
    ...i16(1),
    ...i32(23),
    ...i16(4),
    ...i32(-1),
    ...i16(1),
  ]);
  deepStrictEqual(errorFieldsOf(messages[7]!.body), {
    S: "ERROR",
    V: "ERROR",
    C: "42601",
    M: "bad",
    D: "d",
    H: "h",
    P: "3",
  });
  deepStrictEqual([...messages[9]!.body], [0, ...i16(2), ...i16(0), ...i16(0)]);
  strictEqual(w.length, 0);
});

Deno.test("type OIDs cover every TypeId and map back", () => {
  const ids: TypeId[] = [
    "bool",
    "int2",
    "int4",
    "int8",
    "float4",
    "float8",
    "numeric",
    "text",
    "varchar",
    "bpchar",
    "name",
    "char",
    "bytea",
    "date",
    "time",
    "timestamp",
    "timestamptz",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "oid",
    "regclass",
    "regtype",
    "regproc",
    "vector",
    "record",
    "void",
    "unknown",
  ];
  const seen = new Set<number>();
  for (const id of ids) {
    const oid = typeOid(type(id));
    ok(oid > 0 && !seen.has(oid), id);
    seen.add(oid);
    strictEqual(typeFromOid(oid)?.id, id);
  }
  strictEqual(typeOid(arrayOf(type("int4"))), 1007);
  strictEqual(typeOid(arrayOf(type("jsonb"))), 3807);
  strictEqual(typeFromOid(1009)?.elem?.id, "text");
  strictEqual(typeLength(type("int8")), 8);
  strictEqual(typeLength(type("text")), -1);
});

const samples: [SqlType, Value][] = [
  [type("bool"), true],
  [type("int2"), -32768],
  [type("int4"), 2147483647],
  [type("int8"), -9223372036854775808n],
  [type("float4"), 0.5],
  [type("float8"), -1e300],
  [type("numeric"), new Numeric(123456789012345678901234567890n, 7)],
  [type("numeric"), new Numeric(-5n, 0)],
  [type("numeric"), new Numeric(0n, 2)],
  [type("numeric"), new Numeric(1n, 9)],
  [type("numeric"), new Numeric(10000n, 0)],
  [type("numeric"), new Numeric(0n, 0, true)],
  [type("bytea"), new Uint8Array([0, 255, 10])],
  [type("date"), -800_000],
  [type("date"), Infinity],
  [type("time"), 86_399_999_999n],
  [type("timestamp"), -62_135_596_800_000_001n],
  [type("timestamptz"), 1_704_067_200_123_456n],
  [type("interval"), new Interval(14, -3, 3_600_000_001n)],
  [type("uuid"), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"],
  [type("text"), "émoji 🐘"],
  [type("jsonb"), parseJsonb('{"k": [true, null, "v"]}')],
  [type("vector"), new Float32Array([1, -2.5, 3])],
  [arrayOf(type("int8")), [1n, null, -3n]],
  [arrayOf(type("text")), [["a", "b"], ["c", null]]],
  [arrayOf(type("numeric")), []],
  [type("oid"), 4294967295],
];

Deno.test("binary format round-trips every supported type", () => {
  for (const [t, v] of samples) {
    const w = new MessageWriter(4);
    encodeBinaryValue(w, v, t);
    const bytes = w.take();
    deepStrictEqual(decodeBinaryValue(bytes, t), v, `${t.id} ${String(v)}`);
  }
});

Deno.test("binary format matches PostgreSQL's bytes for numeric, date and timestamp", () => {
  const bytesOf = (v: Value, t: SqlType) => {
    const w = new MessageWriter();
    encodeBinaryValue(w, v, t);
    return [...w.take()];
  };
  // 12345.678 → ndigits 3, weight 1, sign 0, dscale 3, digits [1, 2345, 6780]
  deepStrictEqual(bytesOf(new Numeric(12345678n, 3), type("numeric")), [
    ...i16(3),
    ...i16(1),
    ...i16(0),
    ...i16(3),
    ...i16(1),
    ...i16(2345),
    ...i16(6780),
  ]);
  deepStrictEqual(bytesOf(10_957, type("date")), i32(0)); // 2000-01-01
  deepStrictEqual(bytesOf(946_684_800_000_001n, type("timestamp")), [0, 0, 0, 0, 0, 0, 0, 1]);
  throws(
    () => decodeBinaryValue(new Uint8Array(3), type("int4")),
    (e) => e instanceof DbError && e.sqlstate === "22P03",
  );
  throws(
    () =>
      decodeBinaryValue(
        new Uint8Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 9, 0, 0, 0, 1]),
        arrayOf(type("int4")),
      ),
    DbError,
  );
  throws(
    () => decodeBinaryValue(new Uint8Array([0, 1, 0, 0, 0, 0, 0, 0, 0x27, 0x10]), type("numeric")),
    DbError,
  );
});

Deno.test("DataRow encodes text and binary columns with NULLs", () => {
  const fields = [
    { name: "a", type: type("int4"), tableOid: 0, columnNumber: 0 },
    { name: "b", type: type("text"), tableOid: 0, columnNumber: 0 },
    { name: "c", type: type("int8"), tableOid: 0, columnNumber: 0 },
  ];
  const w = new MessageWriter();
  encodeDataRow(w, [7, null, 5n], columnEncoders(fields, [0, 0, 1], {}));
  const [m] = splitMessages(w.take()).messages;
  deepStrictEqual([...m!.body], [
    ...i16(3),
    ...i32(1),
    55,
    ...i32(-1),
    ...i32(8),
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    5,
  ]);
});

Deno.test("COPY text format: escapes, NULL, \\. end marker, split chunks", () => {
  const spec = { format: "text" as const, columns: 2, types: [type("int4"), type("text")] };
  const d = new CopyDecoder(spec);
  const input = new TextEncoder().encode(
    "1\ta\\tb\\\\c\n2\t\\N\n3\t\\x41\\101\\\t\n\\.\n4\tignored\n",
  );
  const rows: Value[][] = [];
  for (let i = 0; i < input.length; i += 3) rows.push(...d.push(input.subarray(i, i + 3)));
  rows.push(...d.finish());
  deepStrictEqual(rows, [[1, "a\tb\\c"], [2, null], [3, "AA\t"]]);
  const e = new CopyEncoder(spec);
  strictEqual(e.encode([1, "a\tb\\c\nd"]), "1\ta\\tb\\\\c\\nd\n");
  strictEqual(e.encode([null, "\\N"]), "\\N\t\\\\N\n");
  throws(
    () => new CopyDecoder(spec).push(new TextEncoder().encode("1\n")),
    (x) => x instanceof DbError && x.sqlstate === "22P04",
  );
  throws(
    () => new CopyDecoder(spec).push(new TextEncoder().encode("1\ta\tb\n")),
    (x) => x instanceof DbError && x.sqlstate === "22P04",
  );
});

Deno.test("COPY csv format: HEADER, DELIMITER, NULL, QUOTE, ESCAPE and multi-line fields", () => {
  const spec = {
    format: "csv" as const,
    columns: 3,
    types: [type("int4"), type("text"), type("text")],
    header: true,
    headerNames: ["id", "a", "b"],
    delimiter: ";",
    null: "NULL",
    quote: "'",
    escape: "\\",
  };
  const d = new CopyDecoder(spec);
  const text = "id;a;b\r\n1;'x;y';NULL\r\n2;'it\\'s\nmulti';'NULL'\n3;;''\n";
  const rows = [
    ...d.push(new TextEncoder().encode(text.slice(0, 20))),
    ...d.push(new TextEncoder().encode(text.slice(20))),
    ...d.finish(),
  ];
  deepStrictEqual(rows, [[1, "x;y", null], [2, "it's\nmulti", "NULL"], [3, "", ""]]);
  const e = new CopyEncoder(spec);
  strictEqual(e.header(), "id;a;b\n");
  strictEqual(e.encode([1, "x;y", null]), "1;'x;y';NULL\n");
  strictEqual(e.encode([2, "it's", "NULL"]), "2;'it\\'s';'NULL'\n");
  const plain = new CopyEncoder({ format: "csv", columns: 2, types: [type("text"), type("text")] });
  strictEqual(plain.encode(["", null]), '"",\n');
  const open = new CopyDecoder({ format: "csv", columns: 1, types: [type("text")] });
  open.push(new TextEncoder().encode('"never closed\n'));
  throws(() => open.finish(), (x) => x instanceof DbError && x.sqlstate === "22P04");
});

Deno.test("COPY binary format: header, tuples, NULLs and trailer round-trip in small chunks", () => {
  const types = [type("int4"), type("text"), type("numeric")];
  const rows: Value[][] = [[1, "a", new Numeric(15n, 1)], [null, "", null], [
    -7,
    "é",
    new Numeric(0n, 0),
  ]];
  const w = new MessageWriter();
  encodeBinaryCopyHeader(w);
  for (const r of rows) encodeBinaryCopyRow(w, r, types);
  encodeBinaryCopyTrailer(w);
  const bytes = w.take();
  const d = new BinaryCopyDecoder(types);
  const out: Value[][] = [];
  for (let i = 0; i < bytes.length; i += 5) out.push(...d.push(bytes.subarray(i, i + 5)));
  out.push(...d.finish());
  deepStrictEqual(out, rows);
  throws(
    () => new BinaryCopyDecoder(types).push(new Uint8Array(20)),
    (e) => e instanceof DbError && e.sqlstate === "22P04",
  );
  const cut = new BinaryCopyDecoder(types);
  cut.push(bytes.subarray(0, 30));
  throws(() => cut.finish(), (e) => e instanceof DbError && e.sqlstate === "22P04");
});
