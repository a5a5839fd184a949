/**
 * Miscellaneous functions: gen_random_uuid, pg_typeof, array functions,
 * encode/decode, num_nulls/num_nonnulls.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { arrayOf, type SqlType, type, type Value } from "../../common/types.ts";
import { regtypeName } from "../../common/value_text.ts";
import { formatBytea } from "../../common/text_scalars.ts";
import { defineFunction } from "./registry.ts";
import { comparatorFor } from "./compare.ts";
import { arrayElementsMax } from "../../common/limits.ts";

/** A random version-4 UUID in canonical form. */
export function randomUuid(random?: () => number): string {
  const b = new Uint8Array(16);
  if (random) { for (let i = 0; i < 16; i++) b[i] = Math.floor(random() * 256); }
  else crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

defineFunction("gen_random_uuid", {
  args: [],
  ret: "uuid",
  volatility: "volatile",
  impl: (_a, c) => randomUuid(c.session.random),
});
defineFunction("uuid_generate_v4", {
  args: [],
  ret: "uuid",
  volatility: "volatile",
  impl: (_a, c) => randomUuid(c.session.random),
});
defineFunction("pg_typeof", {
  args: ["any"],
  ret: "text",
  strict: false,
  impl: (_a, _c, types) => regtypeName(types[0] ?? type("unknown")),
});
defineFunction("num_nulls", {
  args: [],
  variadic: "any",
  ret: "int4",
  strict: false,
  impl: (a) => a.filter((v) => v === null).length,
});
defineFunction("num_nonnulls", {
  args: [],
  variadic: "any",
  ret: "int4",
  strict: false,
  impl: (a) => a.filter((v) => v !== null).length,
});

const arr = (v: Value): Value[] => v as Value[];
const elemOf = (types: readonly SqlType[]): SqlType => types[0]?.elem ?? type("text");

defineFunction("array_length", {
  args: ["anyarray", "int4"],
  ret: "int4",
  impl: (a) => {
    let cur: Value = a[0]!;
    for (let d = 1; d < (a[1] as number); d++) cur = Array.isArray(cur) ? (cur[0] ?? null) : null;
    return Array.isArray(cur) && cur.length > 0 && (a[1] as number) >= 1 ? cur.length : null;
  },
});
defineFunction("cardinality", {
  args: ["anyarray"],
  ret: "int4",
  impl: (a) => arr(a[0]!).flat(Infinity as 1).length,
});
defineFunction("array_upper", {
  args: ["anyarray", "int4"],
  ret: "int4",
  impl: (a) => (a[1] === 1 && arr(a[0]!).length > 0 ? arr(a[0]!).length : null),
});
defineFunction("array_lower", {
  args: ["anyarray", "int4"],
  ret: "int4",
  impl: (a) => (a[1] === 1 && arr(a[0]!).length > 0 ? 1 : null),
});
defineFunction("array_ndims", {
  args: ["anyarray"],
  ret: "int4",
  impl: (a) => {
    let d = 0;
    let cur: Value = a[0]!;
    while (Array.isArray(cur) && cur.length > 0) {
      d++;
      cur = cur[0] ?? null;
    }
    return d === 0 ? null : d;
  },
});
defineFunction("array_append", {
  args: ["anyarray", "anyelement"],
  ret: (t) => t[0] ?? arrayOf(type("text")),
  strict: false,
  impl: (a) => [...(a[0] === null ? [] : arr(a[0]!)), a[1] ?? null],
});
defineFunction("array_prepend", {
  args: ["anyelement", "anyarray"],
  ret: (t) => t[1] ?? arrayOf(type("text")),
  strict: false,
  impl: (a) => [a[0] ?? null, ...(a[1] === null ? [] : arr(a[1]!))],
});
defineFunction("array_cat", {
  args: ["anyarray", "anyarray"],
  ret: (t) => t[0] ?? arrayOf(type("text")),
  strict: false,
  impl: (
    a,
  ) => (a[0] === null && a[1] === null ? null : [...(arr(a[0] ?? [])), ...(arr(a[1] ?? []))]),
});
defineFunction("array_position", {
  args: ["anyarray", "anyelement"],
  ret: "int4",
  strict: false,
  impl: (a, _c, types) => {
    if (a[0] === null) return null;
    const cmp = comparatorFor(elemOf(types));
    const i = arr(a[0]!).findIndex((
      x,
    ) => (x === null || a[1] === null ? x === a[1] : cmp(x, a[1]!) === 0));
    return i < 0 ? null : i + 1;
  },
});
defineFunction("array_remove", {
  args: ["anyarray", "anyelement"],
  ret: (t) => t[0] ?? arrayOf(type("text")),
  strict: false,
  impl: (a, _c, types) => {
    if (a[0] === null) return null;
    const cmp = comparatorFor(elemOf(types));
    return arr(a[0]!).filter((x) =>
      !(x === null || a[1] === null ? x === a[1] : cmp(x, a[1]!) === 0)
    );
  },
});
defineFunction("array_replace", {
  args: ["anyarray", "anyelement", "anyelement"],
  ret: (t) => t[0] ?? arrayOf(type("text")),
  strict: false,
  impl: (a, _c, types) => {
    if (a[0] === null) return null;
    const cmp = comparatorFor(elemOf(types));
    return arr(a[0]!).map((
      x,
    ) => ((x === null || a[1] === null ? x === a[1] : cmp(x, a[1]!) === 0) ? a[2] ?? null : x));
  },
});

function base64Encode(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/(.{76})/g, "$1\n").replace(/\n$/, "");
}

