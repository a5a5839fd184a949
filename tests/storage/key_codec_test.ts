import assert from "node:assert/strict";
import {
  compareBytes,
  decodeKey,
  encodeKey,
  encodeKeyScratch,
  type KeyColumn,
  keyPrefixEnd,
} from "../../src/storage/key_codec.ts";
import { Numeric, type TypeId, type Value } from "../../src/common/types.ts";
import { Random } from "./btree/_random.ts";

const utf8 = new TextEncoder();

/** SQL ordering of two non-null values of one type (the model). */
function compareValues(a: Value, b: Value, type: TypeId): number {
  switch (type) {
    case "float4":
    case "float8": {
      const x = a as number;
      const y = b as number;
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
      if (Number.isNaN(y)) return -1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case "numeric": {
      const x = a as Numeric;
      const y = b as Numeric;
      if (x.nan || y.nan) return (x.nan ? 1 : 0) - (y.nan ? 1 : 0);
      const l = x.digits * 10n ** BigInt(y.scale);
      const r = y.digits * 10n ** BigInt(x.scale);
      return l < r ? -1 : l > r ? 1 : 0;
    }
    case "text":
      return Math.sign(compareBytes(utf8.encode(a as string), utf8.encode(b as string)));
    case "bytea":
      return Math.sign(compareBytes(a as Uint8Array, b as Uint8Array));
    case "bool":
      return Number(a) - Number(b);
    default:
      return a! < b! ? -1 : a! > b! ? 1 : 0;
  }
}

function compareTuples(a: Value[], b: Value[], columns: KeyColumn[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const column = columns[i]!;
    const type = column.type as TypeId;
    const x = a[i]!;
    const y = b[i]!;
    const nullsFirst = column.nullsFirst ?? column.descending === true;
    let c: number;
    if (x === null || y === null) {
      c = x === y ? 0 : (x === null) === nullsFirst ? -1 : 1;
    } else {
      c = compareValues(x, y, type) * (column.descending ? -1 : 1);
    }
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

const floatEdges = [NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 1, -1, 1.5, 1e308, -1e308];
const int8Edges = [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 1n, 2n ** 32n, -(2n ** 32n)];
const textPool = ["", "a", "ab", "a\0", "a\0b", "b", "é", "日本", "😀", "A", "zz", "a\u00ff"];

function randomValue(rng: Random, type: TypeId): Value {
  if (rng.int(10) === 0) return null;
  switch (type) {
    case "int2":
      return rng.int(65536) - 32768;
    case "int4":
      return rng.int(3) === 0 ? [-(2 ** 31), 2 ** 31 - 1, 0][rng.int(3)]! : rng.int(2000) - 1000;
    case "int8":
      return rng.int(3) === 0
        ? int8Edges[rng.int(int8Edges.length)]!
        : BigInt(rng.int(2 ** 30) - 2 ** 29) * BigInt(rng.int(3) + 1) ** 20n;
    case "float4":
      return Math.fround(
        rng.int(2) === 0 ? floatEdges[rng.int(floatEdges.length)]! : (rng.next() - 0.5) * 1e6,
      );
    case "float8":
      return rng.int(2) === 0
        ? floatEdges[rng.int(floatEdges.length)]!
        : (rng.next() - 0.5) * 10 ** rng.int(40);
    case "numeric":
      if (rng.int(20) === 0) return new Numeric(0n, 0, true);
      return new Numeric(BigInt(rng.int(20001) - 10000) * 10n ** BigInt(rng.int(4)), rng.int(6));
    case "text":
      return textPool[rng.int(textPool.length)]! +
        (rng.int(2) ? textPool[rng.int(textPool.length)]! : "");
    case "bytea":
      return rng.bytes(rng.int(5), 3);
    case "bool":
      return rng.int(2) === 0;
    case "uuid":
      return [...rng.bytes(16, 3)].map((b) => b.toString(16).padStart(2, "0")).join("")
        .replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    case "date":
      return rng.int(200_000) - 100_000;
    case "timestamp":
      return BigInt(rng.int(2 ** 30)) * 1_000_003n - 2n ** 50n;
    default:
      throw new Error(type);
  }
}

const types: TypeId[] = [
  "int2",
  "int4",
  "int8",
  "float4",
  "float8",
  "numeric",
  "text",
  "bytea",
  "bool",
  "uuid",
  "date",
  "timestamp",
];

function randomColumns(rng: Random): KeyColumn[] {
  const n = 1 + rng.int(3);
  return Array.from({ length: n }, () => ({
    type: types[rng.int(types.length)]!,
    descending: rng.int(2) === 0,
    ...(rng.int(2) === 0 ? { nullsFirst: rng.int(2) === 0 } : {}),
  }));
}

/** The value a decode must return (keys normalise -0 and numeric scale). */
function normalised(v: Value, type: TypeId): unknown {
  if (v === null) return null;
  if (type === "float4" || type === "float8") return Object.is(v, -0) ? 0 : v;
  if (type === "numeric") {
    const n = v as Numeric;
    if (n.nan) return "NaN";
    return compareValues(n, new Numeric(0n, 0), "numeric") === 0 ? "0" : `${n.digits}e-${n.scale}`;
  }
  return v;
}

Deno.test("KeyCodec encoded order equals SQL order for random typed composite keys", () => {
  const rng = new Random(3);
  for (let round = 0; round < 400; round++) {
    const columns = randomColumns(rng);
    const tuples = Array.from(
      { length: 40 },
      () => columns.map((c) => randomValue(rng, c.type as TypeId)),
    );
    const keys = tuples.map((t) => encodeKey(t, columns));
    for (let i = 0; i < tuples.length; i++) {
      for (let j = 0; j < tuples.length; j++) {
        const expected = compareTuples(tuples[i]!, tuples[j]!, columns);
        const got = Math.sign(compareBytes(keys[i]!, keys[j]!));
        assert.equal(got, expected, `${JSON.stringify(columns)} ${i} vs ${j} round ${round}`);
      }
    }
  }
});

Deno.test("KeyCodec decodeKey inverts encodeKey", () => {
  const rng = new Random(4);
  for (let round = 0; round < 3000; round++) {
    const columns = randomColumns(rng);
    const tuple = columns.map((c) => randomValue(rng, c.type as TypeId));
    const decoded = decodeKey(encodeKey(tuple, columns), columns);
    assert.equal(decoded.length, tuple.length);
    for (let i = 0; i < tuple.length; i++) {
      const type = columns[i]!.type as TypeId;
      const a = normalised(tuple[i]!, type);
      const b = normalised(decoded[i]!, type);
      if (type === "numeric" && a !== null && a !== "NaN" && a !== "0") {
        assert.equal(compareValues(tuple[i]!, decoded[i]!, "numeric"), 0);
      } else {
        assert.deepEqual(b, a, `${type} round ${round}`);
      }
    }
  }
});

Deno.test("KeyCodec puts NULLs first or last as each column asks", () => {
  const asc: KeyColumn[] = [{ type: "int4" }];
  const ascFirst: KeyColumn[] = [{ type: "int4", nullsFirst: true }];
  const desc: KeyColumn[] = [{ type: "int4", descending: true }];
  const descLast: KeyColumn[] = [{ type: "int4", descending: true, nullsFirst: false }];
  const order = (cols: KeyColumn[]) =>
    [5, null, -3].map((v) => ({ v, k: encodeKey([v], cols) }))
      .sort((a, b) => compareBytes(a.k, b.k)).map((e) => e.v);
  assert.deepEqual(order(asc), [-3, 5, null]);
  assert.deepEqual(order(ascFirst), [null, -3, 5]);
  assert.deepEqual(order(desc), [null, 5, -3]);
  assert.deepEqual(order(descLast), [5, -3, null]);
});

Deno.test("KeyCodec orders composite text keys so a prefix sorts first", () => {
  const cols: KeyColumn[] = [{ type: "text" }, { type: "int4" }];
  const ab = encodeKey(["ab", 1], cols);
  const a = encodeKey(["a", 99], cols);
  const aNul = encodeKey(["a\0", 0], cols);
  assert.ok(compareBytes(a, aNul) < 0);
  assert.ok(compareBytes(aNul, ab) < 0);
  assert.ok(compareBytes(encodeKey(["a"], cols), a) < 0, "a one-column prefix sorts before");
});

Deno.test("KeyCodec treats -0 as 0, NaN as the largest float and 1.50 as 1.5", () => {
  const f: KeyColumn[] = [{ type: "float8" }];
  assert.equal(compareBytes(encodeKey([-0], f), encodeKey([0], f)), 0);
  assert.ok(compareBytes(encodeKey([Infinity], f), encodeKey([NaN], f)) < 0);
  const n: KeyColumn[] = [{ type: "numeric" }];
  assert.equal(
    compareBytes(encodeKey([new Numeric(150n, 2)], n), encodeKey([new Numeric(15n, 1)], n)),
    0,
  );
  assert.ok(
    compareBytes(encodeKey([new Numeric(-1n, 0)], n), encodeKey([new Numeric(-1n, 1)], n)) < 0,
  );
});

Deno.test("KeyCodec rejects values of the wrong type and unsupported key types", () => {
  assert.throws(() => encodeKey(["x"], [{ type: "int4" }]), /does not match column type int4/);
  assert.throws(() => encodeKey([40_000], [{ type: "int2" }]), /does not match column type int2/);
  assert.throws(() => encodeKey([2 ** 31], [{ type: "int4" }]), /does not match column type int4/);
  assert.throws(() => encodeKey([[1]], [{ type: "vector" }]), /cannot be used in an index key/);
});

Deno.test("KeyCodec keyPrefixEnd bounds every key that extends a prefix", () => {
  const cols: KeyColumn[] = [{ type: "int4" }, { type: "text" }];
  const prefix = encodeKey([7], cols);
  const end = keyPrefixEnd(prefix)!;
  for (const s of ["", "a", "\u{10ffff}", "zzz"]) {
    assert.ok(compareBytes(encodeKey([7, s], cols), end) < 0);
    assert.ok(compareBytes(encodeKey([7, null], cols), end) < 0);
  }
  assert.ok(compareBytes(encodeKey([8, ""], cols), end) >= 0);
  assert.deepEqual(keyPrefixEnd(Uint8Array.of(1, 0xff)), Uint8Array.of(2));
  assert.equal(keyPrefixEnd(Uint8Array.of(0xff, 0xff)), undefined);
});

Deno.test("KeyCodec encodeKeyScratch gives encodeKey's bytes without a copy per call", () => {
  const cols: KeyColumn[] = [{ type: "int4" }, { type: "text", descending: true }];
  const a = encodeKeyScratch([5, "abc"], cols);
  assert.deepEqual(a.slice(), encodeKey([5, "abc"], cols));
  const b = encodeKeyScratch([6, "abd"], cols);
  assert.equal(b, a, "same length, same shared view");
  assert.deepEqual(b.slice(), encodeKey([6, "abd"], cols));
  const long = "x".repeat(1000); // grows the shared buffer
  assert.deepEqual(encodeKeyScratch([1, long], cols).slice(), encodeKey([1, long], cols));
  assert.deepEqual(encodeKeyScratch([5, "abc"], cols).slice(), encodeKey([5, "abc"], cols));
  assert.throws(() => encodeKeyScratch(["no"], cols), /does not match/);
});
