/**
 * Array and text conversions with PostgreSQL's NULL-string forms:
 * `string_to_array(s, sep, null_string)`, `array_to_string(a, sep,
 * null_string)`, `array_dims` and `quote_literal` of any value.
 * @module
 */

import { arrayOf, type, type Value } from "../../common/types.ts";
import { defineFunction } from "./registry.ts";
import { valueText } from "./string_fns.ts";
import { quoteLiteral } from "./format_fns.ts";

const text = type("text");

function chars(s: string): string[] {
  return [...s];
}

defineFunction("string_to_array", {
  args: ["text", "text", "text"],
  ret: arrayOf(text),
  strict: false,
  impl: (a) => {
    const [str = null, sep = null, nullString = null] = a;
    if (str === null) return null;
    const s = str as string;
    if (s === "") return [];
    const parts = sep === null ? chars(s) : sep === "" ? [s] : s.split(sep as string);
    return parts.map((p) => (nullString !== null && p === nullString ? null : p));
  },
});

defineFunction("array_to_string", {
  args: ["anyarray", "text", "text"],
  ret: "text",
  volatility: "stable",
  strict: false,
  impl: (a, ctx, types) => {
    const [arr = null, sep = null, nullString = null] = a;
    if (arr === null || sep === null) return null;
    const elem = types[0]?.elem ?? text;
    const items = (arr as Value[]).flat(Infinity as 1) as Value[];
    const out: string[] = [];
    for (const v of items) {
      if (v !== null) out.push(valueText(v, elem, ctx.session.timeZone));
      else if (nullString !== null) out.push(nullString as string);
    }
    return out.join(sep as string);
  },
});

defineFunction("array_dims", {
  args: ["anyarray"],
  ret: "text",
  impl: (a) => {
    let dims = "";
    let cur: Value = a[0]!;
    while (Array.isArray(cur) && cur.length > 0) {
      dims += `[1:${cur.length}]`;
      cur = cur[0] ?? null;
    }
    return dims === "" ? null : dims;
  },
});

defineFunction("quote_literal", {
  args: ["anynonarray"],
  ret: "text",
  volatility: "stable",
  impl: (a, ctx, types) => quoteLiteral(valueText(a[0]!, types[0] ?? text, ctx.session.timeZone)),
});
