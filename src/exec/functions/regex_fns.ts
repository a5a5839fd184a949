/**
 * POSIX regular expression functions: regexp_replace, regexp_match(es),
 * regexp_like, regexp_count, regexp_split_to_array.
 * @module
 */

import { arrayOf, type, type Value } from "../../common/types.ts";
import { defineFunction, type FnImpl } from "./registry.ts";
import { cachedPattern, compileRegex, regexFlags } from "./patterns.ts";

const text = type("text");
const s = (v: Value): string => v as string;

function textFn(args: readonly string[], ret: string | ReturnType<typeof arrayOf>, impl: FnImpl) {
  return {
    args: args.map((a) => type(a as "text")),
    ret: typeof ret === "string" ? type(ret as "text") : ret,
    impl,
  };
}

const regexCache = cachedPattern((key: string) => {
  const [p, f] = JSON.parse(key) as [string, string];
  const rf = regexFlags(f);
  return { re: compileRegex(p, rf.flags + (rf.global ? "g" : "")), global: rf.global };
});

function regexReplace(str: string, pat: string, rep: string, flags: string): string {
  const { re } = regexCache(JSON.stringify([pat, flags]));
  // PostgreSQL writes back-references as \1 and the whole match as \&.
  const jsRep = rep.replace(/\$/g, "$$$$").replace(
    /\\(\d|&)/g,
    (_m, d) => (d === "&" ? "$&" : "$" + d),
  );
  re.lastIndex = 0;
  return str.replace(re, jsRep);
}
defineFunction(
  "regexp_replace",
  textFn(["text", "text", "text"], "text", (a) => regexReplace(s(a[0]!), s(a[1]!), s(a[2]!), "")),
);
defineFunction(
  "regexp_replace",
  textFn(
    ["text", "text", "text", "text"],
    "text",
    (a) => regexReplace(s(a[0]!), s(a[1]!), s(a[2]!), s(a[3]!)),
  ),
);

function matchGroups(m: RegExpExecArray): Value[] {
  return m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]];
}
function regexpMatch(str: string, pat: string, flags: string): Value {
  const { re } = regexCache(JSON.stringify([pat, flags.replace("g", "")]));
  re.lastIndex = 0;
  const m = re.exec(str);
  return m ? matchGroups(m) : null;
}
defineFunction(
  "regexp_match",
  textFn(["text", "text"], arrayOf(text), (a) => regexpMatch(s(a[0]!), s(a[1]!), "")),
);
defineFunction(
  "regexp_match",
  textFn(["text", "text", "text"], arrayOf(text), (a) => regexpMatch(s(a[0]!), s(a[1]!), s(a[2]!))),
);
defineFunction(
  "regexp_like",
  textFn(["text", "text"], "bool", (a) => regexpMatch(s(a[0]!), s(a[1]!), "") !== null),
);
defineFunction(
  "regexp_count",
  textFn(
    ["text", "text"],
    "int4",
    (a) => [...s(a[0]!).matchAll(new RegExp(compileRegex(s(a[1]!), "").source, "g"))].length,
  ),
);
defineFunction(
  "regexp_split_to_array",
  textFn(["text", "text"], arrayOf(text), (a) => s(a[0]!).split(compileRegex(s(a[1]!), ""))),
);
/** Matches of a global regexp, for regexp_matches (set-returning: returns all match arrays). */
export function regexpMatches(str: string, pat: string, flags: string): Value[][] {
  const rf = regexFlags(flags);
  const re = compileRegex(pat, rf.flags + "g");
  const out: Value[][] = [];
  for (const m of str.matchAll(re)) {
    out.push(matchGroups(m as RegExpExecArray));
    if (!rf.global) break;
  }
  return out;
}
defineFunction(
  "regexp_matches",
  textFn(["text", "text"], arrayOf(text), (a) => regexpMatches(s(a[0]!), s(a[1]!), "")[0] ?? null),
);
defineFunction(
  "regexp_matches",
  textFn(
    ["text", "text", "text"],
    arrayOf(text),
    (a) => regexpMatches(s(a[0]!), s(a[1]!), s(a[2]!))[0] ?? null,
  ),
);
