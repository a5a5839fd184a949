/**
 * String functions with PostgreSQL's names, argument types and results.
 * Lengths count characters (code points), as PostgreSQL does in UTF-8.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { arrayOf, type SqlType, type, type Value } from "../../common/types.ts";
import { formatValue } from "../../common/value_text.ts";
import { formatJsonData } from "../../common/jsonb.ts";
import { defineFunction, type FnImpl } from "./registry.ts";
import { createHash } from "node:crypto";
import { md5Hex } from "./md5.ts";
import { compileRegex, similarSubstring } from "./patterns.ts";
import { Jsonb } from "../../common/types.ts";

const text = type("text");
const s = (v: Value): string => v as string;
const n = (v: Value): number => v as number;

function chars(x: string): string[] {
  return Array.from(x);
}

const surrogate = /[\uD800-\uDFFF]/;

/** Length in code points, without splitting when there are no surrogate pairs. */
function charLength(x: string): number {
  return surrogate.test(x) ? Array.from(x).length : x.length;
}

function textFn(args: readonly (string | SqlType)[], ret: string | SqlType, impl: FnImpl) {
  return {
    args: args.map((a) => (typeof a === "string" ? type(a as "text") : a)),
    ret: typeof ret === "string" ? type(ret as "text") : ret,
    impl,
  };
}

/** Renders any value as text the way `concat`/`format` do (booleans as t/f, NULL skipped by callers). */
export function valueText(v: Value, t: SqlType, timeZone: string): string {
  if (typeof v === "string") return v;
  if (t.id === "jsonb" && v instanceof Jsonb) return formatJsonData(v.value);
  return formatValue(v, t, { timeZone });
}

defineFunction("length", textFn(["text"], "int4", (a) => charLength(s(a[0]!))));
defineFunction("length", textFn(["bytea"], "int4", (a) => (a[0] as Uint8Array).length));
defineFunction("char_length", textFn(["text"], "int4", (a) => charLength(s(a[0]!))));
defineFunction("character_length", textFn(["text"], "int4", (a) => charLength(s(a[0]!))));
defineFunction(
  "octet_length",
  textFn(["text"], "int4", (a) => new TextEncoder().encode(s(a[0]!)).length),
);
defineFunction("octet_length", textFn(["bytea"], "int4", (a) => (a[0] as Uint8Array).length));
// char(n) keeps its padding here (PostgreSQL's bpcharoctetlen), unlike length().
defineFunction(
  "octet_length",
  textFn(["bpchar"], "int4", (a) => new TextEncoder().encode(s(a[0]!)).length),
);
defineFunction(
  "bit_length",
  textFn(["text"], "int4", (a) => 8 * new TextEncoder().encode(s(a[0]!)).length),
);
/** Maps case character by character (no expansions like ß → SS), as libc's towupper does. */
function mapCase(x: string, upper: boolean): string {
  const whole = upper ? x.toUpperCase() : x.toLowerCase();
  if (whole.length === x.length) return whole;
  let out = "";
  for (const ch of x) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    out += m.length === ch.length ? m : ch;
  }
  return out;
}

/** PostgreSQL's initcap: first letter of each alphanumeric run upper, the rest lower. */
function initcap(x: string): string {
  let out = "";
  let inWord = false;
  for (const ch of x) {
    const alnum = /[\p{L}\p{N}]/u.test(ch);
    out += alnum ? mapCase(ch, !inWord) : ch;
    inWord = alnum;
  }
  return out;
}

defineFunction("lower", textFn(["text"], "text", (a) => mapCase(s(a[0]!), false)));
defineFunction("upper", textFn(["text"], "text", (a) => mapCase(s(a[0]!), true)));
defineFunction("initcap", textFn(["text"], "text", (a) => initcap(s(a[0]!))));

function substr(str: string, from: number, count?: number): string {
  const cs = chars(str);
  if (count !== undefined && count < 0) {
    throw new DbError("22011", "negative substring length not allowed");
  }
  const start = from - 1;
  const end = count === undefined ? cs.length : start + count;
  return cs.slice(Math.max(0, start), Math.max(0, end)).join("");
}