defineFunction("encode", {
  args: ["bytea", "text"],
  ret: "text",
  impl: (a) => {
    const b = a[0] as Uint8Array;
    switch ((a[1] as string).toLowerCase()) {
      case "hex":
        return formatBytea(b).slice(2);
      case "base64":
        return base64Encode(b);
      case "escape":
        return Array.from(
          b,
          (x) =>
            x === 92
              ? "\\\\"
              : x < 32 || x > 126
              ? "\\" + x.toString(8).padStart(3, "0")
              : String.fromCharCode(x),
        ).join("");
    }
    throw new DbError("22023", `unrecognized encoding: "${a[1]}"`);
  },
});
defineFunction("decode", {
  args: ["text", "text"],
  ret: "bytea",
  impl: (a) => {
    const s = a[0] as string;
    switch ((a[1] as string).toLowerCase()) {
      case "hex": {
        if (!/^([0-9a-fA-F]{2})*$/.test(s)) throw new DbError("22023", "invalid hexadecimal data");
        return Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));
      }
      case "base64":
        try {
          return Uint8Array.from(atob(s.replace(/\s/g, "")), (c) => c.charCodeAt(0));
        } catch (e) {
          throw new DbError("22023", "invalid base64 end sequence", e);
        }
      case "escape":
        return new TextEncoder().encode(s);
    }
    throw new DbError("22023", `unrecognized encoding: "${a[1]}"`);
  },
});
defineFunction("convert_to", {
  args: ["text", "text"],
  ret: "bytea",
  impl: (a) => new TextEncoder().encode(a[0] as string),
});
defineFunction("convert_from", {
  args: ["bytea", "text"],
  ret: "text",
  impl: (a) => new TextDecoder().decode(a[0] as Uint8Array),
});

/** `array_fill(value, dims [, lbounds])`: an array of `dims` filled with `value`. */
function arrayFill(a: Value[]): Value {
  const [value, dims, lbounds] = [a[0] ?? null, a[1] ?? null, a[2]];
  if (dims === null || lbounds === null) {
    throw new DbError("22004", "dimension array or low bound array cannot be null");
  }
  const sizes = arr(dims);
  if (sizes.some(Array.isArray)) throw new DbError("2202E", "wrong number of array subscripts");
  if (sizes.some((n) => n === null)) throw new DbError("22004", "dimension values cannot be null");
  const lows = lbounds === undefined ? [] : arr(lbounds);
  if (lows.length !== (lbounds === undefined ? 0 : sizes.length)) {
    throw new DbError("2202E", "wrong number of array subscripts");
  }
  if (lows.some((l) => l !== 1)) {
    throw new DbError("0A000", "array_fill with lower bounds other than 1 is not supported");
  }
  const counts = sizes.map(Number);
  if (counts.some((n) => n <= 0)) return counts.some((n) => n < 0) ? tooLarge() : [];
  if (counts.reduce((x, y) => x * y, 1) > arrayElementsMax) return tooLarge();
  const build = (d: number): Value[] =>
    Array.from({ length: counts[d]! }, () => (d + 1 < counts.length ? build(d + 1) : value));
  return build(0);
}

function tooLarge(): never {
  throw new DbError("54000", `array size exceeds the maximum allowed (${arrayElementsMax})`);
}

defineFunction("array_fill", {
  args: ["anyelement", arrayOf(type("int4"))],
  ret: (t) => arrayOf(t[0] ?? type("text")),
  strict: false,
  impl: arrayFill,
}, {
  args: ["anyelement", arrayOf(type("int4")), arrayOf(type("int4"))],
  ret: (t) => arrayOf(t[0] ?? type("text")),
  strict: false,
  impl: arrayFill,
});
