/**
 * Pattern matching: LIKE/ILIKE (with ESCAPE), SIMILAR TO and POSIX regular
 * expressions, translated to JavaScript RegExps once per distinct pattern.
 * @module
 */

import { DbError } from "../../common/errors.ts";

function escapeRegex(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? "\\" + c : c;
}

/**
 * Translates a LIKE pattern.
 * @throws {DbError} 22025 when the pattern ends with the escape character
 */
export function likeToRegExp(pattern: string, caseInsensitive: boolean, escape = "\\"): RegExp {
  let src = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== "" && c === escape) {
      const n = pattern[i + 1];
      if (n === undefined) {
        throw new DbError("22025", "LIKE pattern must not end with escape character");
      }
      src += escapeRegex(n);
      i++;
    } else if (c === "%") src += "[\\s\\S]*";
    else if (c === "_") src += "[\\s\\S]";
    else src += escapeRegex(c);
  }
  return new RegExp(src + "$", caseInsensitive ? "iu" : "u");
}

/**
 * Translates a SIMILAR TO pattern (SQL regular expression).
 * @throws {DbError} 2201B invalid regular expression
 */
export function similarToRegExp(pattern: string, escape = "\\"): RegExp {
  let src = "^(?:";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== "" && c === escape) {
      const n = pattern[i + 1];
      if (n === undefined) {
        throw new DbError("22025", "SIMILAR TO pattern must not end with escape character");
      }
      src += escapeRegex(n);
      i++;
    } else if (inClass) {
      src += c === "\\" ? "\\\\" : c;
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
      src += c;
    } else if (c === "%") src += "[\\s\\S]*";
    else if (c === "_") src += "[\\s\\S]";
    else if (c === "." || c === "^" || c === "$" || c === "/") src += "\\" + c;
    else src += c;
  }
  return compileRegex(src + ")$", "");
}

/**
 * Compiles a POSIX (ARE) pattern as a JavaScript RegExp; close enough for the
 * common subset (classes, anchors, quantifiers, groups, `\d \w \s`).
 * @throws {DbError} 2201B invalid regular expression
 */
export function compileRegex(pattern: string, flags: string): RegExp {
  const src = pattern
    .replace(/\[\[:alpha:\]\]/g, "[A-Za-z]")
    .replace(/\[\[:digit:\]\]/g, "[0-9]")
    .replace(/\[\[:alnum:\]\]/g, "[A-Za-z0-9]")
    .replace(/\[\[:space:\]\]/g, "\\s")
    .replace(/\[\[:upper:\]\]/g, "[A-Z]")
    .replace(/\[\[:lower:\]\]/g, "[a-z]")
    .replace(/\[:alpha:\]/g, "A-Za-z")
    .replace(/\[:digit:\]/g, "0-9")
    .replace(/\[:alnum:\]/g, "A-Za-z0-9")
    .replace(/\[:space:\]/g, "\\s")
    .replace(/\[:upper:\]/g, "A-Z")
    .replace(/\[:lower:\]/g, "a-z");
  try {
    return new RegExp(src, flags);
  } catch (e) {
    throw new DbError("2201B", `invalid regular expression: ${(e as Error).message}`, e);
  }
}

/** A one-entry cache for patterns that vary per row. */
export function cachedPattern<T>(build: (p: string) => T): (p: string) => T {
  let lastPattern: string | undefined;
  let last: T | undefined;
  return (p) => {
    if (p !== lastPattern || last === undefined) {
      last = build(p);
      lastPattern = p;
    }
    return last;
  };
}

/** Translates PostgreSQL regexp flags (`g` handled by callers) to JavaScript ones. */
export function regexFlags(flags: string): { flags: string; global: boolean } {
  let out = "";
  let global = false;
  for (const f of flags) {
    if (f === "g") global = true;
    else if (f === "i") out += "i";
    else if (f === "c") out = out.replace("i", "");
    else if (f === "n" || f === "m") out += "m";
    else if (f === "s") out += "s";
    else if (f !== "x") {
      throw new DbError("22023", `invalid regular expression option: "${f}"`);
    }
  }
  return { flags: [...new Set(out)].join(""), global };
}
