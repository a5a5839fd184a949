/**
 * COPY TO STDOUT in text and CSV formats: rows to lines, with PostgreSQL's
 * quoting (CSV) and backslash escapes (text).
 * @module
 */
import type { Value } from "../../common/types.ts";
import { formatValue, type TextOptions } from "../../common/value_text.ts";
import type { CopySpec } from "../../engine/session_api.ts";
import { type CopyOptions, resolveCopyOptions } from "./_copy_options.ts";

const textSpecial = /[\\\n\r\t\b\f\v]/;

/** Encodes rows for COPY TO STDOUT, one line per row. */
export class CopyEncoder {
  readonly #o: CopyOptions;
  readonly #spec: CopySpec;
  readonly #textOptions: TextOptions;
  readonly #csvSpecial: RegExp;

  /** Creates an encoder for one COPY TO STDOUT in text or CSV format. */
  constructor(spec: CopySpec, textOptions: TextOptions = {}) {
    this.#o = resolveCopyOptions(spec);
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
