/**
 * PostgreSQL text I/O for every SQL type: `formatValue` is the type's output
 * function and `parseValue` its input function (typmod applied as
 * PostgreSQL's input functions do). Formats match PostgreSQL 15 with
 * DateStyle ISO and IntervalStyle postgres.
 * @module
 */

import { DbError } from "./errors.ts";
import { Interval, Jsonb, Numeric, type SqlType, type Value } from "./types.ts";
import { numericApplyTypmod, numericFromString, numericToString } from "./numeric.ts";
import { formatDate, formatTime, formatTimestamp, formatTimestamptz } from "./datetime.ts";
import { parseDate, parseTime, parseTimestamp, parseTimestamptz } from "./datetime_parse.ts";
import { formatInterval, parseInterval } from "./interval.ts";
import { formatJsonData, parseJson, parseJsonb } from "./jsonb.ts";
import {
  formatBytea,
  formatFloat,
  formatVector,
  invalidInput,
  parseBool,
  parseBytea,
  parseFloat,
  parseInteger,
  parseUuid,
  parseVector,
  typeDisplayNames,
} from "./text_scalars.ts";

/** Session settings that change text I/O. */
export interface TextOptions {
  /** Session TimeZone for timestamptz (IANA name or offset); default "UTC". */
  readonly timeZone?: string;
}

/**
 * Length limit a varchar(n)/bpchar(n) typmod declares, or undefined. A
 * `SqlType` keeps n itself (PostgreSQL's `atttypmod` is n + 4).
 */
export function charTypmodLength(typmod: number | undefined): number | undefined {
  return typmod !== undefined && typmod >= 0 ? typmod : undefined;
}

/** Encodes varchar(n)/bpchar(n) as a `SqlType` typmod (n; see `charTypmodLength`). */
export function charTypmod(length: number): number {
  return length;
}

/** The SQL spelling of a type, as `format_type` prints it (`character varying(10)`, `integer[]`). */
export function formatTypeName(t: SqlType): string {
  if (t.id === "array") return t.elem ? `${formatTypeName(t.elem)}[]` : "anyarray";
  if (t.id === "enum") return t.enumType?.name ?? "anyenum";
  if (t.composite) return t.composite.name;
  const base = typeDisplayNames[t.id] ?? t.id;
  const tm = t.typmod;
  if (tm === undefined || tm < 0) return t.id === "bpchar" ? "bpchar" : base;
  switch (t.id) {
    case "varchar":
    case "bpchar":
      return `${base}(${tm})`;
    case "numeric":
      return `numeric(${(tm >> 16) & 0xffff},${tm & 0xffff})`;
    case "timestamp":
      return `timestamp(${tm}) without time zone`;
    case "timestamptz":
      return `timestamp(${tm}) with time zone`;
    case "time":
      return `time(${tm}) without time zone`;
    case "vector":
      return `vector(${tm})`;
    default:
      return base;
  }
}

/**
 * A type as `regtype` prints it (what `pg_typeof` shows and messages name): `format_type` of
 * the type alone, without its modifier, so `character varying`, never
 * `character varying(10)`, and `character` for bpchar.
 */
export function regtypeName(t: SqlType): string {
  if (t.id === "array" && t.elem) return `${regtypeName(t.elem)}[]`;
  if (t.id === "bpchar") return "character";
  const { typmod: _modifier, ...bare } = t;
  return formatTypeName(bare);
}

/**
 * Applies a char-type typmod the way the input function (and assignment) do:
 * excess spaces are cut, other excess characters fail; bpchar pads.
 * @throws {DbError} 22001 value too long
 */
export function applyCharTypmod(s: string, t: SqlType, explicit = false): string {
  const n = charTypmodLength(t.typmod);
  if (n === undefined) return s;
  const chars = [...s];
  if (chars.length > n) {
    if (!explicit && chars.slice(n).some((c) => c !== " ")) {
      throw new DbError("22001", `value too long for type ${formatTypeName(t)}`);
    }
    return chars.slice(0, n).join("");
  }
  if (t.id === "bpchar" && chars.length < n) return s + " ".repeat(n - chars.length);
  return s;
}

function expect<T>(ok: boolean, v: unknown, t: SqlType): T {
  if (!ok) {
    throw new DbError("XX000", `Value ${String(v)} does not represent type ${t.id}`);
  }
  return v as T;
}

/**
 * Formats a value in PostgreSQL's text output format.
 * @param value a non-null value of `type`'s representation
 * @returns the text PostgreSQL would send
 * @example formatValue(1.5, type("float8")) // "1.5"
 */
