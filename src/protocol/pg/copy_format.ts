/**
 * COPY text and CSV formats: a streaming decoder from CopyData chunks to rows
 * of values (and, re-exported from `copy_encoder.ts`, the encoder from rows to
 * lines). Options follow PostgreSQL's
 * COPY: DELIMITER, NULL, QUOTE, ESCAPE, HEADER; text format backslash escapes
 * and the `\.` end-of-data line.
 * @module
 */
import { DbError } from "../../common/errors.ts";
import type { SqlType, Value } from "../../common/types.ts";
import type { TextOptions } from "../../common/value_text.ts";
import type { CopySpec } from "../../engine/session_api.ts";
import { parseTextValue } from "./value_codec.ts";
import { applyTypmod } from "../../exec/coerce.ts";
import { baseType } from "../../exec/functions/type_rules.ts";
import { type CopyOptions, resolveCopyOptions } from "./_copy_options.ts";
import { parseCsvRecord, splitTextLine } from "./_copy_lines.ts";

export { CopyEncoder } from "./copy_encoder.ts";

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
    this.#o = resolveCopyOptions(spec);
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
