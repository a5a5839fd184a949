/**
 * JSON and jsonb values. jsonb documents hold plain data: objects (null
 * prototype, keys kept in PostgreSQL's order: shorter first, then bytewise),
 * arrays, strings, `Numeric` numbers, booleans and null.
 * @module
 */

import { DbError } from "./errors.ts";
import { Jsonb, Numeric } from "./types.ts";
import { numericCompare, numericFromString, numericToString } from "./numeric.ts";

/** A JSON datum inside a jsonb document. */
export type JsonData = null | boolean | string | Numeric | JsonData[] | JsonObject;
/** A JSON object with a null prototype. */
export interface JsonObject {
  [key: string]: JsonData;
}

function badJson(text: string, typeName: string, detail: string): DbError {
  // PostgreSQL's jsonb input reports the JSON parser's error: "... for type json".
  const e = new DbError(
    "22P02",
    `invalid input syntax for type ${typeName === "jsonb" ? "json" : typeName}`,
  );
  e.detail = detail;
  void text;
  return e;
}

/** A small recursive-descent JSON parser that keeps numbers exact. */
class Parser {
  pos = 0;
  constructor(readonly s: string, readonly typeName: string) {}

  fail(what: string): never {
    throw badJson(this.s, this.typeName, what);
  }
  ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }
  value(depth: number): JsonData {
    if (depth > 6400) this.fail("JSON nesting too deep");
    this.ws();
    const c = this.s[this.pos];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(
      c === undefined ? "The input string ended unexpectedly." : `Token is invalid.`,
    );
  }
  object(depth: number): JsonObject {
    this.pos++;
    const entries: [string, JsonData][] = [];
    this.ws();
    if (this.s[this.pos] === "}") {
      this.pos++;
      return makeObject(entries);
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail("Expected string.");
      const k = this.string();
      this.ws();
      if (this.s[this.pos] !== ":") this.fail('Expected ":".');
      this.pos++;
      entries.push([k, this.value(depth + 1)]);
      this.ws();
      const c = this.s[this.pos++];
      if (c === "}") return makeObject(entries);
      if (c !== ",") this.fail('Expected "," or "}".');
    }
  }
  array(depth: number): JsonData[] {
    this.pos++;
    const out: JsonData[] = [];
    this.ws();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.pos++];
      if (c === "]") return out;
      if (c !== ",") this.fail('Expected "," or "]".');
    }
  }
  string(): string {
    const s = this.s;
    const start = ++this.pos;
    let out = "";
    let chunk = start;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 34) {
        out += s.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c < 32) {
        this.fail(
          "Character with value 0x" + c.toString(16).padStart(2, "0") + " must be escaped.",
        );
      }
      if (c === 92) {
        out += s.slice(chunk, this.pos);
        const e = s[this.pos + 1];
        const simple: Record<string, string> = {
          '"': '"',
          "\\": "\\",
          "/": "/",
          b: "\b",
          f: "\f",
          n: "\n",
          r: "\r",
          t: "\t",
        };
        if (e === "u") {
          const hex = s.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.fail('"\\u" must be followed by four hexadecimal digits.');
          }
          if (hex === "0000") {
            throw new DbError("22P05", "unsupported Unicode escape sequence");
          }
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
        } else if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          this.pos += 2;
        } else {
          this.fail(`Escape sequence "\\${e ?? ""}" is invalid.`);
        }
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
    return this.fail("The input string ended unexpectedly.");
  }
  number(): Numeric {
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.pos;
    const r = m.exec(this.s);
    if (!r) this.fail("Token is invalid.");
    this.pos += r[0].length;
    return numericFromString(r[0]);
  }
}

/** Compares object keys the way jsonb orders them: shorter first, then bytewise. */
export function compareJsonKeys(a: string, b: string): number {
  const la = utf8Length(a);
  const lb = utf8Length(b);
  if (la !== lb) return la - lb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : c >= 0x800 ? 0 : 1;
  }
  return n;
}

/** Builds a jsonb object from entries: last duplicate wins, keys sorted. */
export function makeObject(entries: readonly (readonly [string, JsonData])[]): JsonObject {
  const map = new Map<string, JsonData>();
  for (const [k, v] of entries) map.set(k, v);
  const keys = [...map.keys()].sort(compareJsonKeys);
  const obj: JsonObject = Object.create(null);
  for (const k of keys) obj[k] = map.get(k) ?? null;
  return obj;
}

/**
 * Parses JSON text to jsonb data (numbers as exact `Numeric`).
 * @throws {DbError} 22P02 invalid input syntax for type json(b)
 */
