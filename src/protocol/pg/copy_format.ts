/**
 * COPY text and CSV formats: a streaming decoder from CopyData chunks to rows
 * of values, and an encoder from rows to lines. Options follow PostgreSQL's
 * COPY: DELIMITER, NULL, QUOTE, ESCAPE, HEADER; text format backslash escapes
 * and the `\.` end-of-data line.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { SqlType, Value } from "../../common/types.ts";
import { formatValue, type TextOptions } from "../../common/value_text.ts";
import type { CopySpec } from "../../engine/session_api.ts";
import { parseTextValue } from "./value_codec.ts";
import { applyTypmod } from "../../exec/coerce.ts";
import { baseType } from "../../exec/functions/type_rules.ts";

/** PostgreSQL shows at most this many characters of a line or value in a CONTEXT. */
const contextChars = 100;

/** A line or value quoted for a CONTEXT line, cut like PostgreSQL's. */
export function contextText(text: string): string {
  return `"${text.length > contextChars ? `${text.slice(0, contextChars)}...` : text}"`;
}

/** A record's text without its line end. */
function lineText(s: string, start: number, end: number): string {
  return s.slice(start, end).replace(/\r?\n$|\r$/, "");
}

function badCopy(message: string, where: string): DbError {
  const e = new DbError("22P04", message);
  e.context = where;
  return e;
}

/** Resolved COPY options with PostgreSQL's defaults filled in. */
interface CopyOptions {
  readonly csv: boolean;
  readonly delimiter: string;
  readonly nullText: string;
  readonly quote: string;
  readonly escape: string;
}

function resolve(spec: CopySpec): CopyOptions {
  if (spec.format === "binary") {
    throw new DbError("0A000", "COPY in binary format is not supported; use text or csv");
  }
  const csv = spec.format === "csv";
  const delimiter = spec.delimiter ?? (csv ? "," : "\t");
  const quote = spec.quote ?? '"';
  if (delimiter.length !== 1) {
    throw new DbError("22023", "COPY delimiter must be a single one-byte character");
  }
  return {
    csv,
    delimiter,
    nullText: spec.null ?? (csv ? "" : "\\N"),
    quote,
    escape: spec.escape ?? quote,
  };
}

const textEscapes: Record<string, string> = {
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** Splits one text-format line into raw fields, undoing backslash escapes; null for NULL. */
function splitTextLine(line: string, o: CopyOptions): (string | null)[] {
  if (!line.includes("\\")) {
    return line.split(o.delimiter).map((f) => (f === o.nullText ? null : f));
  }
  const out: (string | null)[] = [];
  let field = "";
  let raw = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === o.delimiter) {
      out.push(raw === o.nullText ? null : field);
      field = raw = "";
      continue;
    }
    if (c !== "\\" || i + 1 >= line.length) {
      field += c;
      raw += c;
      continue;
    }
    const n = line[++i]!;
    raw += c + n;
    if (n in textEscapes) field += textEscapes[n];
    else if (n >= "0" && n <= "7") {
      const m = /^[0-7]{1,3}/.exec(line.slice(i))![0];
      field += String.fromCharCode(parseInt(m, 8));
      raw += m.slice(1);
      i += m.length - 1;
    } else if (n === "x" && /^[0-9a-fA-F]/.test(line[i + 1] ?? "")) {
      const m = /^[0-9a-fA-F]{1,2}/.exec(line.slice(i + 1))![0];
      field += String.fromCharCode(parseInt(m, 16));
      raw += m;
      i += m.length;
    } else field += n;
  }
  out.push(raw === o.nullText ? null : field);
  return out;
}

/**
 * Parses the next CSV record starting at `pos`. Returns the fields and the
 * position after the record's line end, or undefined when the record is not
 * complete yet (an open quote, or no line end and `final` is false).
 */
