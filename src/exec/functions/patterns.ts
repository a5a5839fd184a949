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
  return compileRegex("^(?:" + similarBody(pattern, escape) + ")$", "");
}

/** The regular-expression text of a SIMILAR TO pattern, without anchors. */
function similarBody(pattern: string, escape: string): string {
  let src = "";
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
  return src;
}

/**
 * Splits a SQL regular expression at its escape-double-quote separators
 * (`substring(x SIMILAR p ESCAPE e)`): none, or exactly two.
 * @throws {DbError} 2200C more than two separators
 */
function similarParts(pattern: string, escape: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== "" && c === escape && pattern[i + 1] === '"') {
      parts.push(cur);
      cur = "";
      i++;
    } else if (escape !== "" && c === escape && i + 1 < pattern.length) {
      cur += c + pattern[i + 1]!;
      i++;
    } else cur += c;
  }
  parts.push(cur);
  if (parts.length > 3) {
    throw new DbError(
      "2200C",
      "SQL regular expression may not contain more than two escape-double-quote separators",
    );
  }
  return parts;
}

/**
 * `substring(x SIMILAR p ESCAPE e)`: the whole string must match `p`; returns the
 * part matching the text between the two separators (all of it without them).
 * The first part matches as little as it can, as in PostgreSQL.
 */
export function similarSubstring(str: string, pattern: string, escape: string): string | null {
  if (escape.length > 1) {
    throw new DbError("22025", "invalid escape string");
  }
  const parts = similarParts(pattern, escape).map((p) => similarBody(p, escape));
  if (parts.length !== 3) {
    const whole = compileRegex("^(?:" + parts.join("") + ")$", "");
    return whole.test(str) ? str : null;
  }
  const head = compileRegex("^(?:" + parts[0] + ")$", "");
  const rest = compileRegex("^(" + parts[1] + ")(?:" + parts[2] + ")$", "");
  for (let k = 0; k <= str.length; k++) {
    if (!head.test(str.slice(0, k))) continue;
    const m = rest.exec(str.slice(k));
    if (m) return m[1] ?? null;
  }
  return null;
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
