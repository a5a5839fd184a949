/**
 * Formatting functions: concat, concat_ws, format (%s %I %L with widths and
 * positions) and quote_ident / quote_literal / quote_nullable.
 * @module
 */

import { DbError } from "../../common/errors.ts";
import { type } from "../../common/types.ts";
import { defineFunction } from "./registry.ts";
import { valueText } from "./string_fns.ts";

const text = type("text");

defineFunction("quote_ident", {
  args: [text],
  ret: text,
  impl: (a) => quoteIdent(a[0] as string),
});
defineFunction("quote_literal", {
  args: [text],
  ret: text,
  impl: (a) => quoteLiteral(a[0] as string),
});
defineFunction("quote_nullable", {
  args: ["text"],
  ret: "text",
  strict: false,
  impl: (a) => (a[0] === null ? "NULL" : quoteLiteral(a[0] as string)),
});

/** Quotes an identifier when needed, as quote_ident does. */
export function quoteIdent(id: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(id) && !quotedKeywords.has(id)
    ? id
    : `"${id.replace(/"/g, '""')}"`;
}

/** Keywords that are not unreserved: quote_ident must quote them. */
const quotedKeywords = new Set(
  ("all analyse analyze and any array as asc asymmetric both case cast check collate column " +
    "constraint create current_catalog current_date current_role current_time current_timestamp " +
    "current_user default deferrable desc distinct do else end except false fetch for foreign " +
    "from grant group having in initially intersect into lateral leading limit localtime " +
    "localtimestamp not null offset on only or order placing primary references returning " +
    "select session_user some symmetric table then to trailing true union unique user using " +
    "variadic when where window with authorization binary collation concurrently cross " +
    "current_schema freeze full ilike inner is isnull join left like natural notnull outer " +
    "overlaps right similar tablesample verbose between bigint bit boolean char character " +
    "coalesce dec decimal exists extract float greatest grouping inout int integer interval " +
    "least national nchar none normalize nullif numeric out overlay position precision real " +
    "row setof smallint substring time timestamp treat trim values varchar").split(" "),
);

/** Quotes a literal as quote_literal does (E'' when backslashes occur). */
export function quoteLiteral(v: string): string {
  const body = v.replace(/'/g, "''");
  return v.includes("\\") ? `E'${body.replace(/\\/g, "\\\\")}'` : `'${body}'`;
}

defineFunction("concat", {
  args: ["any"],
  variadic: "any",
  ret: "text",
  strict: false,
  volatility: "stable",
  impl: (a, ctx, types) =>
    a.map((v, i) => (v === null ? "" : valueText(v, types[i] ?? text, ctx.session.timeZone))).join(
      "",
    ),
});
defineFunction("concat_ws", {
  args: ["text"],
  variadic: "any",
  ret: "text",
  strict: false,
  volatility: "stable",
  impl: (a, ctx, types) => {
    if (a[0] === null) return null;
    const parts: string[] = [];
    for (let i = 1; i < a.length; i++) {
      const v = a[i]!;
      if (v !== null) parts.push(valueText(v, types[i] ?? text, ctx.session.timeZone));
    }
    return parts.join(a[0] as string);
  },
});

defineFunction("format", {
  args: ["text"],
  variadic: "any",
  ret: "text",
  strict: false,
  volatility: "stable",
  impl: (a, ctx, types) => {
    if (a[0] === null) return null;
    let argi = 1;
    return (a[0] as string).replace(/%(?:(\d+)\$)?([-]?\d*)([sIL%])/g, (_m, pos, width, kind) => {
      if (kind === "%") return "%";
      const i = pos ? Number(pos) : argi;
      argi = i + 1;
      if (i >= a.length) throw new DbError("22023", "too few arguments for format()");
      const v = a[i]!;
      let out: string;
      if (kind === "I") {
        if (v === null) {
          throw new DbError("22004", "null values cannot be formatted as an SQL identifier");
        }
        out = quoteIdent(valueText(v, types[i] ?? text, ctx.session.timeZone));
      } else if (kind === "L") {
        out = v === null
          ? "NULL"
          : quoteLiteral(valueText(v, types[i] ?? text, ctx.session.timeZone));
      } else out = v === null ? "" : valueText(v, types[i] ?? text, ctx.session.timeZone);
      const w = Number(width || 0);
      if (w !== 0 && Array.from(out).length < Math.abs(w)) {
        const padding = " ".repeat(Math.abs(w) - Array.from(out).length);
        out = w < 0 || width.startsWith("-") ? out + padding : padding + out;
      }
      return out;
    });
  },
});