export function formatValue(value: Value, type: SqlType, options: TextOptions = {}): string {
  if (value === null) return "NULL";
  switch (type.id) {
    case "bool":
      return value === true ? "t" : "f";
    case "int2":
    case "int4":
    case "int8":
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace":
      return String(value);
    case "float4":
      return formatFloat(expect<number>(typeof value === "number", value, type), true);
    case "float8":
      return formatFloat(expect<number>(typeof value === "number", value, type));
    case "numeric":
      return numericToString(expect<Numeric>(value instanceof Numeric, value, type));
    case "text":
    case "varchar":
    case "bpchar":
    case "name":
    case "char":
    case "uuid":
    case "json":
    case "enum":
    case "unknown":
      return String(value);
    case "bytea":
      return formatBytea(expect<Uint8Array>(value instanceof Uint8Array, value, type));
    case "date":
      return formatDate(expect<number>(typeof value === "number", value, type));
    case "time":
      return formatTime(expect<bigint>(typeof value === "bigint", value, type));
    case "timestamp":
      return formatTimestamp(expect<bigint>(typeof value === "bigint", value, type));
    case "timestamptz":
      return formatTimestamptz(
        expect<bigint>(typeof value === "bigint", value, type),
        options.timeZone ?? "UTC",
      );
    case "interval":
      return formatInterval(expect<Interval>(value instanceof Interval, value, type));
    case "jsonb":
      return formatJsonData(expect<Jsonb>(value instanceof Jsonb, value, type).value);
    case "vector":
      return formatVector(expect<Float32Array>(value instanceof Float32Array, value, type));
    case "array":
      return formatArray(expect<Value[]>(Array.isArray(value), value, type), type, options);
    case "record":
      return formatRecord(expect<Value[]>(Array.isArray(value), value, type), type, options);
    case "void":
      return "";
  }
}

/**
 * A record as PostgreSQL's record_out writes it: `(1,x)`, nothing for NULL,
 * double quotes (with `"` and `\\` doubled) around an empty string or text
 * holding a comma, quote, parenthesis, backslash or white space.
 */