for (const name of ["substr", "substring"]) {
  defineFunction(name, textFn(["text", "int4"], "text", (a) => substr(s(a[0]!), n(a[1]!))));
  defineFunction(
    name,
    textFn(["text", "int4", "int4"], "text", (a) => substr(s(a[0]!), n(a[1]!), n(a[2]!))),
  );
  defineFunction(name, textFn(["bytea", "int4"], "bytea", (a) => bytesSub(a, undefined)));
  defineFunction(name, textFn(["bytea", "int4", "int4"], "bytea", (a) => bytesSub(a, n(a[2]!))));
}

/** substr/substring on bytea: 1-based byte positions, like the text form. */
function bytesSub(a: readonly Value[], count: number | undefined): Uint8Array {
  if (count !== undefined && count < 0) {
    throw new DbError("22011", "negative substring length not allowed");
  }
  const bytes = a[0] as Uint8Array;
  const start = n(a[1]!) - 1;
  const end = count === undefined ? bytes.length : start + count;
  return bytes.slice(Math.max(0, start), Math.max(0, end));
}
defineFunction(
  "substring",
  textFn(["text", "text"], "text", (a) => {
    const m = compileRegex(s(a[1]!), "").exec(s(a[0]!));
    if (!m) return null;
    return m.length > 1 ? m[1] ?? null : m[0];
  }),
);
defineFunction(
  "substring",
  textFn(["text", "text", "text"], "text", (a) => similarSubstring(s(a[0]!), s(a[1]!), s(a[2]!))),
);
defineFunction(
  "overlay",
  textFn(["text", "text", "int4"], "text", (a) => {
    const cs = chars(s(a[0]!));
    const p = s(a[1]!);
    const from = n(a[2]!);
    return cs.slice(0, from - 1).join("") + p + cs.slice(from - 1 + chars(p).length).join("");
  }),
);
defineFunction(
  "overlay",
  textFn(["text", "text", "int4", "int4"], "text", (a) => {
    const cs = chars(s(a[0]!));
    const from = n(a[2]!);
    return cs.slice(0, from - 1).join("") + s(a[1]!) + cs.slice(from - 1 + n(a[3]!)).join("");
  }),
);

function position(sub: string, str: string): number {
  const i = str.indexOf(sub);
  return i < 0 ? 0 : chars(str.slice(0, i)).length + 1;
}
defineFunction("strpos", textFn(["text", "text"], "int4", (a) => position(s(a[1]!), s(a[0]!))));
defineFunction("position", textFn(["text", "text"], "int4", (a) => position(s(a[0]!), s(a[1]!))));
defineFunction(
  "replace",
  textFn(
    ["text", "text", "text"],
    "text",
    (a) => s(a[1]!) === "" ? s(a[0]!) : s(a[0]!).split(s(a[1]!)).join(s(a[2]!)),
  ),
);

function trimChars(str: string, set: string, left: boolean, right: boolean): string {
  const cs = chars(str);
  const drop = new Set(chars(set));
  let i = 0;
  let j = cs.length;
  if (left) { while (i < j && drop.has(cs[i]!)) i++; }
  if (right) { while (j > i && drop.has(cs[j - 1]!)) j--; }
  return cs.slice(i, j).join("");
}
for (
  const [name, l, r] of [["btrim", true, true], ["trim", true, true], ["ltrim", true, false], [
    "rtrim",
    false,
    true,
  ]] as const
) {
  defineFunction(name, textFn(["text"], "text", (a) => trimChars(s(a[0]!), " ", l, r)));
  defineFunction(
    name,
    textFn(["text", "text"], "text", (a) => trimChars(s(a[0]!), s(a[1]!), l, r)),
  );
}