function parseCsvRecord(
  s: string,
  pos: number,
  o: CopyOptions,
  final: boolean,
): { fields: (string | null)[]; next: number } | undefined {
  const fields: (string | null)[] = [];
  let field = "";
  let quoted = false;
  let inQuotes = false;
  let i = pos;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (inQuotes) {
      if (
        c === o.escape && (s[i + 1] === o.quote || (o.escape !== o.quote && s[i + 1] === o.escape))
      ) {
        field += s[++i];
      } else if (c === o.quote) inQuotes = false;
      else field += c;
      continue;
    }
    if (c === o.quote) {
      inQuotes = quoted = true;
    } else if (c === o.delimiter) {
      fields.push(!quoted && field === o.nullText ? null : field);
      field = "";
      quoted = false;
    } else if (c === "\n" || c === "\r") {
      fields.push(!quoted && field === o.nullText ? null : field);
      const next = c === "\r" && s[i + 1] === "\n" ? i + 2 : i + 1;
      if (c === "\r" && i + 1 === s.length && !final) return undefined;
      return { fields, next };
    } else field += c;
  }
  if (!final || inQuotes) {
    if (final) throw new DbError("22P04", "unterminated CSV quoted field");
    return undefined;
  }
  fields.push(!quoted && field === o.nullText ? null : field);
  return { fields, next: i };
}

const empty = new Uint8Array(0);
const fatalDecoder = new TextDecoder("utf-8", { fatal: true });

function invalidUtf8(): DbError {
  return new DbError("22021", 'Invalid byte sequence for encoding "UTF8"');
}

/** Length of the prefix of `b` that ends on a UTF-8 character boundary. */
function completeUtf8Length(b: Uint8Array): number {
  let k = b.length - 1;
  let continuation = 0;
  while (k >= 0 && continuation < 3 && (b[k]! & 0xc0) === 0x80) {
    k--;
    continuation++;
  }
  if (k < 0) return b.length;
  const lead = b[k]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return continuation + 1 < need ? k : b.length;
}

/** Decodes COPY FROM STDIN data, chunk by chunk, into rows of values. */
export class CopyDecoder {
  readonly #o: CopyOptions;
  readonly #types: readonly SqlType[];
  /** The column types without their modifiers: values are read as these, then fitted. */
  readonly #bases: readonly SqlType[];
  readonly #textOptions: TextOptions;
  #carry: Uint8Array = empty;
  readonly #cuts: number[];
  #pending = "";
  #skipHeader: boolean;
  #ended = false;
  #line = 0;
  readonly #relation: string;
  readonly #names: readonly string[];

  /** Creates a decoder for one COPY FROM STDIN in text or CSV format. */
  constructor(spec: CopySpec, textOptions: TextOptions = {}) {
    this.#o = resolve(spec);
    this.#types = spec.types;
    this.#bases = spec.types.map(baseType);
    this.#cuts = new Array(spec.types.length).fill(0);
    this.#skipHeader = spec.header === true;
    this.#textOptions = textOptions;
    this.#relation = spec.relation ?? "";
    this.#names = spec.headerNames ?? [];
  }

  /** The next CSV record; an unterminated quote at the end names its line and text. */
  #csvRecord(s: string, pos: number, final: boolean): ReturnType<typeof parseCsvRecord> {
    try {
      return parseCsvRecord(s, pos, this.#o, final);
    } catch (e) {
      if (e instanceof DbError && e.context === undefined) {
        // PostgreSQL numbers this error after the last line it read.
        const rest = s.slice(pos);
        const line = this.#line + 1 + (rest.match(/\n/g)?.length ?? 0);
        e.context = `COPY ${this.#relation}, line ${line}: ${contextText(rest)}`;
      }
      throw e;
    }
  }