function formatRecord(values: Value[], type: SqlType, options: TextOptions): string {
  return "(" + values.map((v, i) => {
    if (v === null) return "";
    const field = type.fields?.[i]?.type;
    const s = field ? formatValue(v, field, options) : untypedText(v);
    return s === "" || /[",()\\\s]/.test(s) ? `"${s.replace(/(["\\])/g, "$1$1")}"` : s;
  }).join(",") + ")";
}

/** Text of a record field whose type is not known (records built from text columns). */
function untypedText(v: Value): string {
  if (typeof v === "boolean") return v ? "t" : "f";
  if (v instanceof Numeric) return numericToString(v);
  if (Array.isArray(v)) return formatRecord(v, { id: "record" }, {});
  return String(v);
}

function quoteArrayElement(s: string): string {
  if (s === "" || /^null$/i.test(s) || /[{},"\\\s]/.test(s)) {
    return `"${s.replace(/(["\\])/g, "\\$1")}"`;
  }
  return s;
}

/** Formats an array literal (`{1,2,NULL,"a b"}`); nested JS arrays are further dimensions. */
export function formatArray(values: Value[], type: SqlType, options: TextOptions = {}): string {
  const elem = type.elem ?? { id: "text" };
  const parts = values.map((v) => {
    if (v === null) return "NULL";
    // A nested JS array is a further dimension, unless the elements are records.
    if (Array.isArray(v) && elem.id !== "array" && elem.id !== "record") {
      return formatArray(v, type, options);
    }
    return quoteArrayElement(formatValue(v, elem, options));
  });
  return `{${parts.join(",")}}`;
}

/**
 * Parses an array literal (`{1,2,NULL,"a b"}`, nested braces for more dimensions).
 * @throws {DbError} 22P02 malformed array literal
 */
export function parseArray(text: string, type: SqlType, options: TextOptions = {}): Value[] {
  const elem = type.elem ?? { id: "text" };
  const bad = (detail: string): DbError => {
    const e = new DbError("22P02", `malformed array literal: "${text}"`);
    e.detail = detail;
    return e;
  };
  let s = text.trim();
  const dims = /^(\[\d+:\d+\])+=/.exec(s);
  if (dims) s = s.slice(dims[0].length).trim();
  let pos = 0;
  const ws = (): void => {
    while (pos < s.length && /\s/.test(s[pos] ?? "")) pos++;
  };
  const parseLevel = (): Value[] => {
    if (s[pos] !== "{") throw bad('Array value must start with "{" or dimension information.');
    pos++;
    const out: Value[] = [];
    ws();
    if (s[pos] === "}") {
      pos++;
      return out;
    }
    for (;;) {
      ws();
      if (s[pos] === "{") out.push(parseLevel());
      else out.push(parseElement());
      ws();
      const c = s[pos++];
      if (c === "}") return out;
      if (c !== ",") throw bad("Unexpected array element.");
    }
  };
  const parseElement = (): Value => {
    let raw = "";
    let quoted = false;
    if (s[pos] === '"') {
      quoted = true;
      pos++;
      while (pos < s.length && s[pos] !== '"') {
        if (s[pos] === "\\") pos++;
        raw += s[pos] ?? "";
        pos++;
      }
      if (s[pos] !== '"') throw bad("Unexpected end of input.");
      pos++;
    } else {
      while (pos < s.length && !/[,}]/.test(s[pos] ?? "")) {
        if (s[pos] === "\\") pos++;
        if (s[pos] === '"' || s[pos] === "{") throw bad("Unexpected array element.");
        raw += s[pos] ?? "";
        pos++;
      }
      raw = raw.trim();
      if (raw === "") throw bad('Unexpected "}" character.');
      if (/^null$/i.test(raw)) return null;
    }
    void quoted;
    return parseValue(raw, elem, options);
  };
  ws();
  const out = parseLevel();
  ws();
  if (pos !== s.length) throw bad("Junk after closing right brace.");
  return out;
}

/**
 * Parses text input for `type` (PostgreSQL's type input function, with typmod).
 * @throws {DbError} 22P02/22007 bad syntax, 22003/22008 out of range, 22001 too long
 * @example parseValue("42", type("int4")) // 42
 */
export function parseValue(text: string, type: SqlType, options: TextOptions = {}): Value {
  switch (type.id) {
    case "bool":
      return parseBool(text);
    case "int2":
    case "int4":
    case "int8":
      return parseInteger(text, type.id);
    case "oid":
    case "regclass":
    case "regtype":
    case "regproc":
    case "regnamespace": {
      const s = text.trim();
      if (!/^[+-]?\d+$/.test(s)) throw invalidInput(typeDisplayNames[type.id] ?? type.id, text);
      let v = Number(s);
      // Like oidin, negative input wraps around (-1 is 4294967295).
      if (v < 0 && v >= -2147483648) v += 4294967296;
      if (v > 4294967295 || v < 0) {
        throw new DbError("22003", `value "${text}" is out of range for type oid`);
      }
      return v;
    }
    case "float4":
    case "float8":
      return parseFloat(text, type.id);
    case "numeric":
      return numericApplyTypmod(numericFromString(text), type.typmod);
    case "text":
    case "unknown":
      return text;
    case "enum":
      return enumLabel(text, type);
    case "varchar":
    case "bpchar":
      return applyCharTypmod(text, type);
    case "name":
      return truncateBytes(text, 63);
    case "char":
      return text.slice(0, 1);
    case "bytea":
      return parseBytea(text);
    case "date":
      return parseDate(text);
    case "time":
      return parseTime(text);
    case "timestamp":
      return parseTimestamp(text);
    case "timestamptz":
      return parseTimestamptz(text, options.timeZone ?? "UTC");
    case "interval":
      return parseInterval(text);
    case "uuid":
      return parseUuid(text);
    case "json":
      return parseJson(text);
    case "jsonb":
      return parseJsonb(text);
    case "vector":
      return parseVector(text, type.typmod);
    case "array":
      return parseArray(text, type, options);
    case "record":
    case "void":
      throw new DbError("0A000", `cannot accept a value of type ${type.id}`);
  }
}

function truncateBytes(s: string, max: number): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= max) return s;
  let cut = max;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.slice(0, cut));
}

/**
 * Checks `text` is a label of enum type `t` (enum_in).
 * @throws {DbError} 22P02 for a label the enum lacks
 */
export function enumLabel(text: string, t: SqlType): string {
  const e = t.enumType;
  if (e && !e.labels.includes(text)) {
    throw new DbError("22P02", `invalid input value for enum ${e.name}: "${text}"`);
  }
  if (e?.uncommitted?.includes(text)) {
    const err = new DbError("55P04", `unsafe use of new value "${text}" of enum type ${e.name}`);
    err.hint = "New enum values must be committed before they can be used.";
    throw err;
  }
  return text;
}