export function parseJsonData(text: string, typeName = "jsonb"): JsonData {
  const p = new Parser(text, typeName);
  const v = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail("Expected end of input, but found more.");
  return v;
}

/** Parses jsonb input. @throws {DbError} 22P02 */
export function parseJsonb(text: string): Jsonb {
  return new Jsonb(parseJsonData(text, "jsonb"));
}

/** Validates json input and returns it unchanged. @throws {DbError} 22P02 */
export function parseJson(text: string): string {
  parseJsonData(text, "json");
  return text;
}

/** Quotes a string as a JSON string literal, as PostgreSQL's escape_json does. */
export function quoteJsonString(s: string): string {
  let out = '"';
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 32 && c !== 34 && c !== 92) continue;
    out += s.slice(chunk, i);
    chunk = i + 1;
    if (c === 34) out += '\\"';
    else if (c === 92) out += "\\\\";
    else if (c === 8) out += "\\b";
    else if (c === 12) out += "\\f";
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else out += "\\u" + c.toString(16).padStart(4, "0");
  }
  return out + s.slice(chunk) + '"';
}

/** Returns true when `v` is a JSON object (not an array or Numeric). */
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Numeric);
}

/** Formats jsonb data canonically (`{"a": 1, "b": [1, 2]}`). */
export function formatJsonData(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") return quoteJsonString(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : quoteJsonString(String(v));
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Numeric) return numericToString(v);
  if (Array.isArray(v)) return "[" + v.map(formatJsonData).join(", ") + "]";
  if (isJsonObject(v)) {
    return "{" + Object.keys(v).map((k) => `${quoteJsonString(k)}: ${formatJsonData(v[k])}`)
      .join(", ") +
      "}";
  }
  return quoteJsonString(String(v));
}

/** Formats jsonb with indentation like `jsonb_pretty`. */
export function prettyJsonData(v: unknown, indent = ""): string {
  const inner = indent + "    ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[\n" + indent + "]";
    return "[\n" + v.map((x) => inner + prettyJsonData(x, inner)).join(",\n") + "\n" + indent +
      "]";
  }
  if (isJsonObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return "{\n" + indent + "}";
    return "{\n" +
      keys.map((k) => `${inner}${quoteJsonString(k)}: ${prettyJsonData(v[k], inner)}`).join(
        ",\n",
      ) + "\n" + indent + "}";
  }
  return formatJsonData(v);
}

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "string") return 1;
  if (v instanceof Numeric) return 2;
  if (typeof v === "boolean") return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

/** Orders jsonb data as PostgreSQL's btree does (object > array > bool > number > string > null). */
export function compareJsonData(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) {
    // An empty top-level array sorts below null in PostgreSQL; kept simple here.
    return ra - rb;
  }
  if (a instanceof Numeric && b instanceof Numeric) return numericCompare(a, b);
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return a.length - b.length;
    for (let i = 0; i < a.length; i++) {
      const c = compareJsonData(a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return ka.length - kb.length;
    for (let i = 0; i < ka.length; i++) {
      const c = compareJsonKeys(ka[i] ?? "", kb[i] ?? "");
      if (c !== 0) return c;
    }
    for (const k of ka) {
      const c = compareJsonData(a[k], b[k]);
      if (c !== 0) return c;
    }
  }
  return 0;
}

/** jsonb containment `a @> b`. */
export function jsonContains(a: unknown, b: unknown, top = true): boolean {
  if (Array.isArray(a)) {
    if (Array.isArray(b)) return b.every((x) => a.some((y) => jsonContains(y, x, false)));
    // A top-level array contains a scalar that is one of its elements.
    return top && !isJsonObject(b) && a.some((y) => compareJsonData(y, b) === 0);
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    return Object.keys(b).every((k) => k in a && jsonContains(a[k], b[k], false));
  }
  if (Array.isArray(b) || isJsonObject(b)) return false;
  return compareJsonData(a, b) === 0;
}

/** Converts plain data to jsonb data (numbers to `Numeric`, objects re-sorted). */
export function toJsonData(v: unknown): JsonData {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    return numericFromString(String(v));
  }
  if (typeof v === "bigint") return new Numeric(v, 0);
  if (v instanceof Numeric) return v;
  if (Array.isArray(v)) return v.map(toJsonData);
  if (isJsonObject(v)) {
    return makeObject(
      Object.keys(v).map((k) => [k, toJsonData((v as Record<string, unknown>)[k])]),
    );
  }
  return String(v);
}
