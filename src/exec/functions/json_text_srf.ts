/**
 * The json (text) set-returning functions: `json_each`, `json_each_text`,
 * `json_array_elements`, `json_array_elements_text`, `json_object_keys`.
 * Unlike jsonb, json keeps its text: elements come back exactly as written
 * (whitespace included) and object members in document order, duplicates kept.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { Value } from "../../common/types.ts";

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\n" || c === "\t" || c === "\r";
}

function skipSpace(s: string, i: number): number {
  while (isSpace(s[i])) i++;
  return i;
}

/** Index just past the JSON value starting at `i` (the text is valid JSON). */
function valueEnd(s: string, i: number): number {
  const c = s[i];
  if (c === '"') {
    let j = i + 1;
    while (j < s.length && s[j] !== '"') j += s[j] === "\\" ? 2 : 1;
    return j + 1;
  }
  if (c === "[" || c === "{") {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s[j];
      if (d === '"') j = valueEnd(s, j) - 1;
      else if (d === "[" || d === "{") depth++;
      else if ((d === "]" || d === "}") && --depth === 0) return j + 1;
    }
    return s.length;
  }
  let j = i;
  while (j < s.length && s[j] !== "," && s[j] !== "]" && s[j] !== "}" && !isSpace(s[j])) j++;
  return j;
}

/** The raw texts of a container's items: [key, value] for objects, [value] for arrays. */
function items(s: string, open: number): string[][] {
  const out: string[][] = [];
  const object = s[open] === "{";
  let i = skipSpace(s, open + 1);
  if (s[i] === "}" || s[i] === "]") return out;
  for (;;) {
    let key: string | null = null;
    if (object) {
      const k = valueEnd(s, i);
      key = JSON.parse(s.slice(i, k)) as string;
      i = skipSpace(s, skipSpace(s, k) + 1);
    }
    const end = valueEnd(s, i);
    out.push(key === null ? [s.slice(i, end)] : [key, s.slice(i, end)]);
    i = skipSpace(s, end);
    if (s[i] !== ",") return out;
    i = skipSpace(s, i + 1);
  }
}

/** A json value's text as `->>` shows it: strings decoded, null as SQL NULL. */
function asText(raw: string): Value {
  if (raw === "null") return null;
  return raw.startsWith('"') ? JSON.parse(raw) as string : raw;
}

function kindOf(c: string | undefined): string {
  return c === "[" ? "an array" : c === "{" ? "an object" : "a scalar";
}

/**
 * Rows of a json set-returning function for one argument (json text).
 * @returns null when `fn` is not one of them
 * @throws {DbError} 22023 on an argument of the wrong kind
 */
export function jsonTextSetRows(fn: string, arg: Value): Value[][] | null {
  if (!fn.startsWith("json_")) return null;
  if (arg === null) return [];
  const s = String(arg);
  const open = skipSpace(s, 0);
  const c = s[open];
  switch (fn) {
    case "json_each":
    case "json_each_text":
    case "json_object_keys": {
      if (c !== "{") {
        const what = fn === "json_object_keys" ? kindOf(c) : "a non-object";
        throw new DbError("22023", `cannot call ${fn} on ${what}`);
      }
      const members = items(s, open);
      if (fn === "json_object_keys") return members.map(([k]) => [k!]);
      return members.map(([k, v]) => [k!, fn === "json_each" ? v! : asText(v!)]);
    }
    case "json_array_elements":
    case "json_array_elements_text": {
      if (c !== "[") throw new DbError("22023", `cannot extract elements from ${kindOf(c)}`);
      const elems = items(s, open);
      return elems.map(([v]) => [fn === "json_array_elements" ? v! : asText(v!)]);
    }
  }
  return null;
}