function pad(str: string, len: number, fill: string, left: boolean): string {
  const cs = chars(str);
  if (len <= cs.length) return cs.slice(0, Math.max(0, len)).join("");
  const fc = chars(fill);
  if (fc.length === 0) return str;
  const need = len - cs.length;
  let p = "";
  for (let i = 0; i < need; i++) p += fc[i % fc.length];
  return left ? p + str : str + p;
}
defineFunction("lpad", textFn(["text", "int4"], "text", (a) => pad(s(a[0]!), n(a[1]!), " ", true)));
defineFunction(
  "lpad",
  textFn(["text", "int4", "text"], "text", (a) => pad(s(a[0]!), n(a[1]!), s(a[2]!), true)),
);
defineFunction(
  "rpad",
  textFn(["text", "int4"], "text", (a) => pad(s(a[0]!), n(a[1]!), " ", false)),
);
defineFunction(
  "rpad",
  textFn(["text", "int4", "text"], "text", (a) => pad(s(a[0]!), n(a[1]!), s(a[2]!), false)),
);
defineFunction(
  "left",
  textFn(["text", "int4"], "text", (a) => {
    const cs = chars(s(a[0]!));
    const k = n(a[1]!);
    return (k >= 0 ? cs.slice(0, k) : cs.slice(0, Math.max(0, cs.length + k))).join("");
  }),
);
defineFunction(
  "right",
  textFn(["text", "int4"], "text", (a) => {
    const cs = chars(s(a[0]!));
    const k = n(a[1]!);
    return (k >= 0 ? cs.slice(Math.max(0, cs.length - k)) : cs.slice(-k)).join("");
  }),
);
defineFunction(
  "repeat",
  textFn(["text", "int4"], "text", (a) => {
    const k = n(a[1]!);
    if (k * s(a[0]!).length > 256 * 1024 * 1024) {
      throw new DbError("54000", "requested length too large");
    }
    return k <= 0 ? "" : s(a[0]!).repeat(k);
  }),
);
defineFunction("reverse", textFn(["text"], "text", (a) => chars(s(a[0]!)).reverse().join("")));
defineFunction(
  "split_part",
  textFn(["text", "text", "int4"], "text", (a) => {
    const str = s(a[0]!);
    const d = s(a[1]!);
    const k = n(a[2]!);
    if (k === 0) throw new DbError("22023", "field position must not be zero");
    const parts = d === "" ? [str] : str.split(d);
    const i = k > 0 ? k - 1 : parts.length + k;
    return parts[i] ?? "";
  }),
);
defineFunction(
  "starts_with",
  textFn(["text", "text"], "bool", (a) => s(a[0]!).startsWith(s(a[1]!))),
);
defineFunction("ascii", textFn(["text"], "int4", (a) => s(a[0]!).codePointAt(0) ?? 0));
defineFunction(
  "chr",
  textFn(["int4"], "text", (a) => {
    const c = n(a[0]!);
    if (c === 0) throw new DbError("54000", "null character not permitted");
    if (c < 0 || c > 0x10ffff) {
      throw new DbError("54000", "requested character too large for encoding: " + c);
    }
    return String.fromCodePoint(c);
  }),
);
defineFunction("md5", textFn(["text"], "text", (a) => md5Hex(new TextEncoder().encode(s(a[0]!)))));
defineFunction("md5", textFn(["bytea"], "text", (a) => md5Hex(a[0] as Uint8Array)));
for (const bits of [224, 256, 384, 512]) {
  defineFunction(
    "sha" + bits,
    textFn(["bytea"], "bytea", (a) => {
      const digest = createHash("sha" + bits).update(a[0] as Uint8Array).digest();
      return new Uint8Array(digest);
    }),
  );
}
defineFunction(
  "to_hex",
  textFn(["int8"], "text", (a) => BigInt.asUintN(64, a[0] as bigint).toString(16)),
);
defineFunction("to_hex", textFn(["int4"], "text", (a) => (n(a[0]!) >>> 0).toString(16)));
defineFunction("string_to_array", {
  args: ["text", "text"],
  ret: arrayOf(text),
  strict: false,
  impl: (a) => {
    if (a[0] === null) return null;
    const str = s(a[0]!);
    if (str === "") return [];
    if (a[1] === null) return chars(str);
    return s(a[1]!) === "" ? [str] : str.split(s(a[1]!));
  },
});
defineFunction("array_to_string", {
  args: ["anyarray", "text"],
  ret: "text",
  volatility: "stable",
  impl: (a, ctx, types) => {
    const elem = types[0]?.elem ?? text;
    return (a[0] as Value[]).flat(Infinity as 1).filter((v) => v !== null)
      .map((v) => valueText(v as Value, elem, ctx.session.timeZone)).join(s(a[1]!));
  },
});
defineFunction(
  "translate",
  textFn(["text", "text", "text"], "text", (a) => {
    const from = chars(s(a[1]!));
    const to = chars(s(a[2]!));
    let out = "";
    for (const c of chars(s(a[0]!))) {
      const i = from.indexOf(c);
      if (i < 0) out += c;
      else if (i < to.length) out += to[i];
    }
    return out;
  }),
);
