import assert from "node:assert/strict";
import { decodeRow, encodeRow } from "../../src/storage/row_codec.ts";
import {
  arrayOf,
  Interval,
  Jsonb,
  Numeric,
  type SqlType,
  type,
  type TypeId,
  type Value,
} from "../../src/common/types.ts";
import { CorruptError } from "../../src/common/errors.ts";
import { prng } from "../_support/prng.ts";

const scalarIds: TypeId[] = [
  "bool",
  "int2",
  "int4",
  "int8",
  "float4",
  "float8",
  "numeric",
  "text",
  "varchar",
  "bytea",
  "date",
  "time",
  "timestamptz",
  "interval",
  "uuid",
  "json",
  "jsonb",
  "oid",
  "vector",
];

function randomString(rnd: () => number): string {
  const n = Math.floor(rnd() * 12);
  let s = "";
  for (let i = 0; i < n; i++) {
    const k = rnd();
    if (k < 0.7) s += String.fromCharCode(32 + Math.floor(rnd() * 95));
    else if (k < 0.85) s += String.fromCharCode(0xa0 + Math.floor(rnd() * 0x700));
    else if (k < 0.95) s += "日本語"[Math.floor(rnd() * 3)];
    else s += "😀";
  }
  return s;
}

function randomBigint(rnd: () => number, words: number): bigint {
  let v = 0n;
  for (let i = 0; i < words; i++) v = (v << 32n) | BigInt(Math.floor(rnd() * 2 ** 32));
  return rnd() < 0.5 ? -v : v;
}

function randomJson(rnd: () => number, depth: number): unknown {
  const k = Math.floor(rnd() * (depth > 2 ? 5 : 7));
  switch (k) {
    case 0:
      return null;
    case 1:
      return rnd() < 0.5;
    case 2:
      return rnd() * 1000 - 500;
    case 3:
      return new Numeric(randomBigint(rnd, 3), Math.floor(rnd() * 10));
    case 4:
      return randomString(rnd);
    case 5:
      return [randomJson(rnd, depth + 1), randomJson(rnd, depth + 1)];
    default:
      return {
        a: randomJson(rnd, depth + 1),
        ["k" + randomString(rnd)]: randomJson(rnd, depth + 1),
      };
  }
}

function randomValue(rnd: () => number, t: SqlType): Value {
  if (rnd() < 0.15) return null;
  switch (t.id) {
    case "bool":
      return rnd() < 0.5;
    case "int2":
      return Math.floor(rnd() * 65536) - 32768;
    case "int4":
    case "date":
      return Math.floor(rnd() * 2 ** 32) - 2 ** 31;
    case "oid":
      return Math.floor(rnd() * 2 ** 32);
    case "int8":
    case "time":
    case "timestamptz":
      return randomBigint(rnd, 2) >> 1n;
    case "float4":
      return Math.fround(rnd() * 1e6 - 5e5);
    case "float8":
      return rnd() < 0.1 ? -Infinity : rnd() * 1e300;
    case "numeric": {
      if (rnd() < 0.05) return new Numeric(0n, 0, true);
      return new Numeric(randomBigint(rnd, 1 + Math.floor(rnd() * 6)), Math.floor(rnd() * 40) - 5);
    }
    case "text":
    case "varchar":
    case "json":
      return randomString(rnd);
    case "bytea":
      return Uint8Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256));
    case "interval":
      return new Interval(
        Math.floor(rnd() * 1000) - 500,
        Math.floor(rnd() * 100),
        randomBigint(rnd, 2) >> 1n,
      );
    case "uuid": {
      const h = Array.from({ length: 32 }, () => "0123456789abcdef"[Math.floor(rnd() * 16)]).join(
        "",
      );
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${
        h.slice(20)
      }`;
    }
    case "jsonb":
      return new Jsonb(randomJson(rnd, 0));
    case "vector":
      return Float32Array.from({ length: Math.floor(rnd() * 8) }, () => rnd());
    case "array": {
      const n = Math.floor(rnd() * 5);
      return Array.from({ length: n }, () => randomValue(rnd, t.elem!));
    }
    default:
      throw new Error(`No generator for ${t.id}`);
  }
}

function randomType(rnd: () => number): SqlType {
  if (rnd() < 0.15) return arrayOf(randomType(rnd));
  return type(scalarIds[Math.floor(rnd() * scalarIds.length)]!);
}

Deno.test("encodeRow() round-trips random rows of every type", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rnd = prng(seed);
    const types = Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => randomType(rnd));
    const values = types.map((t) => randomValue(rnd, t));
    const bytes = encodeRow(types, values);
    assert.deepStrictEqual(decodeRow(types, bytes), values, `seed ${seed}`);
  }
});

Deno.test("encodeRow() reserves a header and decodeRow() reads after it", () => {
  const types = [type("int4"), type("text")];
  const bytes = encodeRow(types, [7, "héllo"], 10);
  assert.deepStrictEqual(bytes.subarray(0, 10), new Uint8Array(10));
  assert.deepStrictEqual(decodeRow(types, bytes, 10), [7, "héllo"]);
});

Deno.test("decodeRow() decodes only wanted columns and pads added columns with NULL", () => {
  const types = [type("text"), type("int8"), arrayOf(type("int4")), type("float8")];
  const bytes = encodeRow(types.slice(0, 3), ["x", 5n, [1, null, 3]]);
  assert.deepStrictEqual(decodeRow(types, bytes, 0, [false, true, false, true]), [
    null,
    5n,
    null,
    null,
  ]);
  assert.deepStrictEqual(decodeRow(types, bytes), ["x", 5n, [1, null, 3], null]);
});

Deno.test("encodeRow() keeps multi-dimensional arrays and big numerics exact", () => {
  const types = [arrayOf(type("int4")), type("numeric")];
  const big = new Numeric(-(10n ** 60n) - 12345n, 30);
  const row: Value[] = [[[1, 2], [3, null]], big];
  assert.deepStrictEqual(decodeRow(types, encodeRow(types, row)), row);
});

Deno.test("decodeRow() rejects truncated input with CorruptError", () => {
  const types = [type("text"), type("int8")];
  const bytes = encodeRow(types, ["abcdef", 1n]);
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.throws(() => decodeRow(types, bytes.subarray(0, cut)), CorruptError);
  }
});

Deno.test("encodeRow() encodes long strings repeated row after row, ASCII or not, exactly", () => {
  const types = [type("int4"), type("bpchar", 40), type("text")];
  const filler = "".padEnd(40, " ");
  const other = "x".padEnd(40, "y");
  const wide = "é".padEnd(40, "ü");
  const emoji = "\u{1F600}".padEnd(40, "z");
  const values = [filler, filler, filler, other, filler, wide, wide, emoji, emoji, filler];
  for (let i = 0; i < values.length; i++) {
    const text = `${values[i]!}`; // a fresh string object per row, as a decoder makes
    const bytes = encodeRow(types, [i, text, text]);
    assert.deepEqual(decodeRow(types, bytes), [i, values[i], values[i]]);
  }
});