  /** CONTEXT of an error on the current line, e.g. `COPY t, line 3`. */
  #where(): string {
    return `COPY ${this.#relation}, line ${this.#line}`;
  }

  /** 22P04 for a line with too few or too many fields. */
  #fieldCount(count: number, raw: string): DbError {
    const n = this.#types.length;
    const message = count < n
      ? `missing data for column "${this.#names[count] ?? count + 1}"`
      : "extra data after last expected column";
    return badCopy(message, `${this.#where()}: ${contextText(raw)}`);
  }

  /** Parses field `i`, adding PostgreSQL's CONTEXT to a conversion error. */
  #parse(text: string, i: number): Value {
    try {
      const t = this.#types[i]!;
      const v = parseTextValue(text, this.#bases[i]!, this.#textOptions);
      // varchar(n) / char(n) / numeric(p,s) apply as the column's input does (22001, 22003).
      return t.typmod === undefined ? v : applyTypmod(v, t);
    } catch (e) {
      if (e instanceof DbError && e.context === undefined) {
        e.context = `${this.#where()}, column ${this.#names[i] ?? i + 1}: ${contextText(text)}`;
      }
      throw e;
    }
  }

  /**
   * Decodes a chunk and returns the rows it completed.
   * @throws {DbError} 22P04 for a malformed line, 22P02 and friends for a bad value
   */
  push(chunk: Uint8Array): Value[][] {
    const text = this.#utf8(chunk);
    this.#pending = this.#pending === "" ? text : this.#pending + text;
    return this.#drain(false);
  }

  /** Decodes what is left after CopyDone. */
  finish(): Value[][] {
    if (this.#carry.length > 0) throw invalidUtf8();
    return this.#drain(true);
  }

  /**
   * UTF-8 to string without the streaming decoder: clients send one row per
   * CopyData, and a plain loop beats a decoder call for short ASCII chunks.
   * An incomplete character at the end is carried to the next chunk.
   */
  #utf8(chunk: Uint8Array): string {
    let bytes = chunk;
    if (this.#carry.length > 0) {
      bytes = new Uint8Array(this.#carry.length + chunk.length);
      bytes.set(this.#carry);
      bytes.set(chunk, this.#carry.length);
      this.#carry = empty;
    }
    const n = bytes.length;
    if (n <= 512) {
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (bytes[i]! > 127) {
          ascii = false;
          break;
        }
      }
      if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    }
    const cut = completeUtf8Length(bytes);
    if (cut < n) this.#carry = bytes.slice(cut);
    try {
      return fatalDecoder.decode(bytes.subarray(0, cut));
    } catch {
      throw invalidUtf8();
    }
  }

  #drain(final: boolean): Value[][] {
    const rows: Value[][] = [];
    const s = this.#pending;
    let pos = 0;
    let backslash = this.#o.csv ? -1 : s.indexOf("\\");
    while (pos < s.length && !this.#ended) {
      let fields: (string | null)[];
      let rawStart = pos;
      let rawEnd: number;
      if (this.#o.csv) {
        if (s.startsWith("\\.", pos) && /^\\\.\r?(\n|$)/.test(s.slice(pos, pos + 4))) {
          this.#ended = true;
          break;
        }
        const rec = this.#csvRecord(s, pos, final);
        if (!rec) break;
        fields = rec.fields;
        rawEnd = rec.next;
        pos = rec.next;
      } else {
        const nl = s.indexOf("\n", pos);
        if (nl < 0 && !final) break;
        const end = nl < 0 ? s.length : nl;
        const lineEnd = s.charCodeAt(end - 1) === 13 ? end - 1 : end;
        const start = pos;
        pos = nl < 0 ? s.length : nl + 1;
        if (backslash >= 0 && backslash < start) backslash = s.indexOf("\\", start);
        if ((backslash < 0 || backslash >= lineEnd) && !this.#skipHeader) {
          this.#line++;
          rows.push(this.#plainTextRow(s, start, lineEnd));
          continue;
        }
        const line = s.slice(start, lineEnd);
        if (line === "\\.") {
          this.#ended = true;
          break;
        }
        fields = splitTextLine(line, this.#o);
        rawStart = start;
        rawEnd = lineEnd;
      }
      this.#line++;
      if (this.#skipHeader) {
        this.#skipHeader = false;
        continue;
      }
      rows.push(this.#toValues(fields, s, rawStart, rawEnd));
    }
    this.#pending = this.#ended ? "" : s.slice(pos);
    return rows;
  }

  /** A text-format line without backslashes: fields are cut and parsed in place. */
  #plainTextRow(s: string, start: number, end: number): Value[] {
    const types = this.#types;
    const o = this.#o;
    const n = types.length;
    const cuts = this.#cuts;
    let count = 0;
    for (let p = start;; count++) {
      let j = s.indexOf(o.delimiter, p);
      if (j < 0 || j > end) j = end;
      if (count < n) cuts[count] = j;
      if (j === end) break;
      p = j + 1;
    }
    count++;
    if (count > n) throw this.#fieldCount(count, s.slice(start, end));
    const out: Value[] = new Array(n);
    let p = start;
    for (let i = 0; i < n; i++) {
      if (i === count) throw this.#fieldCount(count, s.slice(start, end));
      const f = s.slice(p, cuts[i]);
      p = cuts[i]! + 1;
      out[i] = f === o.nullText ? null : this.#parse(f, i);
    }
    return out;
  }

  /** A split line's values; `s.slice(start, end)` is the line, for errors. */
  #toValues(fields: (string | null)[], s: string, start: number, end: number): Value[] {
    const n = this.#types.length;
    const count = fields.length;
    // PostgreSQL's order: extra fields first, then each column's value or its absence.
    if (count > n) throw this.#fieldCount(count, lineText(s, start, end));
    const out: Value[] = new Array(n);
    for (let i = 0; i < n; i++) {
      if (i === count) throw this.#fieldCount(count, lineText(s, start, end));
      const f = fields[i]!;
      out[i] = f === null ? null : this.#parse(f, i);
    }
    return out;
  }
}

const textSpecial = /[\\\n\r\t\b\f\v]/;

/** Encodes rows for COPY TO STDOUT, one line per row. */
export class CopyEncoder {
  readonly #o: CopyOptions;
  readonly #spec: CopySpec;
  readonly #textOptions: TextOptions;
  readonly #csvSpecial: RegExp;

  /** Creates an encoder for one COPY TO STDOUT in text or CSV format. */
  constructor(spec: CopySpec, textOptions: TextOptions = {}) {
    this.#o = resolve(spec);
    this.#spec = spec;
    this.#textOptions = textOptions;
    const esc = (c: string) => c.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&");
    this.#csvSpecial = new RegExp(`[${esc(this.#o.delimiter)}${esc(this.#o.quote)}\\r\\n]`);
  }

  /** The CSV header line, when HEADER was requested. */
  header(): string | undefined {
    if (!this.#spec.header || !this.#o.csv) return undefined;
    return (this.#spec.headerNames ?? []).map((n) => this.#csvField(n)).join(this.#o.delimiter) +
      "\n";
  }

  /** Encodes one row as a line ending in "\n". */
  encode(row: readonly Value[]): string {
    const types = this.#spec.types;
    let line = "";
    for (let i = 0; i < types.length; i++) {
      if (i > 0) line += this.#o.delimiter;
      const v = row[i] ?? null;
      if (v === null) {
        line += this.#o.nullText;
        continue;
      }
      const s = typeof v === "string" ? v : formatValue(v, types[i]!, this.#textOptions);
      line += this.#o.csv ? this.#csvField(s) : this.#textField(s);
    }
    return line + "\n";
  }

  #csvField(s: string): string {
    const o = this.#o;
    if (s !== o.nullText && !this.#csvSpecial.test(s) && s !== "\\.") return s;
    let out = o.quote;
    for (const c of s) out += c === o.quote || c === o.escape ? o.escape + c : c;
    return out + o.quote;
  }

  #textField(s: string): string {
    if (!textSpecial.test(s) && !s.includes(this.#o.delimiter)) return s;
    let out = "";
    for (const c of s) {
      if (c === "\\") out += "\\\\";
      else if (c === "\n") out += "\\n";
      else if (c === "\r") out += "\\r";
      else if (c === "\t") out += "\\t";
      else if (c === "\b") out += "\\b";
      else if (c === "\f") out += "\\f";
      else if (c === "\v") out += "\\v";
      else if (c === this.#o.delimiter) out += "\\" + c;
      else out += c;
    }
    return out;
  }
}
